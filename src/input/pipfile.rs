//! Pipenv's files: `Pipfile` (TOML, ranges: `[packages]`, and `[dev-packages]` with `--dev`) and
//! `Pipfile.lock` (JSON, pinned: `default`, and `develop` with `--dev`). A package tied to another `[[source]]`
//! than the first, or to git or a path, is `skip`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::lock::{other_index, shown_url};
use super::toml_file::TomlFile;
use super::{
    Entry, IndexRequirement, Input, InputError, Location, RequiresPython, Selection, Wanted, pinned,
};
use crate::pep::{MarkerTree, VersionSpecifiers, normalize};

/// Marker names Pipenv accepts as keys of a package table (`sys_platform = "== 'win32'"`).
const MARKER_KEYS: [&str; 9] = [
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_system",
    "python_version",
    "python_full_version",
    "implementation_name",
    "platform_release",
];

#[derive(Deserialize)]
struct Pipfile {
    #[serde(default)]
    source: Vec<PipSource>,
    #[serde(default)]
    packages: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(rename = "dev-packages", default)]
    dev_packages: BTreeMap<String, Spanned<toml::Value>>,
    requires: Option<Requires>,
}

#[derive(Deserialize, Clone)]
struct PipSource {
    name: Option<String>,
    url: String,
}

#[derive(Deserialize, Clone)]
struct Requires {
    python_version: Option<String>,
    python_full_version: Option<String>,
}

pub fn read_pipfile(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let Some(pipfile) = file.decode::<Pipfile>(input) else {
        return;
    };
    requires_python(
        pipfile.requires.as_ref(),
        file.location(0..0, "requires"),
        input,
    );
    let mut entries = Vec::new();
    let mut sections = vec![("packages", &pipfile.packages)];
    if selection.dev {
        sections.push(("dev-packages", &pipfile.dev_packages));
    }
    for (section, packages) in sections {
        for (name, value) in packages {
            let key = format!("{section}.{name}");
            match package(name, value.get_ref(), &pipfile.source, Path::new(path)) {
                Ok(wanted) => {
                    let text = match value.get_ref() {
                        toml::Value::String(v) => format!("{name} = \"{v}\""),
                        _ => name.clone(),
                    };
                    entries.push(Entry {
                        text,
                        source: file.location(value.span(), key),
                        wanted,
                    });
                }
                Err(message) => input
                    .errors
                    .push(file.error(Some(value.span()), format!("{key}: {message}"))),
            }
        }
    }
    entries.sort_by_key(|e| e.source.line);
    input.entries.extend(entries);
}

fn package(
    name: &str,
    value: &toml::Value,
    sources: &[PipSource],
    _dir: &Path,
) -> Result<Wanted, String> {
    let normalized = normalize(name);
    let (version, table) = match value {
        toml::Value::String(v) => (v.as_str(), None),
        toml::Value::Table(t) => (
            t.get("version")
                .and_then(toml::Value::as_str)
                .unwrap_or("*"),
            Some(t),
        ),
        other => {
            return Err(format!(
                "expected a version string or a table, found {}",
                other.type_str()
            ));
        }
    };
    if let Some(t) = table {
        for kind in ["git", "hg", "svn", "bzr", "path", "file"] {
            if let Some(at) = t.get(kind).and_then(toml::Value::as_str) {
                let reason = format!("{kind} source {}: not from the index", shown_url(at));
                return Ok(Wanted::NotIndex {
                    name: Some(normalized),
                    reason,
                });
            }
        }
        if let Some(index) = t.get("index").and_then(toml::Value::as_str) {
            let first = sources.first().and_then(|s| s.name.as_deref());
            if first != Some(index) {
                let url = sources
                    .iter()
                    .find(|s| s.name.as_deref() == Some(index))
                    .map_or(index, |s| s.url.as_str());
                return Ok(Wanted::NotIndex {
                    name: Some(normalized),
                    reason: other_index(url),
                });
            }
        }
    }
    let specifiers = if version.trim() == "*" || version.trim().is_empty() {
        VersionSpecifiers::empty()
    } else {
        crate::pep::parse_specifiers(version)
            .map_err(|e| format!("invalid version '{version}': {e}"))?
    };
    let mut markers: Vec<String> = Vec::new();
    if let Some(t) = table {
        if let Some(m) = t.get("markers").and_then(toml::Value::as_str) {
            markers.push(format!("({m})"));
        }
        for key in MARKER_KEYS {
            if let Some(v) = t.get(key).and_then(toml::Value::as_str) {
                markers.push(format!("{key} {v}"));
            }
        }
    }
    let marker_text = (!markers.is_empty()).then(|| markers.join(" and "));
    let marker = match &marker_text {
        Some(m) => crate::pep::parse_marker(m).map_err(|e| format!("invalid marker '{m}': {e}"))?,
        None => MarkerTree::TRUE,
    };
    Ok(Wanted::Index(IndexRequirement {
        name: normalized,
        specifiers,
        marker,
        marker_text,
        extras: table.map(crate::input::table_extras).unwrap_or_default(),
    }))
}

