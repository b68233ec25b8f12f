//! Reading dependency files into requirements that know where they came from.
//!
//! One module per format (`requirements_txt`, `pyproject`, `pipfile`, `lock/…`), each turning a file into
//! [`Entry`]s with their source; `detect` picks the format of a file, or the file of a directory. A bad line
//! becomes an [`InputError`] with its file, line and column; every other line is still read. Nothing here
//! touches the network or knows about targets.

mod detect;
mod lock;
mod pipfile;
mod poetry_syntax;
mod pyproject;
mod requirements_txt;
pub(crate) mod toml_file;

use std::collections::BTreeSet;

pub use detect::{Format, read_inputs, read_text};

/// The directory the inputs live in, where a project keeps its settings and its Dockerfile: that of the
/// first path argument (a directory itself, or a file's parent); the current directory when there is no
/// argument; `None` when the only input is standard input.
pub fn input_dir(files: &[String]) -> Option<std::path::PathBuf> {
    use std::path::{Path, PathBuf};
    if files.is_empty() {
        return Some(PathBuf::from("."));
    }
    let first = Path::new(files.iter().find(|f| f.as_str() != "-")?);
    if first.is_dir() {
        return Some(first.to_path_buf());
    }
    // `requirements.txt` has the empty parent: paths joined to it stay as short as the user wrote them.
    Some(first.parent().map_or_else(PathBuf::new, Path::to_path_buf))
}
pub use requirements_txt::read_requirement_files;

use crate::pep::{MarkerTree, VersionOrUrl, VersionSpecifiers};

/// Where a requirement was written: a line, and for TOML files the key path too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
    /// The TOML key path, e.g. `project.optional-dependencies.test[2]` or `package[14]`.
    pub key: Option<String>,
}

/// Which optional parts of a project to read (extras, dependency groups, dev sections).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub extras: Vec<String>,
    pub all_extras: bool,
    pub groups: Vec<String>,
    pub all_groups: bool,
    /// Pipfile's `[dev-packages]` / `develop`, and the `dev` group of formats that have one.
    pub dev: bool,
}

impl Selection {
    pub fn wants_extra(&self, extra: &str) -> bool {
        self.all_extras
            || self
                .extras
                .iter()
                .any(|e| crate::pep::normalize(e) == crate::pep::normalize(extra))
    }

    pub fn wants_group(&self, group: &str) -> bool {
        let group = crate::pep::normalize(group);
        self.all_groups
            || (self.dev && group == "dev")
            || self
                .groups
                .iter()
                .any(|g| crate::pep::normalize(g) == group)
    }
}

/// The Python versions the project declares it supports, and where. Poetry may join ranges with `||`, so
/// the declaration is a union of specifier sets.
#[derive(Debug, Clone)]
pub struct RequiresPython {
    pub any_of: Vec<VersionSpecifiers>,
    /// As written, for the report.
    pub text: String,
    pub source: Location,
}

impl RequiresPython {
    pub fn new(specifiers: VersionSpecifiers, text: impl Into<String>, source: Location) -> Self {
        RequiresPython {
            any_of: vec![specifiers],
            text: text.into(),
            source,
        }
    }
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
    /// The extras asked for (`uvicorn[standard]`), normalized: they add dependencies when the tree is resolved.
    pub extras: Vec<String>,
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
    pub prefer_binary: bool,
    /// `-f/--find-links` locations: files there can change pip's answer, and muslcheck does not read them.
    pub find_links: Vec<String>,
    pub formats: FormatControl,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Input {
    /// The files read, with their format (a directory argument names the file chosen in it).
    pub files: Vec<(String, Format)>,
    /// Each directory argument holding more dependency files than the one read, with their names.
    pub passed_over: Vec<(String, Vec<String>)>,
    pub entries: Vec<Entry>,
    /// The first `requires-python` (or equivalent) the inputs declare.
    pub requires_python: Option<RequiresPython>,
    /// `-c` constraints: they narrow the versions of requirements of the same name, never add one.
    pub constraints: Vec<(IndexRequirement, Location)>,
    pub options: FileOptions,
    pub errors: Vec<InputError>,
}

/// A PEP 508 requirement string, or a path, URL or VCS reference pip installs without the index.
/// Errors carry a byte offset into `text`. Relative paths are resolved against `dir`.
pub(crate) fn parse_requirement(
    text: &str,
    dir: &std::path::Path,
) -> Result<Wanted, (usize, String)> {
    if let Some(kind) = non_index_kind(text) {
        let location = text.split(';').next().unwrap_or(text).trim();
        let reason = format!("{kind} {location}: not from the index");
        return Ok(Wanted::NotIndex {
            name: egg_name(text),
            reason,
        });
    }
    let requirement = crate::pep::parse_requirement(text, dir)
        .map_err(|(at, message)| (at, format!("invalid requirement: {message}")))?;
    let name = crate::pep::normalize(requirement.name.as_ref());
    let marker_text = text
        .split_once(';')
        .map(|(_, m)| m.trim().to_string())
        .filter(|m| !m.is_empty());
    let specifiers = match requirement.version_or_url {
        Some(VersionOrUrl::Url(url)) => {
            let reason = format!("direct URL reference {url}: not from the index");
            return Ok(Wanted::NotIndex {
                name: Some(name),
                reason,
            });
        }
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers,
        None => VersionSpecifiers::empty(),
    };
    let extras = requirement
        .extras
        .iter()
        .map(|e| crate::pep::normalize(e.as_ref()))
        .collect();
    Ok(Wanted::Index(IndexRequirement {
        name,
        specifiers,
        marker: requirement.marker,
        marker_text,
        extras,
    }))
}

/// The `extras = [...]` of a Pipfile or Poetry dependency table, normalized.
pub(crate) fn table_extras(table: &toml::Table) -> Vec<String> {
    table
        .get("extras")
        .and_then(toml::Value::as_array)
        .map(|extras| {
            extras
                .iter()
                .filter_map(toml::Value::as_str)
                .map(crate::pep::normalize)
                .collect()
        })
        .unwrap_or_default()
}

/// A pinned requirement from a lock file: `name==version` (`===` for a version PEP 440 cannot read) and the
/// lock's marker for the package, if any.
pub(crate) fn pinned(
    name: &str,
    version: &str,
    marker: Option<&str>,
) -> Result<IndexRequirement, String> {
    let operator = if crate::pep::parse_version(version).is_ok() {
        "=="
    } else {
        "==="
    };
    let specifiers = crate::pep::parse_specifiers(&format!("{operator}{version}"))
        .map_err(|e| format!("invalid version '{version}' of {name}: {e}"))?;
    let marker_text = marker
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    let marker = match &marker_text {
        Some(m) => crate::pep::parse_marker(m)
            .map_err(|e| format!("invalid marker '{m}' of {name}: {e}"))?,
        None => MarkerTree::TRUE,
    };
    Ok(IndexRequirement {
        name: crate::pep::normalize(name),
        specifiers,
        marker,
        marker_text,
        extras: Vec::new(),
    })
}

/// What kind of non-index requirement a line is, as pip tells them apart: a VCS or other URL, or a local
/// path (it holds a path separator, starts with `.`, or names an archive).
fn non_index_kind(args: &str) -> Option<&'static str> {
    let first = args.split_whitespace().next().unwrap_or("");
    let first = first.split(';').next().unwrap_or(first);
    if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| first.starts_with(p))
    {
        return Some("VCS requirement");
    }
    if first.contains("://") || first.starts_with("file:") {
        return Some("URL requirement");
    }
    let archive = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|e| first.ends_with(e));
    if first.starts_with('.')
        || first.starts_with('/')
        || first.starts_with('~')
        || archive
        || (first.contains('/') && !first.contains('@'))
    {
        return Some("local path");
    }
    None
}

