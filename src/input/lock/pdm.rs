//! `pdm.lock` (lock_version 3.x and 4.x): packages with their groups (`default` always; others when
//! selected), the marker PDM 4.5+ records per package, and git, path and URL packages as `skip`. Older locks
//! record neither groups nor markers: every package is checked.

use serde::Deserialize;
use toml::Spanned;

use super::{Locked, Marker, push};
use crate::input::toml_file::TomlFile;
use crate::input::{Input, Selection};

#[derive(Deserialize)]
struct Lock {
    metadata: Option<Metadata>,
    #[serde(default)]
    package: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Metadata {
    lock_version: Option<String>,
    requires_python: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    marker: Option<String>,
    git: Option<String>,
    path: Option<String>,
    url: Option<String>,
}

pub fn read(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let Some(lock) = file.decode::<Lock>(input) else {
        return;
    };
    let version = lock
        .metadata
        .as_ref()
        .and_then(|m| m.lock_version.as_deref());
    if let Err(e) = super::check_version(&file, "pdm.lock lock_version", version, &["3", "4"]) {
        return input.errors.push(e);
    }
    if let Some(rp) = lock
        .metadata
        .as_ref()
        .and_then(|m| m.requires_python.as_ref())
    {
        // A lock's own requires-python that does not parse only loses the default target: not an error.
        let _ = file.declare_python(rp, "metadata.requires_python", false, input);
    }
    for (i, spanned) in lock.package.iter().enumerate() {
        let package = spanned.get_ref();
        let selected = package.groups.is_empty()
            || package
                .groups
                .iter()
                .any(|g| g == "default" || selection.wants_group(g));
        let skip = if !selected {
            Some(format!(
                "only in the group(s) {} (select with --group)",
                package.groups.join(", ")
            ))
        } else if let Some(git) = &package.git {
            Some(format!(
                "git source {}: not from the index",
                super::shown_url(git)
            ))
        } else if let Some(url) = &package.url {
            Some(format!(
                "URL source {}: not from the index",
                super::shown_url(url)
            ))
        } else {
            package
                .path
                .as_ref()
                .map(|p| format!("path source {p}: not from the index"))
        };
        let locked = Locked {
            name: package.name.clone(),
            version: package.version.clone(),
            marker: package.marker.clone().map_or(Marker::Always, Marker::Text),
            skip,
            span: spanned.span(),
            key: format!("package[{i}]"),
        };
        push(&file, locked, selection, input);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Wanted;

    #[test]
    fn groups_markers_and_sources() {
        let text = r#"
[metadata]
groups = ["default", "test"]
lock_version = "4.5.0"
requires_python = ">=3.9"

[[package]]
name = "anyio"
version = "4.6.2"
groups = ["default"]
marker = "python_version >= \"3.9\""

[[package]]
name = "pytest"
version = "8.3.3"
groups = ["test"]

[[package]]
name = "mylib"
version = "0.1"
git = "https://example.invalid/mylib.git"
revision = "abc"
groups = ["default"]
"#;
        let mut input = Input::default();
        read("pdm.lock", text, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert!(matches!(&input.entries[0].wanted, Wanted::Index(r) if r.marker_text.is_some()));
        assert!(
            matches!(&input.entries[1].wanted, Wanted::NotIndex { reason, .. } if reason.contains("test"))
        );
        assert!(
            matches!(&input.entries[2].wanted, Wanted::NotIndex { reason, .. } if reason.starts_with("git"))
        );
        assert_eq!(
            input.entries[1].source.line, 13,
            "the package's [[package]] header"
        );
        let mut with_test = Input::default();
        read(
            "pdm.lock",
            text,
            &Selection {
                groups: vec!["test".into()],
                ..Default::default()
            },
            &mut with_test,
        );
        assert!(matches!(&with_test.entries[1].wanted, Wanted::Index(_)));
        let mut old = Input::default();
        read(
            "pdm.lock",
            "[metadata]\nlock_version = \"2.0\"\n",
            &Selection::default(),
            &mut old,
        );
        assert_eq!(old.errors.len(), 1);
    }
}
