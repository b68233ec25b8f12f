//! Core metadata (the `METADATA` file of a wheel, served beside it as `<file>.metadata` by PEP 658/714).
//!
//! pip 24.1 and later read the chosen candidate's metadata before installing and drop the candidate when it is
//! not valid: a `Requires-Dist` that is not a PEP 508 requirement (celery 4.4.7's `pytz (>dev)`), or a name or
//! version that is not the one the filename promised. This module says whether pip would accept it.

use std::path::Path;

use crate::pep::{Version, check_nesting, normalize, parse_requirement, parse_version};

/// Why metadata is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// pip rejects it and moves on to the next candidate.
    #[error("{0}")]
    ByPip(String),
    /// It is beyond what muslcheck reads (brackets nested thousands deep): pip's own parser stops with an
    /// error there, so what pip does is not known.
    #[error("{0}")]
    Unreadable(String),
}

/// The most of a value from the metadata that a message quotes: an index can serve megabytes of it.
const QUOTED: usize = 80;

/// `value` as a message quotes it: at most [`QUOTED`] characters.
fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("{}… ({} bytes)", &value[..end], value.len()),
        None => value.to_string(),
    }
}

/// `Err` when pip would reject the metadata of `project` `version`, or when it cannot be read.
pub fn check(text: &str, project: &str, version: &Version) -> Result<(), Refused> {
    for (key, value) in headers(text) {
        match key.to_ascii_lowercase().as_str() {
            "name" if normalize(&value) != project => {
                return Err(Refused::ByPip(format!(
                    "its metadata names another project ({})",
                    quoted(&value)
                )));
            }
            "version" => match parse_version(&value) {
                Ok(v) if v == *version => {}
                _ => {
                    return Err(Refused::ByPip(format!(
                        "its metadata gives another version ({})",
                        quoted(&value)
                    )));
                }
            },
            "requires-dist" => {
                if let Err((_, why)) = check_nesting(&value) {
                    return Err(Refused::Unreadable(format!(
                        "its metadata has a Requires-Dist with {why}"
                    )));
                }
                if let Err((_, why)) = parse_requirement(&value, Path::new("")) {
                    return Err(Refused::ByPip(format!(
                        "its metadata has an invalid Requires-Dist '{}': {}",
                        quoted(&value),
                        quoted(&why)
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The `Requires-Dist` values of the metadata, in order.
pub fn requires_dist(text: &str) -> Vec<String> {
    headers(text)
        .into_iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("requires-dist"))
        .map(|(_, value)| value)
        .collect()
}

/// The header section of core metadata: everything before the first empty line (the description follows,
/// which nothing here reads: it is often most of the file). The same end as [`headers`] finds.
pub fn header_section(text: &str) -> &str {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']).is_empty() {
            break;
        }
        end += line.len();
    }
    &text[..end]
}

/// RFC 822 style headers up to the first blank line, with continuation lines folded.
fn headers(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        // Only an empty line ends the headers: a line of spaces continues the previous one (a `License`
        // text with blank paragraphs), as Python's email parser reads it.
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        crate::pep::parse_version(s).unwrap()
    }

    #[test]
    fn accepts_valid_metadata() {
        let text = "Metadata-Version: 2.1\nName: Celery\nVersion: 5.4.0\nRequires-Dist: pytz (>=2016.7)\n\
                    Requires-Dist: kombu<6.0,>=5.3.4\nRequires-Dist: tzdata>=2022.7 ; python_version >= \"3.9\"\n\n\
                    Requires-Dist: this is the body (not (parsed\n";
        assert_eq!(check(text, "celery", &v("5.4.0")), Ok(()));
    }

    #[test]
    fn the_header_section_ends_where_the_headers_end() {
        let text = "Metadata-Version: 2.1\r\nName: demo\r\nLicense: MIT\r\n        \r\n        more\r\n\r\n\
                    # Demo\r\n\r\nRequires-Dist: not-a-header\r\n";
        let section = header_section(text);
        assert_eq!(
            section,
            "Metadata-Version: 2.1\r\nName: demo\r\nLicense: MIT\r\n        \r\n        more\r\n"
        );
        assert_eq!(headers(section), headers(text));
        assert_eq!(header_section("Name: demo"), "Name: demo");
        assert_eq!(header_section("\nbody"), "");
    }

    #[test]
    fn a_line_of_spaces_continues_a_header() {
        let text = "Metadata-Version: 2.1\nName: jupyter_server\nVersion: 2.9.1\nLicense: BSD\n        \n        \
                    All rights reserved.\nRequires-Dist: anyio>=3.1.0\n\nbody\nRequires-Dist: not-a-header\n";
        assert_eq!(requires_dist(text), ["anyio>=3.1.0"]);
    }

    #[test]
    fn rejects_what_current_pip_rejects() {
        let text =
            "Metadata-Version: 2.1\nName: celery\nVersion: 4.4.7\nRequires-Dist: pytz (>dev)\n";
        let Err(Refused::ByPip(why)) = check(text, "celery", &v("4.4.7")) else {
            panic!("pip rejects pytz (>dev)");
        };
        assert!(why.contains("pytz (>dev)"), "{why}");
        // pygtfs 0.1.6: `2012d` is no PEP 440 version, so pip 26 ignores the version.
        let pygtfs =
            "Metadata-Version: 2.1\nName: pygtfs\nVersion: 0.1.6\nRequires-Dist: pytz (>=2012d)\n";
        assert!(
            check(pygtfs, "pygtfs", &v("0.1.6"))
                .unwrap_err()
                .to_string()
                .contains("2012d")
        );
        let other = "Metadata-Version: 2.1\nName: celery\nVersion: 4.4.8\n";
        assert!(check(other, "celery", &v("4.4.7")).is_err());
        let name = "Metadata-Version: 2.1\nName: kombu\nVersion: 4.4.7\n";
        assert!(check(name, "celery", &v("4.4.7")).is_err());
    }

    #[test]
    fn hostile_values_are_refused_without_quoting_them_whole() {
        let deep = format!(
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: x; {}os_name == 'posix'{}\n",
            "(".repeat(3000),
            ")".repeat(3000)
        );
        let Err(Refused::Unreadable(why)) = check(&deep, "demo", &v("1.0")) else {
            panic!("a 3,000-deep marker is not read");
        };
        assert!(why.contains("nested deeper than 64"), "{why}");
        assert!(why.len() < 200, "{why}");
        let long = format!(
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: x (>{})\n",
            "9".repeat(100_000)
        );
        let why = check(&long, "demo", &v("1.0")).unwrap_err().to_string();
        assert!(why.len() < 400, "{} bytes", why.len());
        assert!(why.contains("(100005 bytes)"), "{why}");
    }
}
