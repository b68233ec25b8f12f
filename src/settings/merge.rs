//! The settings file merged into the flags: a flag the user gave wins; a setting fills in one they did not.
//! A setting that does not parse is an input error naming the file, as a bad requirement line is.

use clap::ValueEnum;

use super::file as config;
use crate::cli::{Args, FailOn};
use crate::report::ErrorEntry;
use crate::report::IgnoreEntry;
use crate::target::matrix::LibcKind;

pub struct Merged {
    pub args: Args,
    pub ignore: Vec<IgnoreEntry>,
    pub errors: Vec<ErrorEntry>,
    pub notes: Vec<String>,
}

pub fn merge(mut args: Args) -> Merged {
    let mut merged = Merged {
        args: args.clone(),
        ignore: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let config = match config::load(args.config.as_deref(), &args.files) {
        Ok(Some(config)) => config,
        Ok(None) => return merged,
        Err(errors) => {
            merged.errors = errors.iter().map(ErrorEntry::from).collect();
            return merged;
        }
    };
    merged.notes.push(format!("settings: {}", config.source));
    let mut bad = |key: &str, value: &str, why: String| {
        merged.errors.push(ErrorEntry {
            path: config.source.clone(),
            line: None,
            column: None,
            message: format!("{key} = \"{value}\": {why}"),
        });
    };
    if args.python.is_empty() {
        for text in &config.python {
            match text.parse() {
                Ok(python) => args.python.push(python),
                Err(why) => bad("python", text, why),
            }
        }
    }
    if args.arch.is_empty() {
        for text in &config.arch {
            match text.parse() {
                Ok(arch) => args.arch.push(arch),
                Err(why) => bad("arch", text, why),
            }
        }
    }
    if args.libc.is_empty() {
        for text in &config.libc {
            match LibcKind::from_str(text, true) {
                Ok(libc) => args.libc.push(libc),
                Err(_) => bad("libc", text, "expected musl or glibc".into()),
            }
        }
    }
    if let (None, Some(text)) = (args.musl, &config.musl) {
        match text.parse() {
            Ok(musl) => args.musl = Some(musl),
            Err(why) => bad("musl", text, why),
        }
    }
    if args.glibc.is_none() {
        args.glibc = config.glibc.clone();
    }
    if args.dockerfile.is_none() && !args.no_dockerfile {
        args.dockerfile = config.dockerfile.clone();
    }
    if let (None, Some(text)) = (args.fail_on, &config.fail_on) {
        match FailOn::from_str(text, true) {
            Ok(gate) => args.fail_on = Some(gate),
            Err(_) => bad("fail-on", text, "expected build, fail or never".into()),
        }
    }
    merged.args = args;
    merged.ignore = config.ignore;
    merged
}
