//! Reading dependency files into requirements that know where they came from.
//!
//! A bad line becomes an [`InputError`] with its file, line and column; every other line is still read. Nothing
//! here touches the network or knows about targets.

mod requirements_txt;

use std::collections::BTreeSet;

pub use requirements_txt::read_requirement_files;

use crate::pep::{MarkerTree, VersionSpecifiers};

/// Where a requirement was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
}

/// A line (or a whole file) that could not be read. Positions are 1-based; a file-level error has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.path, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A requirement the index answers for: a name, a version specifier and a marker.
#[derive(Debug, Clone)]
pub struct IndexRequirement {
    /// PEP 503 normalized.
    pub name: String,
    pub specifiers: VersionSpecifiers,
    pub marker: MarkerTree,
    /// The marker as written (printing a parsed marker rewrites it).
    pub marker_text: Option<String>,
}

/// What one requirement line asks for.
#[derive(Debug, Clone)]
pub enum Wanted {
    Index(IndexRequirement),
    /// Not an index requirement (editable, path, URL, VCS): reported as `skip` with the reason.
    NotIndex {
        name: Option<String>,
        reason: String,
    },
}

/// One requirement of the input.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The requirement as written, without options and comments.
    pub text: String,
    pub source: Location,
    pub wanted: Wanted,
}

/// pip's `--only-binary` / `--no-binary` sets (`:all:` included), as the files left them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatControl {
    pub only_binary: BTreeSet<String>,
    pub no_binary: BTreeSet<String>,
}

impl FormatControl {
    /// pip's `handle_mutual_excludes`: a later option for a name undoes the other list's entry for it.
    fn add(&mut self, value: &str, only_binary: bool) {
        let (target, other) = if only_binary {
            (&mut self.only_binary, &mut self.no_binary)
        } else {
            (&mut self.no_binary, &mut self.only_binary)
        };
        let mut names: Vec<&str> = value.split(',').collect();
        while let Some(at) = names.iter().position(|n| *n == ":all:") {
            other.clear();
            target.clear();
            target.insert(":all:".to_string());
            names.drain(..=at);
            if !names.contains(&":none:") {
                return;
            }
        }
        for name in names {
            if name == ":none:" {
                target.clear();
                continue;
            }
            let name = crate::pep::normalize(name);
            other.remove(&name);
            target.insert(name);
        }
    }

    /// pip's `get_allowed_formats`: (wheels allowed, sdists allowed) for one project.
    pub fn allowed(&self, name: &str) -> (bool, bool) {
        if self.only_binary.contains(name) {
            (true, false)
        } else if self.no_binary.contains(name) {
            (false, true)
        } else if self.only_binary.contains(":all:") {
            (true, false)
        } else if self.no_binary.contains(":all:") {
            (false, true)
        } else {
            (true, true)
        }
    }
}

/// The pip options the files set that change what pip installs.
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    /// The last `-i/--index-url`, with where it was written.
    pub index_url: Option<(String, Location)>,
    pub extra_index_urls: Vec<String>,
    pub no_index: bool,
    pub pre: bool,
    pub formats: FormatControl,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Input {
    pub entries: Vec<Entry>,
    /// `-c` constraints: they narrow the versions of requirements of the same name, never add one.
    pub constraints: Vec<(IndexRequirement, Location)>,
    pub options: FileOptions,
    pub errors: Vec<InputError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_control_follows_pip() {
        let mut f = FormatControl::default();
        f.add(":all:", true);
        assert_eq!(f.allowed("numpy"), (true, false));
        f.add("numpy", false);
        assert_eq!(f.allowed("numpy"), (false, true));
        assert_eq!(f.allowed("pandas"), (true, false));
        f.add(":none:", true);
        assert_eq!(f.allowed("pandas"), (true, true));
        f.add("Ruamel.Yaml", true);
        assert_eq!(f.allowed("ruamel-yaml"), (true, false));
    }
}
