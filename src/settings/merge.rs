//! The settings file merged with the flags: a flag the user gave wins; a setting fills in one they did not.
//! A setting that does not parse is an input error naming the file, as a bad requirement line is.

use super::file;
use super::target_sources::TargetSettings;
use crate::report::{ErrorEntry, FailOn, IgnoreEntry};

/// The flags' settings with the file's filled in, the file's ignore list, and what reading it had to say.
pub struct Merged {
    pub targets: TargetSettings,
    pub fail_on: FailOn,
    pub ignore: Vec<IgnoreEntry>,
    pub errors: Vec<ErrorEntry>,
    pub notes: Vec<String>,
}

/// Reads the settings file (`--config`, else one beside the first of `inputs`) and fills in what the flags
/// (`targets`, `fail_on`) leave unsaid.
pub fn merge(
    config: Option<&str>,
    inputs: &[String],
    mut targets: TargetSettings,
    fail_on: Option<FailOn>,
) -> Merged {
    let mut merged = Merged {
        targets: targets.clone(),
        fail_on: fail_on.unwrap_or_default(),
        ignore: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let file = match file::load(config, inputs) {
        Ok(Some(file)) => file,
        Ok(None) => return merged,
        Err(errors) => {
            merged.errors = errors.iter().map(ErrorEntry::from).collect();
            return merged;
        }
    };
    merged.notes.push(format!("settings: {}", file.source));
    let mut bad = |key: &str, value: &str, why: String| {
        merged.errors.push(ErrorEntry {
            path: file.source.clone(),
            line: None,
            column: None,
            message: format!("{key} = \"{value}\": {why}"),
        });
    };
    if targets.python.is_empty() {
        for text in &file.python {
            match text.parse() {
                Ok(python) => targets.python.push(python),
                Err(why) => bad("python", text, why),
            }
        }
    }
    if targets.arch.is_empty() {
        for text in &file.arch {
            match text.parse() {
                Ok(arch) => targets.arch.push(arch),
                Err(why) => bad("arch", text, why),
            }
        }
    }
    if targets.libc.is_empty() {
        for text in &file.libc {
            match text.parse() {
                Ok(libc) => targets.libc.push(libc),
                Err(why) => bad("libc", text, why),
            }
        }
    }
    if let (None, Some(text)) = (targets.musl, &file.musl) {
        match text.parse() {
            Ok(musl) => targets.musl = Some(musl),
            Err(why) => bad("musl", text, why),
        }
    }
    if targets.glibc.is_none() {
        targets.glibc = file.glibc.clone();
    }
    if targets.dockerfile.is_none() && !targets.no_dockerfile {
        targets.dockerfile = file.dockerfile.clone();
    }
    let mut fail_on = fail_on;
    if let (None, Some(text)) = (fail_on, &file.fail_on) {
        match text.parse() {
            Ok(gate) => fail_on = Some(gate),
            Err(why) => bad("fail-on", text, why),
        }
    }
    merged.targets = targets;
    merged.fail_on = fail_on.unwrap_or_default();
    merged.ignore = file.ignore;
    merged
}