/// The project a URL, path or VCS line names, normalized: `#egg=name`, else the distribution file it points
/// at (`…/six-1.16.0-py3-none-any.whl`, `…/six-1.16.0.tar.gz`), so that its row is named by its project
/// rather than by the whole line.
pub(crate) fn egg_name(text: &str) -> Option<String> {
    let name_chars = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    };
    if let Some(egg) = text.split("#egg=").nth(1) {
        let name = name_chars(egg);
        return (!name.is_empty()).then(|| crate::pep::normalize(&name));
    }
    let location = text.split([';', '#', '?']).next()?.trim();
    let file = location.rsplit(['/', '\\']).next()?;
    let name = if let Some(stem) = file.strip_suffix(".whl") {
        stem.split('-').next()?
    } else {
        let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz"]
            .iter()
            .find_map(|ext| file.strip_suffix(ext))?;
        // `name-version`: the name ends at the last `-` a version follows.
        let at = stem
            .match_indices('-')
            .map(|(i, _)| i)
            .rfind(|&i| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?;
        &stem[..at]
    };
    (!name.is_empty() && name_chars(name) == name).then(|| crate::pep::normalize(name))
}

/// For tests: each entry's skip reason, `None` for index requirements.
#[cfg(test)]
pub(crate) fn skip_reasons(input: &Input) -> Vec<Option<String>> {
    input
        .entries
        .iter()
        .map(|e| match &e.wanted {
            Wanted::Index(_) => None,
            Wanted::NotIndex { reason, .. } => Some(reason.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_line_is_named_by_the_project_it_points_at() {
        for (line, name) in [
            (
                "git+https://example.invalid/x/repo.git#egg=My_Pkg",
                Some("my-pkg"),
            ),
            (
                "https://example.invalid/wheels/Flash_Attn-2.7.4+cu12torch2.6-cp312-cp312-linux_x86_64.whl",
                Some("flash-attn"),
            ),
            (
                "https://example.invalid/d/python-dateutil-2.9.0.tar.gz#sha256=00",
                Some("python-dateutil"),
            ),
            ("./vendor/zope.interface-7.1.zip", Some("zope-interface")),
            (
                "https://example.invalid/x/archive/refs/heads/main.zip",
                None,
            ),
            ("git+https://example.invalid/x/repo.git@v1.0", None),
            ("./local/project", None),
        ] {
            assert_eq!(egg_name(line).as_deref(), name, "{line}");
        }
    }

    #[test]
    fn pinned_requirements_from_lock_files() {
        let r = pinned(
            "Charset_Normalizer",
            "3.4.0",
            Some("python_version >= '3.8'"),
        )
        .unwrap();
        assert_eq!(r.name, "charset-normalizer");
        assert_eq!(r.specifiers.to_string(), "==3.4.0");
        assert_eq!(r.marker_text.as_deref(), Some("python_version >= '3.8'"));
        assert!(pinned("x", "1.0", Some("python_version >>> '3'")).is_err());
        assert_eq!(pinned("x", "1.0", Some("")).unwrap().marker_text, None);
    }

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
