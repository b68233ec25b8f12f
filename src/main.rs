#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use muslcheck::cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    // reqwest is built without a default crypto provider: install ring's (fast to build, no C toolchain).
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli::run(args) {
        Ok(exit) => exit.into(),
        Err(stop) => {
            // Through a handle: a closed stderr must not turn the exit code into a panic's.
            let _ = writeln!(std::io::stderr(), "muslcheck: {}", stop.message);
            stop.exit.into()
        }
    }
}