fn requires_python(requires: Option<&Requires>, source: Location, input: &mut Input) {
    let Some(requires) = requires else { return };
    let text = match (&requires.python_full_version, &requires.python_version) {
        (Some(full), _) => format!("=={full}"),
        (None, Some(minor)) => format!("=={minor}.*"),
        (None, None) => return,
    };
    if let Ok(specifiers) = crate::pep::parse_specifiers(&text) {
        input
            .requires_python
            .get_or_insert(RequiresPython::new(specifiers, text, source));
    }
}

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "_meta")]
    meta: StatedDependencies,
    #[serde(default)]
    default: BTreeMap<String, Locked>,
    #[serde(default)]
    develop: BTreeMap<String, Locked>,
}

#[derive(Deserialize)]
struct StatedDependencies {
    #[serde(rename = "pipfile-spec")]
    pipfile_spec: Option<u32>,
    requires: Option<Requires>,
    #[serde(default)]
    sources: Vec<PipSource>,
}

#[derive(Deserialize)]
struct Locked {
    version: Option<String>,
    markers: Option<String>,
    index: Option<String>,
    git: Option<String>,
    path: Option<String>,
    file: Option<String>,
}

pub fn read_lock(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let lock: Lock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            let message = format!("invalid Pipfile.lock JSON: {e}");
            let error = InputError {
                path: path.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
                message,
            };
            return input.errors.push(error);
        }
    };
    if lock.meta.pipfile_spec != Some(6) {
        let message = format!(
            "Pipfile.lock pipfile-spec {:?} is not one muslcheck reads (6)",
            lock.meta.pipfile_spec
        );
        return input.errors.push(InputError {
            path: path.to_string(),
            line: None,
            column: None,
            message,
        });
    }
    let file = TomlFile::new(path, text);
    requires_python(
        lock.meta.requires.as_ref(),
        file.location(0..0, "_meta.requires"),
        input,
    );
    let mut sections = vec![("default", &lock.default)];
    if selection.dev {
        sections.push(("develop", &lock.develop));
    }
    let first_source = lock.meta.sources.first().and_then(|s| s.name.clone());
    // `develop` repeats what it shares with `default`: each package is checked once.
    let mut seen = std::collections::HashSet::new();
    for (section, packages) in sections {
        let section_at = text.find(&format!("\"{section}\"")).unwrap_or(0);
        for (name, locked) in packages {
            if !seen.insert(normalize(name)) {
                continue;
            }
            // JSON carries no positions: the package's line is where its key stands in its section.
            let at = text[section_at..]
                .find(&format!("\"{name}\""))
                .map_or(section_at, |i| section_at + i);
            let source = file.location(at..at, format!("{section}.{name}"));
            let skip = if let Some(git) = &locked.git {
                Some(format!("git source {}: not from the index", shown_url(git)))
            } else if let Some(p) = locked.path.as_ref().or(locked.file.as_ref()) {
                Some(format!("path source {}: not from the index", shown_url(p)))
            } else {
                locked
                    .index
                    .as_ref()
                    .filter(|i| first_source.as_ref() != Some(*i))
                    .map(|index| {
                        let url = lock
                            .meta
                            .sources
                            .iter()
                            .find(|s| s.name.as_ref() == Some(index));
                        other_index(url.map_or(index.as_str(), |s| s.url.as_str()))
                    })
            };
            let version = locked
                .version
                .as_deref()
                .map(|v| v.trim_start_matches("===").trim_start_matches("=="));
            let wanted = match (skip, version) {
                (Some(reason), _) => Wanted::NotIndex {
                    name: Some(normalize(name)),
                    reason,
                },
                (None, None) => Wanted::NotIndex {
                    name: Some(normalize(name)),
                    reason: "locked without a version".into(),
                },
                (None, Some(v)) => match pinned(name, v, locked.markers.as_deref()) {
                    Ok(r) => Wanted::Index(r),
                    Err(message) => {
                        input
                            .errors
                            .push(file.error(Some(at..at), format!("{section}.{name}: {message}")));
                        continue;
                    }
                },
            };
            let text = format!(
                "{}{}",
                normalize(name),
                locked.version.as_deref().unwrap_or("")
            );
            input.entries.push(Entry {
                text,
                source,
                wanted,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::skip_reasons;

    const PIPFILE: &str = r#"
[[source]]
url = "https://pkgs.example/simple"
verify_ssl = true
name = "main"

[[source]]
url = "https://private.example/simple"
verify_ssl = true
name = "private"

[packages]
requests = "*"
numpy = { version = "==2.1.3", markers = "platform_machine == 'x86_64'" }
pywin32 = { version = "*", sys_platform = "== 'win32'" }
internal = { version = "*", index = "private" }
mylib = { path = ".", editable = true }

[dev-packages]
pytest = ">=8"

[requires]
python_version = "3.11"
"#;

    #[test]
    fn pipfile_packages_dev_markers_and_sources() {
        let mut input = Input::default();
        read_pipfile("Pipfile", PIPFILE, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert_eq!(input.entries.len(), 5);
        let r = skip_reasons(&input);
        assert_eq!(&r[..3], [None, None, None]);
        assert!(r[3].as_deref().unwrap().contains("private.example"));
        assert!(r[4].as_deref().unwrap().starts_with("path source"));
        let Wanted::Index(pywin32) = &input.entries[2].wanted else {
            panic!()
        };
        assert_eq!(
            pywin32.marker_text.as_deref(),
            Some("sys_platform == 'win32'")
        );
        assert_eq!(input.requires_python.as_ref().unwrap().text, "==3.11.*");
        let mut dev = Input::default();
        read_pipfile(
            "Pipfile",
            PIPFILE,
            &Selection {
                dev: true,
                ..Default::default()
            },
            &mut dev,
        );
        assert_eq!(dev.entries.len(), 6);
    }

    const LOCK: &str = r#"{
    "_meta": {
        "hash": {"sha256": "x"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.11"},
        "sources": [{"name": "pypi", "url": "https://pkgs.example/simple", "verify_ssl": true}]
    },
    "default": {
        "certifi": {"hashes": [], "index": "pypi", "markers": "python_version >= '3.6'", "version": "==2024.8.30"},
        "mylib": {"editable": true, "path": "."},
        "clip": {"git": "https://example.invalid/clip.git", "ref": "abc"}
    },
    "develop": {
        "certifi": {"hashes": [], "index": "pypi", "version": "==2024.8.30"},
        "pytest": {"hashes": [], "index": "pypi", "version": "==8.3.3"}
    }
}"#;

    #[test]
    fn pipfile_lock_sections_and_lines() {
        let mut input = Input::default();
        read_lock("Pipfile.lock", LOCK, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert_eq!(input.entries.len(), 3);
        assert_eq!(input.entries[0].text, "certifi==2024.8.30");
        assert_eq!(input.entries[0].source.line, 9);
        assert_eq!(
            input.entries[0].source.key.as_deref(),
            Some("default.certifi")
        );
        let r = skip_reasons(&input);
        assert_eq!(r[0], None);
        assert!(r[1].is_some() && r[2].is_some());
        let mut dev = Input::default();
        read_lock(
            "Pipfile.lock",
            LOCK,
            &Selection {
                dev: true,
                ..Default::default()
            },
            &mut dev,
        );
        assert_eq!(dev.entries.len(), 4, "certifi, in both sections, once");
        assert_eq!(dev.entries[3].source.line, 15);
        let mut bad = Input::default();
        read_lock(
            "Pipfile.lock",
            "{\"_meta\": ",
            &Selection::default(),
            &mut bad,
        );
        assert_eq!(bad.errors[0].line, Some(1));
    }
}
