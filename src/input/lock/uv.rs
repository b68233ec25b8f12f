//! `uv.lock` (version 1): a universal lock. A package's own entry carries no marker; whether it is installed
//! on a target follows from the dependency edges that reach it from the workspace members (see `graph`), with
//! the selected extras and dependency groups of the members.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::graph::{Edge, Graph};
use super::{Locked, Marker, main_index, marker_tree, other_index, push};
use crate::input::toml_file::TomlFile;
use crate::input::{Input, Selection};
use crate::pep::{MarkerTree, normalize};

#[derive(Deserialize)]
struct Lock {
    version: Option<u32>,
    #[serde(rename = "requires-python")]
    requires_python: Option<Spanned<String>>,
    #[serde(default)]
    manifest: Option<Manifest>,
    #[serde(default)]
    package: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(rename = "optional-dependencies", default)]
    optional_dependencies: BTreeMap<String, Vec<Dependency>>,
    #[serde(rename = "dev-dependencies", default)]
    dev_dependencies: BTreeMap<String, Vec<Dependency>>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
    marker: Option<String>,
}

pub fn read(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let Some(lock) = file.decode::<Lock>(input) else {
        return;
    };
    let version = lock.version.map(|v| v.to_string());
    if let Err(e) = super::check_version(&file, "uv.lock version", version.as_deref(), &["1"]) {
        return input.errors.push(e);
    }
    if let Some(rp) = &lock.requires_python {
        // A lock's own requires-python that does not parse only loses the default target: not an error.
        let _ = file.declare_python(rp, "requires-python", false, input);
    }
    let packages: Vec<&Package> = lock.package.iter().map(Spanned::get_ref).collect();
    let roots = roots(&lock, &packages);
    let reach = reach(&packages, &roots, selection);
    let registries = packages
        .iter()
        .filter_map(|p| p.source.get("registry").and_then(toml::Value::as_str));
    let main = main_index(registries);
    for (i, spanned) in lock.package.iter().enumerate() {
        if roots.contains(&i) {
            continue;
        }
        let package = spanned.get_ref();
        let marker = reach.get(&i).cloned().unwrap_or(MarkerTree::FALSE);
        let skip = if marker.is_false() {
            Some("not installed with the selected extras and dependency groups".to_string())
        } else {
            skip_reason(package, main.as_deref())
        };
        let locked = Locked {
            name: package.name.clone(),
            version: package.version.clone(),
            marker: Marker::Tree(marker),
            skip,
            span: spanned.span(),
            key: format!("package[{i}]"),
        };
        push(&file, locked, selection, input);
    }
}

/// The workspace members: `[manifest] members`, else the packages whose source is the project directory.
fn roots(lock: &Lock, packages: &[&Package]) -> Vec<usize> {
    let members: Vec<String> = lock
        .manifest
        .as_ref()
        .map(|m| m.members.iter().map(|n| normalize(n)).collect())
        .unwrap_or_default();
    let is_member = |p: &Package| {
        if !members.is_empty() {
            return members.contains(&normalize(&p.name));
        }
        ["editable", "virtual"]
            .iter()
            .any(|k| p.source.get(*k).and_then(toml::Value::as_str) == Some("."))
    };
    packages
        .iter()
        .enumerate()
        .filter(|(_, p)| is_member(p))
        .map(|(i, _)| i)
        .collect()
}

/// The dependency graph of the lock: edges resolved to packages (by name, and version where the edge gives
/// one), the members' dev groups as their own edges when selected.
fn reach(
    packages: &[&Package],
    roots: &[usize],
    selection: &Selection,
) -> HashMap<usize, MarkerTree> {
    if roots.is_empty() {
        // No workspace member to start from: every package counts, with no marker of its own.
        return (0..packages.len()).map(|i| (i, MarkerTree::TRUE)).collect();
    }
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(normalize(&p.name)).or_default().push(i);
    }
    let edges = |deps: &[Dependency]| -> Vec<Edge> {
        deps.iter()
            .filter_map(|d| {
                let candidates = by_name.get(&normalize(&d.name))?;
                let target = match &d.version {
                    Some(v) => candidates
                        .iter()
                        .copied()
                        .find(|&i| packages[i].version.as_deref() == Some(v))?,
                    None => *candidates.first()?,
                };
                let marker = d
                    .marker
                    .as_deref()
                    .and_then(marker_tree)
                    .unwrap_or(MarkerTree::TRUE);
                Some(Edge {
                    target,
                    marker,
                    extras: d.extra.clone(),
                })
            })
            .collect()
    };
    let mut graph = Graph::default();
    for (i, package) in packages.iter().enumerate() {
        let mut own = edges(&package.dependencies);
        if roots.contains(&i) {
            let groups = package
                .dev_dependencies
                .iter()
                .filter(|(g, _)| selection.wants_group(g));
            for (_, deps) in groups {
                own.extend(edges(deps));
            }
        }
        graph.edges.insert(i, own);
        for (extra, deps) in &package.optional_dependencies {
            graph.extra_edges.insert((i, extra.clone()), edges(deps));
        }
    }
    let roots: Vec<(usize, Vec<String>)> = roots
        .iter()
        .map(|&r| {
            let extras = packages[r]
                .optional_dependencies
                .keys()
                .filter(|x| selection.wants_extra(x))
                .cloned();
            (r, extras.collect())
        })
        .collect();
    graph.reach(&roots)
}

