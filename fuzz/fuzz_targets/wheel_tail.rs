//! The wheel zip reader on arbitrary bytes taken as the end of a wheel: finding the METADATA entry in the
//! central directory and inflating it may fail, never panic, hang or allocate without bound.
//!
//!     cargo fuzz run wheel_tail -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = muslcheck::fuzzing::metadata_from_wheel_tail(data);
});
