//! `pylock.toml` (PEP 751, lock-version 1.0): `[[packages]]` with their marker, `index`, and `vcs`,
//! `directory` or `archive` sources (`skip`). PEP 751 markers may test `'name' in extras` and
//! `'name' in dependency_groups`; those terms are decided here from the selection (with the lock's
//! `default-groups` when no group is named) before the marker is evaluated for the target.

use serde::Deserialize;
use toml::Spanned;

use super::{Locked, Marker, main_index, other_index, push};
use crate::input::toml_file::TomlFile;
use crate::input::{Input, Selection};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<Spanned<String>>,
    #[serde(rename = "default-groups", default)]
    default_groups: Vec<String>,
    #[serde(default)]
    packages: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    marker: Option<String>,
    index: Option<String>,
    vcs: Option<toml::Table>,
    directory: Option<toml::Table>,
    archive: Option<toml::Table>,
}

/// Always true and always false, in the marker language the evaluator speaks.
const TRUE: &str = "python_version >= '0'";
const FALSE: &str = "python_version < '0'";

pub fn read(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let Some(lock) = file.decode::<Lock>(input) else {
        return;
    };
    let version = lock.lock_version.as_deref();
    if let Err(e) = super::check_version(&file, "pylock.toml lock-version", version, &["1"]) {
        return input.errors.push(e);
    }
    if let Some(rp) = &lock.requires_python {
        // A lock's own requires-python that does not parse only loses the default target: not an error.
        let _ = file.declare_python(rp, "requires-python", false, input);
    }
    let no_group_named = selection.groups.is_empty() && !selection.all_groups && !selection.dev;
    let in_group = |g: &str| {
        selection.wants_group(g) || (no_group_named && lock.default_groups.iter().any(|d| d == g))
    };
    let main = main_index(
        lock.packages
            .iter()
            .filter_map(|p| p.get_ref().index.as_deref()),
    );
    for (i, spanned) in lock.packages.iter().enumerate() {
        let package = spanned.get_ref();
        let skip = if let Some(vcs) = &package.vcs {
            let url = vcs.get("url").and_then(toml::Value::as_str).unwrap_or("");
            Some(format!(
                "VCS source {}: not from the index",
                super::shown_url(url)
            ))
        } else if let Some(dir) = &package.directory {
            let p = dir.get("path").and_then(toml::Value::as_str).unwrap_or("");
            Some(format!("directory source {p}: not from the index"))
        } else if let Some(archive) = &package.archive {
            let at = archive
                .get("url")
                .or_else(|| archive.get("path"))
                .and_then(toml::Value::as_str)
                .unwrap_or("");
            Some(format!(
                "archive source {}: not from the index",
                super::shown_url(at)
            ))
        } else {
            package
                .index
                .as_deref()
                .filter(|url| main.as_deref() != Some(super::normalize_index(url).as_str()))
                .map(other_index)
        };
        let marker = package
            .marker
            .as_deref()
            .map(|m| {
                Marker::Text(decide_lock_terms(
                    m,
                    &|x| selection.wants_extra(x),
                    &in_group,
                ))
            })
            .unwrap_or(Marker::Always);
        let locked = Locked {
            name: package.name.clone(),
            version: package.version.clone(),
            marker,
            skip,
            span: spanned.span(),
            key: format!("packages[{i}]"),
        };
        push(&file, locked, selection, input);
    }
}

/// Replaces each `'x' in extras`, `'x' not in extras` (and the same with `dependency_groups`) by an always
/// true or always false term.
fn decide_lock_terms(
    marker: &str,
    extra: &dyn Fn(&str) -> bool,
    group: &dyn Fn(&str) -> bool,
) -> String {
    let mut out = String::new();
    let mut rest = marker;
    while let Some(q) = rest.find(['\'', '"']) {
        let quote = rest.as_bytes()[q] as char;
        let Some(len) = rest[q + 1..].find(quote) else {
            break;
        };
        let value = &rest[q + 1..q + 1 + len];
        let after = &rest[q + 2 + len..];
        let trimmed = after.trim_start();
        let (negated, tail) = if let Some(t) = trimmed.strip_prefix("not in") {
            (true, t)
        } else if let Some(t) = trimmed.strip_prefix("in") {
            (false, t)
        } else {
            out.push_str(&rest[..q + 2 + len]);
            rest = after;
            continue;
        };
        let tail_trimmed = tail.trim_start();
        let decided = match tail_trimmed.strip_prefix("dependency_groups") {
            Some(t) => Some((group(value), t)),
            None => tail_trimmed
                .strip_prefix("extras")
                .map(|t| (extra(value), t)),
        };
        match decided {
            Some((holds, t)) => {
                out.push_str(&rest[..q]);
                out.push_str(if holds != negated { TRUE } else { FALSE });
                rest = t;
            }
            None => {
                out.push_str(&rest[..q + 2 + len]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Wanted;

    #[test]
    fn extras_and_groups_terms_are_decided() {
        let extra = |x: &str| x == "fast";
        let group = |g: &str| g == "dev";
        assert_eq!(decide_lock_terms("'fast' in extras", &extra, &group), TRUE);
        assert_eq!(
            decide_lock_terms(
                "sys_platform == 'linux' and \"test\" in dependency_groups",
                &extra,
                &group
            ),
            format!("sys_platform == 'linux' and {FALSE}")
        );
        assert_eq!(
            decide_lock_terms("'dev' not in dependency_groups", &extra, &group),
            FALSE
        );
        assert_eq!(
            decide_lock_terms("python_version < '3.11'", &extra, &group),
            "python_version < '3.11'"
        );
    }

    #[test]
    fn packages_sources_and_default_groups() {
        let text = r#"
lock-version = "1.0"
requires-python = ">=3.9"
default-groups = ["default"]
created-by = "test"

[[packages]]
name = "attrs"
version = "25.1.0"
index = "https://pkgs.example/simple"

[[packages]]
name = "pytest"
version = "8.3.3"
marker = "'dev' in dependency_groups"
index = "https://pkgs.example/simple"

[[packages]]
name = "mylib"
vcs = { type = "git", url = "https://example.invalid/mylib.git", commit-id = "abc" }
"#;
        let mut input = Input::default();
        read("pylock.toml", text, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert!(matches!(&input.entries[0].wanted, Wanted::Index(r) if r.marker_text.is_none()));
        let Wanted::Index(pytest) = &input.entries[1].wanted else {
            panic!()
        };
        assert_eq!(pytest.marker_text.as_deref(), Some(FALSE));
        assert!(
            matches!(&input.entries[2].wanted, Wanted::NotIndex { reason, .. } if reason.starts_with("VCS"))
        );
        let mut dev = Input::default();
        read(
            "pylock.toml",
            text,
            &Selection {
                dev: true,
                ..Default::default()
            },
            &mut dev,
        );
        let Wanted::Index(pytest) = &dev.entries[1].wanted else {
            panic!()
        };
        assert_eq!(pytest.marker_text.as_deref(), Some(TRUE));
    }
}
