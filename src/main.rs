//! muslcheck: what `pip install` does on an Alpine (musl) image, for every requirement, before anyone builds.
//!
//! The pipeline, one module per stage: `input` reads dependency files, `index` asks the package index,
//! `target` + `select` choose the file pip would install, `verdict` names the outcome, `report` draws it.
//! `cli` wires them together and owns the exit codes.

mod check;
mod cli;
mod dist;
mod index;
mod input;
mod metadata;
mod pep;
mod report;
mod select;
mod target;
mod verdict;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    // reqwest is built without a default crypto provider: install ring's (fast to build, no C toolchain).
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli::run(args) {
        Ok(exit) => exit.into(),
        Err(message) => {
            eprintln!("muslcheck: {message}");
            cli::Exit::Usage.into()
        }
    }
}
