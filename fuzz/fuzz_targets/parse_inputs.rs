//! Every dependency-file reader on arbitrary text: none may panic or hang. The first byte picks the format
//! and the selection (extras, groups, dev), the rest is the file.
//!
//!     cargo fuzz run parse_inputs -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;
use muslcheck::input::{Format, Selection, read_text};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = Format::ALL[usize::from(first) % Format::ALL.len()];
    let everything = first & 0x80 != 0;
    let selection = Selection { all_extras: everything, all_groups: everything, dev: everything, ..Default::default() };
    let _ = read_text(format, text, &selection);
});
