//! The exit codes of docs/design.md, in one place: the report's gate (`report::gate`) ends a run with 0 to 3,
//! the command line (`cli`) with 2 or 4 when the run stops before its report is written.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Gate = 1,
    /// A usage error, or input that could not be read or parsed.
    Usage = 2,
    Unknown = 3,
    /// muslcheck could not do its work: the report could not be written, HTTPS or the runtime could not be
    /// set up. Not the input's fault, so not 2.
    Environment = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}
