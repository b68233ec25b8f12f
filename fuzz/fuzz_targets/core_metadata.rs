//! A core metadata file (a wheel's METADATA, an index's `.metadata`) as pip's check and the resolver read
//! it, on arbitrary text: none may panic, hang or overflow the stack.
//!
//!     cargo fuzz run core_metadata -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        muslcheck::fuzzing::read_core_metadata(text);
    }
});
