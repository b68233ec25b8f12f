//! The project's own settings: `muslcheck.toml`, or `[tool.muslcheck]` in pyproject.toml, beside the first
//! input (or named with `--config`). Default targets, the gate, and an ignore list whose every entry says why
//! and may expire. Command-line flags override the file; an expired entry stops applying and says so.
//!
//! ```toml
//! [tool.muslcheck]
//! python = ["3.11", "3.12"]
//! arch = ["x86_64", "aarch64"]
//! fail-on = "fail"
//! ignore = [
//!   { name = "psycopg2", reason = "built in the builder stage with postgresql-dev", expires = "2027-06-30" },
//! ]
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::input::InputError;
use crate::input::toml_file::TomlFile;
use crate::report::IgnoreEntry;

/// The settings a file gives; every field optional.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SettingsFile {
    /// Where the settings came from: `muslcheck.toml`, `pyproject.toml [tool.muslcheck]`.
    pub source: String,
    pub python: Vec<String>,
    pub arch: Vec<String>,
    pub libc: Vec<String>,
    pub musl: Option<String>,
    pub glibc: Option<String>,
    pub fail_on: Option<String>,
    pub dockerfile: Option<String>,
    pub ignore: Vec<IgnoreEntry>,
}

/// A single value or a list, as people write both (`python = "3.12"`, `python = ["3.11", "3.12"]`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    python: Option<OneOrMany>,
    arch: Option<OneOrMany>,
    libc: Option<OneOrMany>,
    musl: Option<String>,
    glibc: Option<String>,
    fail_on: Option<String>,
    dockerfile: Option<String>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    name: String,
    reason: Option<String>,
    expires: Option<toml::value::Datetime>,
}

#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Debug, Deserialize)]
struct Tool {
    muslcheck: Option<Raw>,
}

/// Finds and reads the settings: `--config PATH`, else `muslcheck.toml`, else a pyproject.toml with a
/// `[tool.muslcheck]` table, in the directory of the first input (the current directory for none).
/// `Ok(None)` when there is none; errors name the file, line and column.
pub fn load(
    explicit: Option<&str>,
    inputs: &[String],
) -> Result<Option<SettingsFile>, Vec<InputError>> {
    if let Some(path) = explicit {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![InputError {
                path: path.to_string(),
                line: None,
                column: None,
                message: format!("cannot read the configuration: {e}"),
            }]
        })?;
        return parse(path, &text, is_pyproject(Path::new(path)));
    }
    // Standard input alone: the settings of the directory muslcheck runs in.
    let dir = crate::input::input_dir(inputs).unwrap_or_else(|| PathBuf::from("."));
    let own = dir.join("muslcheck.toml");
    if let Ok(text) = std::fs::read_to_string(&own) {
        return parse(&own.to_string_lossy(), &text, false);
    }
    let pyproject = dir.join("pyproject.toml");
    match std::fs::read_to_string(&pyproject) {
        // Only a pyproject.toml that names the table is read here: one that does not parse is reported by
        // the dependency reader when it is an input.
        Ok(text) if text.contains("tool.muslcheck") => {
            parse(&pyproject.to_string_lossy(), &text, true)
        }
        _ => Ok(None),
    }
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "pyproject.toml")
}

