//! Lock files: every package pinned, transitive ones included, checked at the locked version (never
//! re-resolved). Markers are evaluated for the target; packages from another index than the lock's main one,
//! or from git, a path or a URL, are `skip` with the reason.

mod graph;
pub mod pdm;
pub mod poetry;
pub mod pylock;
pub mod uv;

use std::collections::HashMap;
use std::ops::Range;

use super::toml_file::TomlFile;
use super::{Entry, Input, InputError, Selection, Wanted, pinned};
use crate::pep::MarkerTree;

/// One package of a lock file, as the format-specific reader found it.
pub(super) struct Locked {
    pub name: String,
    pub version: Option<String>,
    pub marker: Marker,
    /// Why it is not checked against the index (git, path, URL, another index).
    pub skip: Option<String>,
    pub span: Range<usize>,
    pub key: String,
}

pub(super) enum Marker {
    Always,
    Text(String),
    /// Computed by the reader (uv.lock: the union of the dependency paths that reach the package).
    Tree(MarkerTree),
}

/// Adds one locked package. Extra terms in its marker (`extra == "postgres"`, as Poetry writes them) are
/// decided here from the selected extras; what remains is evaluated for each target.
pub(super) fn push(file: &TomlFile, locked: Locked, selection: &Selection, input: &mut Input) {
    let source = file.location(locked.span.clone(), locked.key.clone());
    let name = crate::pep::normalize(&locked.name);
    let text = match &locked.version {
        Some(v) => format!("{name}=={v}"),
        None => name.clone(),
    };
    let wanted = match (&locked.skip, &locked.version) {
        (Some(reason), _) => Wanted::NotIndex {
            name: Some(name),
            reason: reason.clone(),
        },
        (None, None) => Wanted::NotIndex {
            name: Some(name),
            reason: "locked without a version".into(),
        },
        (None, Some(version)) => {
            let marker_text = match &locked.marker {
                Marker::Text(t) => Some(t.as_str()),
                _ => None,
            };
            match pinned(&locked.name, version, marker_text) {
                Ok(mut requirement) => {
                    if let Marker::Tree(tree) = locked.marker {
                        requirement.marker_text = tree.try_to_string();
                        requirement.marker = tree;
                    }
                    requirement.marker = requirement
                        .marker
                        .simplify_extras_with(|e| selection.wants_extra(e.as_ref()));
                    Wanted::Index(requirement)
                }
                Err(message) => {
                    let message = format!("{}: {message}", locked.key);
                    return input.errors.push(file.error(Some(locked.span), message));
                }
            }
        }
    };
    input.entries.push(Entry {
        text,
        source,
        wanted,
    });
}

/// A lock of a version muslcheck does not know is refused whole: its fields may mean something else there.
/// `known` are the major versions read (`"1"` admits `1`, `1.1`, `1.2.3`).
pub(super) fn check_version(
    file: &TomlFile,
    what: &str,
    version: Option<&str>,
    known: &[&str],
) -> Result<(), InputError> {
    let version = version.unwrap_or("");
    let major = version.split('.').next().unwrap_or("");
    if known.contains(&major) {
        return Ok(());
    }
    let readable: Vec<String> = known.iter().map(|k| format!("{k}.x")).collect();
    let message = format!(
        "{what} '{version}' is not one muslcheck reads ({})",
        readable.join(", ")
    );
    Err(file.error(None, message))
}

/// The index most packages of a lock come from: the one muslcheck's own index stands in for.
pub(super) fn main_index<'a>(urls: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for url in urls {
        *counts.entry(normalize_index(url)).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(url, _)| url)
}

/// Index URLs compare without credentials and trailing slash.
pub(super) fn normalize_index(url: &str) -> String {
    shown_url(url).trim_end_matches('/').to_string()
}

/// A URL fit to print: without user name and password.
pub(super) fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.split('@').next_back().unwrap_or(url).to_string(),
    }
}

/// The skip reason for a package from another index.
pub(super) fn other_index(url: &str) -> String {
    format!("from the index {}, not the one checked", shown_url(url))
}

/// A marker string of a lock file, for the readers that need a tree (parse errors are reported by `push`).
pub(super) fn marker_tree(text: &str) -> Option<MarkerTree> {
    crate::pep::parse_marker(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_index_is_the_most_common_and_credentials_are_dropped() {
        let urls = [
            "https://a.example/simple/",
            "https://u:p@b.example/simple",
            "https://a.example/simple",
        ];
        assert_eq!(
            main_index(urls.into_iter()).as_deref(),
            Some("https://a.example/simple")
        );
        assert_eq!(
            shown_url("https://u:secret@b.example/simple"),
            "https://b.example/simple"
        );
        assert!(!other_index("https://u:secret@b.example/simple").contains("secret"));
    }
}
