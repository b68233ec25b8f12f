//! muslcheck: what `pip install` does on an Alpine (musl) image, for every requirement, before anyone builds.
//!
//! The pipeline, one module per stage: `input` reads dependency files, `index` asks the package index,
//! `target` + `select` choose the file pip would install, `resolve` finds the whole dependency tree, `verdict`
//! names the outcome, `report` draws it and holds the exit gate. `target` also plans a run's targets;
//! `image` derives targets from Docker image references and Dockerfiles, with `data` (the facts in `data/`).
//! `settings` reads what configures a run besides its flags (muslcheck's settings file, pip's configuration,
//! the index URLs, the cache); `exit` holds the exit codes. `cli` turns the flags into one run configuration
//! and wires the stages together. The library exists for the binary and the fuzz targets; it is not a stable
//! API.

// Nothing below the CLI prints: the report goes to the writer the CLI hands it, and the few messages for stderr
// are written through `std::io::Write`, so that a closed stream is an error to ignore, not a panic.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

mod advice;
mod check;
pub mod cli;
mod core_metadata;
mod data;
mod dist;
mod exit;
pub mod image;
mod index;
pub mod input;
mod pep;
mod report;
mod resolve;
mod select;
mod settings;
pub mod target;
mod verdict;

/// The parsers of what comes from outside, on arbitrary bytes, for the fuzz targets in `fuzz/`.
pub mod fuzzing {
    pub use crate::index::{decode_any_answer, metadata_from_wheel_tail};

    /// A core metadata file read as pip's check and the resolver read it, against a fixed name and version.
    pub fn read_core_metadata(text: &str) {
        let version = crate::pep::parse_version("1.0").expect("a fixed version parses");
        let _ = crate::core_metadata::check(text, "demo", &version);
        let _ = crate::resolve::parse_metadata_dependencies(text);
    }
}