/// Reads the settings of one file: the whole of a `muslcheck.toml`, or a pyproject's `[tool.muslcheck]`
/// (`None` when it has no such table).
pub fn parse(
    path: &str,
    text: &str,
    pyproject: bool,
) -> Result<Option<SettingsFile>, Vec<InputError>> {
    let file = TomlFile::new(path, text);
    let (raw, source): (Raw, String) = if pyproject {
        let project: Pyproject = file.parse().map_err(|e| vec![e])?;
        let Some(raw) = project.tool.and_then(|t| t.muslcheck) else {
            return Ok(None);
        };
        (raw, format!("{path} [tool.muslcheck]"))
    } else {
        let raw: Raw = file.parse().map_err(|e| vec![e])?;
        (raw, path.to_string())
    };
    let mut errors = Vec::new();
    let mut ignore = Vec::new();
    for entry in raw.ignore {
        let span = entry.span();
        let (line, _) = file.position(span.start);
        let entry = entry.into_inner();
        let name = crate::pep::normalize(&entry.name);
        let Some(reason) = entry.reason.filter(|r| !r.trim().is_empty()) else {
            errors.push(file.error(
                Some(span),
                format!("ignore entry for {name} needs a reason: say why its problem is accepted"),
            ));
            continue;
        };
        let expires = match entry.expires {
            None => None,
            Some(date) => match (date.date, date.time) {
                (Some(d), None) => Some(d.to_string()),
                _ => {
                    errors.push(file.error(
                        Some(span),
                        format!("ignore entry for {name}: expires must be a date like 2027-06-30"),
                    ));
                    continue;
                }
            },
        };
        ignore.push(IgnoreEntry {
            name,
            reason: reason.trim().to_string(),
            expires,
            at: format!("{path}:{line}"),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(SettingsFile {
        source,
        python: raw.python.map(OneOrMany::into_vec).unwrap_or_default(),
        arch: raw.arch.map(OneOrMany::into_vec).unwrap_or_default(),
        libc: raw.libc.map(OneOrMany::into_vec).unwrap_or_default(),
        musl: raw.musl,
        glibc: raw.glibc,
        fail_on: raw.fail_on,
        dockerfile: raw.dockerfile,
        ignore,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_muslcheck_toml_with_every_setting() {
        let text = "python = [\"3.11\", \"3.12\"]\narch = \"aarch64\"\nfail-on = \"fail\"\n\n\
                    [[ignore]]\nname = \"PsycoPG2\"\nreason = \"built in the builder stage\"\n\
                    expires = 2027-06-30\n";
        let config = parse("muslcheck.toml", text, false).unwrap().unwrap();
        assert_eq!(config.python, ["3.11", "3.12"]);
        assert_eq!(config.arch, ["aarch64"]);
        assert_eq!(config.fail_on.as_deref(), Some("fail"));
        let entry = &config.ignore[0];
        assert_eq!(entry.name, "psycopg2");
        assert_eq!(entry.expires.as_deref(), Some("2027-06-30"));
        assert_eq!(entry.at, "muslcheck.toml:5");
        assert!(!entry.expired("2027-06-29"));
        assert!(entry.expired("2027-06-30"));
    }

    #[test]
    fn the_pyproject_table() {
        let text = "[project]\nname = \"x\"\n\n[tool.muslcheck]\npython = \"3.13\"\n\
                    ignore = [{ name = \"lxml\", reason = \"libxml2-dev in the image\" }]\n";
        let config = parse("pyproject.toml", text, true).unwrap().unwrap();
        assert_eq!(config.source, "pyproject.toml [tool.muslcheck]");
        assert_eq!(config.python, ["3.13"]);
        assert_eq!(config.ignore[0].expires, None);
        let none = parse("pyproject.toml", "[project]\nname = \"x\"\n", true).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn entries_without_a_reason_and_unknown_keys_are_errors_with_positions() {
        let text = "fail-on = \"fail\"\n[[ignore]]\nname = \"lxml\"\n\n[[ignore]]\nname = \"x\"\nreason = \"r\"\n\
                    expires = 2027-01-01T10:00:00\n";
        let errors = parse("muslcheck.toml", text, false).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].message.contains("needs a reason"), "{errors:?}");
        assert!(errors[1].message.contains("must be a date"), "{errors:?}");
        let unknown = parse("muslcheck.toml", "pyton = \"3.12\"\n", false).unwrap_err();
        assert_eq!(unknown[0].line, Some(1));
        assert!(unknown[0].message.contains("pyton"), "{unknown:?}");
    }
}