fn skip_reason(package: &Package, main: Option<&str>) -> Option<String> {
    let source = &package.source;
    if let Some(registry) = source.get("registry").and_then(toml::Value::as_str) {
        let is_main = main.is_some_and(|m| super::normalize_index(registry) == m);
        return (!is_main).then(|| other_index(registry));
    }
    for kind in ["git", "url", "path", "directory", "editable", "virtual"] {
        if let Some(location) = source.get(kind).and_then(toml::Value::as_str) {
            return Some(format!(
                "{kind} source {}: not from the index",
                super::shown_url(location)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Wanted;
    use crate::target::{Arch, Target};

    const LOCK: &str = r#"
version = 1
revision = 2
requires-python = ">=3.10"

[[package]]
name = "demo"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "anyio" },
    { name = "pywin32", marker = "sys_platform == 'win32'" },
    { name = "mylib" },
]

[package.optional-dependencies]
fast = [{ name = "uvloop", marker = "platform_machine == 'x86_64'" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "anyio"
version = "4.6.2"
source = { registry = "https://pkgs.example/simple" }
dependencies = [
    { name = "exceptiongroup", marker = "python_full_version < '3.11'" },
    { name = "idna" },
]

[[package]]
name = "exceptiongroup"
version = "1.2.2"
source = { registry = "https://pkgs.example/simple" }

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pkgs.example/simple" }

[[package]]
name = "pywin32"
version = "308"
source = { registry = "https://pkgs.example/simple" }

[[package]]
name = "uvloop"
version = "0.21.0"
source = { registry = "https://pkgs.example/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://private.example/simple" }

[[package]]
name = "mylib"
version = "1.0"
source = { git = "https://example.invalid/mylib.git?rev=abc#abc" }
"#;

    fn read_lock(selection: &Selection) -> Input {
        let mut input = Input::default();
        read("uv.lock", LOCK, selection, &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        input
    }

    fn on(input: &Input, name: &str, target: &Target) -> Option<bool> {
        let entry = input.entries.iter().find(|e| e.text.starts_with(name))?;
        match &entry.wanted {
            Wanted::Index(r) => Some(r.marker.evaluate(&target.marker_environment(), &[])),
            Wanted::NotIndex { .. } => None,
        }
    }

    #[test]
    fn markers_follow_the_dependency_paths() {
        let t = |py: &str| Target {
            python: py.parse().unwrap(),
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
            arch: Arch::X86_64,
        };
        let input = read_lock(&Selection::default());
        assert_eq!(
            input.entries.len(),
            7,
            "every package but the project itself"
        );
        assert_eq!(input.requires_python.as_ref().unwrap().text, ">=3.10");
        assert_eq!(on(&input, "anyio", &t("3.12")), Some(true));
        assert_eq!(on(&input, "exceptiongroup", &t("3.12")), Some(false));
        assert_eq!(on(&input, "exceptiongroup", &t("3.10")), Some(true));
        assert_eq!(on(&input, "pywin32", &t("3.12")), Some(false));
        // Only through an unselected extra or group: not installed.
        assert_eq!(on(&input, "uvloop", &t("3.12")), None);
        assert_eq!(on(&input, "pytest", &t("3.12")), None);
        let mylib = input
            .entries
            .iter()
            .find(|e| e.text.starts_with("mylib"))
            .unwrap();
        assert!(
            matches!(&mylib.wanted, Wanted::NotIndex { reason, .. } if reason.starts_with("git source"))
        );
        assert_eq!(mylib.source.key.as_deref(), Some("package[7]"));
    }

    #[test]
    fn extras_and_groups_open_their_edges() {
        let t = Target {
            python: "3.12".parse().unwrap(),
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
            arch: Arch::X86_64,
        };
        let arm = Target {
            arch: Arch::Aarch64,
            ..t
        };
        let input = read_lock(&Selection {
            extras: vec!["fast".into()],
            dev: true,
            ..Default::default()
        });
        assert_eq!(on(&input, "uvloop", &t), Some(true));
        assert_eq!(on(&input, "uvloop", &arm), Some(false));
        // pytest comes from another index than the lock's main one.
        let pytest = input
            .entries
            .iter()
            .find(|e| e.text.starts_with("pytest"))
            .unwrap();
        assert!(
            matches!(&pytest.wanted, Wanted::NotIndex { reason, .. } if reason.contains("private.example"))
        );
    }

    #[test]
    fn unknown_versions_are_refused() {
        let mut input = Input::default();
        read(
            "uv.lock",
            "version = 2\n",
            &Selection::default(),
            &mut input,
        );
        assert!(input.errors[0].message.contains("version"));
    }
}
