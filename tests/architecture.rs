//! The module graph stays one-way: no cycle between the top-level modules of `src/`, nor between the modules
//! of a layered folder (`index/`, `resolve/`). Read from the source: `crate::<module>` paths, and `super::`
//! paths of a folder's own files. Test code is left out: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's code without its tests: test-only files are empty, and an inline `mod tests` ends the code.
fn code(path: &Path) -> String {
    let name = path.file_stem().unwrap().to_string_lossy();
    if ["tests", "fake", "scenarios"].contains(&name.as_ref()) {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers that follow each `prefix` in `code`.
fn named_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    // `use crate::{a, b}` names several.
    out
}

/// Every module of `modules` each one uses.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// The graph of the modules directly under `dir` (`src` or a folder of it), `crate_path` being how code
/// names that folder (`crate::` or `crate::index::`).
fn graph_of(dir: &Path, crate_path: &str) -> Graph {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(dir).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if ["mod", "lib", "main"].contains(&module.as_str()) {
            continue;
        }
        let code = code(&file);
        let mut uses: Vec<&str> = named_after(&code, crate_path);
        // A file directly in the folder names its siblings `super::`.
        if relative.components().count() == 1 && crate_path != "crate::" {
            uses.extend(named_after(&code, "super::"));
        }
        // `use crate::{a, b}` and `use super::{a, b}`.
        for prefix in [format!("{crate_path}{{"), "super::{".to_string()] {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(&prefix) {
                rest = &rest[at + prefix.len()..];
                let group = &rest[..rest.find('}').unwrap_or(rest.len())];
                uses.extend(
                    group
                        .split(',')
                        .map(|s| s.trim().split("::").next().unwrap_or("").trim()),
                );
            }
        }
        let siblings = graph.entry(module.clone()).or_default();
        for used in uses {
            let exists = dir.join(format!("{used}.rs")).exists() || dir.join(used).is_dir();
            if used != module && exists {
                siblings.insert(used.to_string());
            }
        }
    }
    graph
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let graph = graph_of(&src(), "crate::");
    assert!(graph.len() > 10, "{graph:?}");
    assert_eq!(cycle(&graph), None, "{graph:#?}");
}

#[test]
fn the_layers_of_the_index_and_the_resolver_form_no_cycle() {
    for folder in ["index", "resolve"] {
        let graph = graph_of(&src().join(folder), &format!("crate::{folder}::"));
        assert!(graph.len() > 4, "{folder}: {graph:?}");
        assert_eq!(cycle(&graph), None, "{folder}: {graph:#?}");
    }
}

#[test]
fn the_cache_knows_only_the_leaves_of_the_index() {
    let graph = graph_of(&src().join("index"), "crate::index::");
    for above in ["client", "transport", "source"] {
        assert!(
            !graph["cache"].contains(above),
            "cache uses {above}: {:?}",
            graph["cache"]
        );
    }
    assert!(
        !graph["transport"].contains("cache"),
        "{:?}",
        graph["transport"]
    );
}

#[test]
fn the_command_line_is_above_every_other_module() {
    let graph = graph_of(&src(), "crate::");
    for (module, uses) in &graph {
        assert!(!uses.contains("cli"), "{module} uses cli: {uses:?}");
    }
}

#[test]
fn targets_are_planned_from_plain_values() {
    // Planning takes a request the settings read (images, a Dockerfile, the settings file): target itself
    // knows only the version types it is made of.
    let graph = graph_of(&src(), "crate::");
    let uses: Vec<&String> = graph["target"].iter().filter(|m| *m != "pep").collect();
    assert!(uses.is_empty(), "target uses {uses:?}");
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
