//! `poetry.lock` (lock-version 1.x and 2.x): packages with their group (`groups`, or `category` in older
//! locks), the markers Poetry 2 records per package, and `[package.source]` for git, path, URL and private
//! index packages. Optional packages count when an extra that lists them (`[extras]`) is selected.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Locked, Marker, other_index, push};
use crate::input::toml_file::TomlFile;
use crate::input::{Input, RequiresPython, Selection, poetry as constraint};
use crate::pep::normalize;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Spanned<Package>>,
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    #[serde(rename = "python-versions")]
    python_versions: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    groups: Option<Vec<String>>,
    markers: Option<Markers>,
    source: Option<Source>,
}

/// Poetry 2 writes one marker string, or one per group.
#[derive(Deserialize)]
#[serde(untagged)]
enum Markers {
    One(String),
    PerGroup(BTreeMap<String, String>),
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
}

pub fn read(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let lock: Lock = match file.parse() {
        Ok(l) => l,
        Err(e) => return input.errors.push(e),
    };
    let version = lock
        .metadata
        .as_ref()
        .and_then(|m| m.lock_version.clone())
        .unwrap_or_default();
    if !(version.starts_with("1.") || version.starts_with("2.")) {
        let message =
            format!("poetry.lock lock-version '{version}' is not one muslcheck reads (1.x, 2.x)");
        return input.errors.push(file.error(None, message));
    }
    if let Some(pv) = lock
        .metadata
        .as_ref()
        .and_then(|m| m.python_versions.as_ref())
    {
        if let Ok(specifiers) = constraint::constraint(pv.get_ref()) {
            let source = file.location(pv.span(), "metadata.python-versions");
            input.requires_python.get_or_insert(RequiresPython {
                specifiers,
                text: pv.get_ref().clone(),
                source,
            });
        }
    }
    let optional_selected: Vec<String> = lock
        .extras
        .iter()
        .filter(|(extra, _)| selection.wants_extra(extra))
        .flat_map(|(_, names)| {
            names
                .iter()
                .map(|n| normalize(n.split_whitespace().next().unwrap_or(n)))
        })
        .collect();
    for (i, spanned) in lock.package.iter().enumerate() {
        let package = spanned.get_ref();
        let groups: Vec<&str> = match (&package.groups, &package.category) {
            (Some(g), _) => g.iter().map(String::as_str).collect(),
            (None, Some(c)) => vec![c.as_str()],
            (None, None) => vec!["main"],
        };
        let selected: Vec<&str> = groups
            .iter()
            .copied()
            .filter(|g| *g == "main" || selection.wants_group(g))
            .collect();
        let mut skip = None;
        if selected.is_empty() {
            skip = Some(format!(
                "only in the group(s) {} (select with --group)",
                groups.join(", ")
            ));
        } else if package.optional && !optional_selected.contains(&normalize(&package.name)) {
            skip = Some("optional: no selected extra installs it".to_string());
        } else if let Some(source) = &package.source {
            let url = source.url.as_deref().unwrap_or("");
            skip = Some(match source.kind.as_str() {
                "legacy" => other_index(url),
                kind => format!(
                    "{kind} source {}: not from the index",
                    super::shown_url(url)
                ),
            });
        }
        let marker = match &package.markers {
            None => Marker::Always,
            Some(Markers::One(m)) => Marker::Text(m.clone()),
            Some(Markers::PerGroup(per_group)) => {
                let chosen: Vec<String> = per_group
                    .iter()
                    .filter(|(g, _)| selected.contains(&g.as_str()))
                    .map(|(_, m)| format!("({m})"))
                    .collect();
                if chosen.is_empty() {
                    Marker::Always
                } else {
                    Marker::Text(chosen.join(" or "))
                }
            }
        };
        let locked = Locked {
            name: package.name.clone(),
            version: Some(package.version.clone()),
            marker,
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

    const LOCK: &str = r#"
[[package]]
name = "certifi"
version = "2024.8.30"
optional = false
python-versions = ">=3.6"
groups = ["main"]

[[package]]
name = "colorama"
version = "0.4.6"
optional = false
python-versions = "*"
groups = ["main", "dev"]
markers = {main = "platform_system == \"Windows\"", dev = "sys_platform == \"win32\""}

[[package]]
name = "pytest"
version = "8.3.3"
optional = false
python-versions = ">=3.8"
groups = ["dev"]

[[package]]
name = "psycopg2"
version = "2.9.10"
optional = true
python-versions = ">=3.8"
groups = ["main"]

[[package]]
name = "internal"
version = "1.0"
optional = false
python-versions = "*"
groups = ["main"]

[package.source]
type = "legacy"
url = "https://user:pw@private.example/simple"
reference = "private"

[extras]
postgres = ["psycopg2"]

[metadata]
lock-version = "2.1"
python-versions = "^3.10"
content-hash = "abc"
"#;

    fn reasons(input: &Input) -> Vec<Option<String>> {
        input
            .entries
            .iter()
            .map(|e| match &e.wanted {
                Wanted::Index(_) => None,
                Wanted::NotIndex { reason, .. } => Some(reason.clone()),
            })
            .collect()
    }

    #[test]
    fn groups_extras_markers_and_sources() {
        let mut input = Input::default();
        read("poetry.lock", LOCK, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let r = reasons(&input);
        assert_eq!(r[0], None);
        assert_eq!(r[1], None);
        assert!(r[2].as_deref().unwrap().contains("group"));
        assert!(r[3].as_deref().unwrap().starts_with("optional"));
        assert!(
            r[4].as_deref().unwrap().contains("private.example")
                && !r[4].as_deref().unwrap().contains("pw")
        );
        let Wanted::Index(colorama) = &input.entries[1].wanted else {
            panic!()
        };
        assert_eq!(
            colorama.marker_text.as_deref(),
            Some("(platform_system == \"Windows\")")
        );
        assert_eq!(
            input
                .requires_python
                .as_ref()
                .unwrap()
                .specifiers
                .to_string(),
            ">=3.10, <4"
        );
        let mut all = Input::default();
        read(
            "poetry.lock",
            LOCK,
            &Selection {
                dev: true,
                extras: vec!["postgres".into()],
                ..Default::default()
            },
            &mut all,
        );
        let r = reasons(&all);
        assert_eq!((r[2].clone(), r[3].clone()), (None, None));
        let Wanted::Index(colorama) = &all.entries[1].wanted else {
            panic!()
        };
        assert!(colorama.marker_text.as_deref().unwrap().contains(" or "));
    }

    #[test]
    fn unknown_lock_versions_are_errors() {
        let mut input = Input::default();
        read(
            "poetry.lock",
            "[metadata]\nlock-version = \"9.0\"\n",
            &Selection::default(),
            &mut input,
        );
        assert!(input.errors[0].message.contains("lock-version"));
    }
}
