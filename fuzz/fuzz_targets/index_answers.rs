//! Every decoder of an index's answers (PEP 691 JSON, PEP 503 HTML) and of the cache's stored pages and
//! entries, on arbitrary bytes: none may panic or hang.
//!
//!     cargo fuzz run index_answers -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| muslcheck::fuzzing::decode_any_answer(data));
