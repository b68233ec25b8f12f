//! `poetry.lock` (lock-version 1.x and 2.x): packages with their group (`groups`, or `category` in older
//! locks), the markers Poetry 2 records per package (older locks: the markers of the dependency edges that
//! reach the package, see `graph`), and `[package.source]` for git, path, URL and private index packages.
//! Optional packages count when an extra that lists them (`[extras]`) is selected.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::graph::{Edge, Graph};
use super::{Locked, Marker, other_index, push};
use crate::input::toml_file::TomlFile;
use crate::input::{Input, Selection, poetry_syntax};
use crate::pep::{MarkerTree, normalize};

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
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    /// The package's own extras: name → the dependency specs (`"tomli (>=1.1.0)"`) each one adds.
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
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
    let Some(lock) = file.decode::<Lock>(input) else {
        return;
    };
    let version = lock
        .metadata
        .as_ref()
        .and_then(|m| m.lock_version.as_deref());
    if let Err(e) = super::check_version(&file, "poetry.lock lock-version", version, &["1", "2"]) {
        return input.errors.push(e);
    }
    if let Some(pv) = lock
        .metadata
        .as_ref()
        .and_then(|m| m.python_versions.as_ref())
    {
        let _ = file.declare_python(pv, "metadata.python-versions", true, input);
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
    let packages: Vec<&Package> = lock.package.iter().map(Spanned::get_ref).collect();
    // The main index: the default one (packages with no source), or the private one most packages name.
    let indexes = packages.iter().map(|p| match &p.source {
        Some(s) if s.kind == "legacy" => s.url.as_deref().unwrap_or(""),
        _ => "",
    });
    let main = super::main_index(indexes);
    let edge_markers = edge_markers(&packages);
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
        } else if package.markers.is_none() && !edge_markers.contains_key(&i) {
            skip = Some(
                "no locked package depends on it without an extra that is not selected".to_string(),
            );
        } else if let Some(source) = &package.source {
            let url = source.url.as_deref().unwrap_or("");
            skip = match source.kind.as_str() {
                // A lock resolved from one private index is checked against the index muslcheck asks.
                "legacy" if main.as_deref() == Some(super::normalize_index(url).as_str()) => None,
                "legacy" => Some(other_index(url)),
                kind => Some(format!(
                    "{kind} source {}: not from the index",
                    super::shown_url(url)
                )),
            };
        }
        let marker = match &package.markers {
            // Before Poetry 2 a package records no marker: its dependents' edges carry them.
            None => edge_markers
                .get(&i)
                .cloned()
                .map_or(Marker::Always, Marker::Tree),
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

/// Markers from the dependency edges, for locks whose packages carry none: the roots are the packages no
/// other package depends on (the project's own dependencies). A dependency listed twice (two versions locked
/// for different Pythons) points at the package whose version its constraint admits.
fn edge_markers(packages: &[&Package]) -> HashMap<usize, MarkerTree> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(normalize(&p.name)).or_default().push(i);
    }
    let mut graph = Graph::default();
    let mut depended_on = vec![false; packages.len()];
    for (i, package) in packages.iter().enumerate() {
        for (name, spec) in &package.dependencies {
            let alternatives: Vec<&toml::Value> = match spec {
                toml::Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for alternative in alternatives {
                let Some(candidates) = by_name.get(&normalize(name)) else {
                    continue;
                };
                let field = |key: &str| alternative.get(key).and_then(toml::Value::as_str);
                let version = alternative
                    .as_str()
                    .or_else(|| field("version"))
                    .unwrap_or("*");
                let admitted = poetry_syntax::constraint(version).ok();
                let target = candidates
                    .iter()
                    .copied()
                    .find(|&c| {
                        let v = crate::pep::parse_version(&packages[c].version);
                        admitted
                            .as_ref()
                            .zip(v.ok())
                            .is_none_or(|(spec, v)| spec.contains(&v))
                    })
                    .unwrap_or(candidates[0]);
                depended_on[target] = true;
                let mut marker = MarkerTree::TRUE;
                if let Some(m) = field("markers").and_then(super::marker_tree) {
                    marker.and(m);
                }
                if let Some(m) = field("python")
                    .and_then(|p| poetry_syntax::python_marker(p).ok())
                    .and_then(|m| super::marker_tree(&m))
                {
                    marker.and(m);
                }
                // `uvicorn = {extras = ["standard"]}` also reaches what uvicorn's `standard` extra adds.
                let extras: Vec<String> = alternative
                    .get("extras")
                    .and_then(toml::Value::as_array)
                    .map(|xs| {
                        xs.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let edge = |marker: MarkerTree| Edge {
                    target,
                    marker,
                    extras: extras.clone(),
                };
                let optional =
                    alternative.get("optional").and_then(toml::Value::as_bool) == Some(true);
                if !optional {
                    graph.edges.entry(i).or_default().push(edge(marker.clone()));
                    continue;
                }
                // An optional dependency comes with each extra of the package that lists it; on that path its
                // marker's `extra == "<that extra>"` holds.
                for (extra, specs) in &package.extras {
                    let lists = specs.iter().any(|s| {
                        normalize(s.split([' ', '(', '[', ';']).next().unwrap_or(s))
                            == normalize(name)
                    });
                    if lists {
                        let on_path = marker
                            .clone()
                            .simplify_extras_with(|e| normalize(e.as_ref()) == normalize(extra));
                        graph
                            .extra_edges
                            .entry((i, extra.clone()))
                            .or_default()
                            .push(edge(on_path));
                    }
                }
            }
        }
    }
    let roots: Vec<(usize, Vec<String>)> = (0..packages.len())
        .filter(|&i| !depended_on[i])
        .map(|i| (i, Vec::new()))
        .collect();
    graph.reach(&roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Wanted;
    use crate::input::skip_reasons;

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

    #[test]
    fn groups_extras_markers_and_sources() {
        let mut input = Input::default();
        read("poetry.lock", LOCK, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let r = skip_reasons(&input);
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
            input.requires_python.as_ref().unwrap().any_of[0].to_string(),
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
        let r = skip_reasons(&all);
        assert_eq!((r[2].clone(), r[3].clone()), (None, None));
        let Wanted::Index(colorama) = &all.entries[1].wanted else {
            panic!()
        };
        assert!(colorama.marker_text.as_deref().unwrap().contains(" or "));
    }

    /// Before Poetry 2: no package markers; two versions of one package, told apart by the edges.
    const OLD_LOCK: &str = r#"
[[package]]
name = "pytest"
version = "4.6.11"
category = "dev"
optional = false
python-versions = "*"

[package.dependencies]
uvicorn = {version = ">=0.30", extras = ["standard"]}
colorama = [
    {version = "*", markers = "sys_platform == \"win32\" and python_version < \"3.5\""},
    {version = ">=0.4.3", markers = "sys_platform == \"win32\" and python_version >= \"3.5\""},
]
pytz = {version = ">=2020", markers = "python_version < \"3.9\""}
tomli = {version = ">=1.1", optional = true}

[package.extras]
toml = ["tomli (>=1.1)"]

[[package]]
name = "uvicorn"
version = "0.30.6"
category = "dev"
optional = false
python-versions = ">=3.8"

[package.dependencies]
uvloop = {version = ">=0.14.0", optional = true, markers = "sys_platform != \"win32\" and extra == \"standard\""}

[package.extras]
standard = ["uvloop (>=0.14.0)"]

[[package]]
name = "uvloop"
version = "0.20.0"
category = "dev"
optional = false
python-versions = ">=3.8"

[[package]]
name = "colorama"
version = "0.4.1"
category = "dev"
optional = false
python-versions = "*"

[[package]]
name = "colorama"
version = "0.4.3"
category = "dev"
optional = false
python-versions = "*"

[[package]]
name = "pytz"
version = "2024.2"
category = "dev"
optional = false
python-versions = "*"

[[package]]
name = "tomli"
version = "2.0.1"
category = "dev"
optional = false
python-versions = ">=3.7"

[metadata]
lock-version = "1.1"
python-versions = "*"
content-hash = "abc"
"#;

    #[test]
    fn markers_of_old_locks_come_from_the_edges() {
        use crate::target::{Arch, Target};
        let mut input = Input::default();
        read(
            "poetry.lock",
            OLD_LOCK,
            &Selection {
                dev: true,
                ..Default::default()
            },
            &mut input,
        );
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let on = |text: &str, python: &str, platform_windows: bool| {
            let target = Target {
                python: python.parse().unwrap(),
                libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
                arch: Arch::X86_64,
            };
            let mut env = target.marker_environment();
            if platform_windows {
                env = env.with_sys_platform("win32");
            }
            let entry = input.entries.iter().find(|e| e.text == text).unwrap();
            matches!(&entry.wanted, Wanted::Index(r) if r.marker.evaluate(&env, &[]))
        };
        assert!(on("pytest==4.6.11", "3.12", false), "a root");
        assert!(!on("colorama==0.4.3", "3.12", false), "only on Windows");
        assert!(on("colorama==0.4.3", "3.12", true));
        assert!(
            !on("colorama==0.4.1", "3.12", true),
            "the other version is for Python < 3.5"
        );
        assert!(on("pytz==2024.2", "3.8", false));
        assert!(!on("pytz==2024.2", "3.12", false));
        assert!(
            !on("tomli==2.0.1", "3.12", false),
            "optional, and no extra asks for it"
        );
    }

    #[test]
    fn a_lock_resolved_from_one_private_index_is_checked() {
        let text = "[[package]]\nname = \"a\"\nversion = \"1.0\"\noptional = false\npython-versions = \"*\"\n\n\
                    [package.source]\ntype = \"legacy\"\nurl = \"https://mirror.example/simple\"\nreference = \"m\"\n\n\
                    [[package]]\nname = \"b\"\nversion = \"2.0\"\noptional = false\npython-versions = \"*\"\n\n\
                    [package.source]\ntype = \"legacy\"\nurl = \"https://mirror.example/simple/\"\nreference = \"m\"\n\n\
                    [metadata]\nlock-version = \"2.0\"\npython-versions = \"*\"\ncontent-hash = \"x\"\n";
        let mut input = Input::default();
        read("poetry.lock", text, &Selection::default(), &mut input);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert!(
            input
                .entries
                .iter()
                .all(|e| matches!(e.wanted, Wanted::Index(_)))
        );
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
