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
            eprintln!("muslcheck: {}", stop.message);
            stop.exit.into()
        }
    }
}
