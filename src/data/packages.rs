//! `data/packages.toml`: per PyPI project, the Alpine packages that build it from source and those its built
//! extension loads at run time, known binary alternatives, and the failures no package fixes (no sdist, glibc
//! only toolchains). `data/alpine-packages.txt` lists the Alpine names the file may use; every `build` and `run`
//! name must be in it, so advice never tells someone to `apk add` a package that does not exist.
//!
//! Both files are compiled in and decoded once; the tests below validate every entry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::check_source;
use crate::pep::normalize;

const PACKAGES_TOML: &str = include_str!("../../data/packages.toml");
const ALPINE_PACKAGES_TXT: &str = include_str!("../../data/alpine-packages.txt");

/// What the knowledge base says about one PyPI project.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knowledge {
    /// PEP 503 normalized project name.
    pub name: String,
    /// The documents the facts come from (install pages, APKBUILDs, issues); never a host.
    pub source: String,
    /// Alpine packages to `apk add` before building it from source (compilers, headers, tools).
    #[serde(default)]
    pub build: Vec<String>,
    /// Alpine packages the built extension needs at run time (to keep after removing `build`).
    #[serde(default)]
    pub run: Vec<String>,
    /// Installable replacements, best first.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Why it cannot be installed on Alpine even with every package above, and what to do instead.
    pub failure: Option<String>,
    /// Short advice: renamed Alpine packages, pins, environment variables.
    pub notes: Option<String>,
}

/// A project to install instead, as a requirement name: `psycopg2-binary`, or with an extra, `psycopg[binary]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub name: String,
    /// When to prefer it, or its own limits (a different API, no musllinux wheel either).
    pub note: Option<String>,
}

impl Alternative {
    /// The project part of `name`: `psycopg` for `psycopg[binary]`.
    pub fn project(&self) -> &str {
        self.name.split_once('[').map_or(&self.name, |(p, _)| p)
    }

    /// The extra of `name`, if any: `binary` for `psycopg[binary]`.
    pub fn extra(&self) -> Option<&str> {
        let (_, rest) = self.name.split_once('[')?;
        rest.strip_suffix(']')
    }
}

/// The knowledge about one project, by PEP 503 normalized name (the caller normalizes).
pub fn knowledge(name: &str) -> Option<&'static Knowledge> {
    knowledge_base().get(name)
}

/// Every Alpine package name the knowledge base may use (`data/alpine-packages.txt`).
pub fn alpine_packages() -> &'static BTreeSet<String> {
    static ALPINE: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        decode_alpine(ALPINE_PACKAGES_TXT)
            .unwrap_or_else(|e| panic!("data/alpine-packages.txt: {e} (see data::packages::tests)"))
    });
    &ALPINE
}

fn knowledge_base() -> &'static BTreeMap<String, Knowledge> {
    static PACKAGES: LazyLock<BTreeMap<String, Knowledge>> = LazyLock::new(|| {
        decode_packages(PACKAGES_TOML, alpine_packages())
            .unwrap_or_else(|e| panic!("data/packages.toml: {e} (see data::packages::tests)"))
    });
    &PACKAGES
}

// The file's shape, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackages {
    package: Vec<Knowledge>,
}

fn decode_packages(
    text: &str,
    alpine: &BTreeSet<String>,
) -> Result<BTreeMap<String, Knowledge>, String> {
    let raw: RawPackages = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut by_name = BTreeMap::new();
    for k in raw.package {
        let what = format!("package {}", k.name);
        check_entry(&k, alpine).map_err(|e| format!("{what}: {e}"))?;
        check_source(&what, &k.source)?;
        if by_name.contains_key(&k.name) {
            return Err(format!("{what}: listed twice"));
        }
        by_name.insert(k.name.clone(), k);
    }
    Ok(by_name)
}

fn check_entry(k: &Knowledge, alpine: &BTreeSet<String>) -> Result<(), String> {
    if !is_normalized(&k.name) {
        return Err(format!(
            "name is not PEP 503 normalized ({})",
            normalize(&k.name)
        ));
    }
    if k.build.is_empty() && k.run.is_empty() && k.failure.is_none() && k.notes.is_none() {
        return Err("says nothing: give build, run, failure or notes".into());
    }
    for (field, names) in [("build", &k.build), ("run", &k.run)] {
        let mut seen = BTreeSet::new();
        for n in names {
            if !alpine.contains(n) {
                return Err(format!(
                    "{field} names {n}, which is not in data/alpine-packages.txt"
                ));
            }
            if !seen.insert(n) {
                return Err(format!("{field} names {n} twice"));
            }
        }
    }
    for a in &k.alternatives {
        let extra_ok = match a.name.split_once('[') {
            None => true,
            Some(_) => a.extra().is_some_and(is_normalized),
        };
        if !is_normalized(a.project()) || !extra_ok {
            return Err(format!(
                "alternative {} is not a normalized name or name[extra]",
                a.name
            ));
        }
        // `psycopg[binary]` may stand in for `psycopg`: the extra changes what is installed.
        if a.name == k.name {
            return Err(format!("alternative {} is the project itself", a.name));
        }
    }
    let texts = [k.failure.as_deref(), k.notes.as_deref()];
    let notes = k.alternatives.iter().map(|a| a.note.as_deref());
    for text in texts.into_iter().chain(notes).flatten() {
        if text.trim().is_empty() {
            return Err("an empty failure or note; leave it out instead".into());
        }
        if super::names_a_host(text) {
            return Err("a failure or note names a host".into());
        }
    }
    Ok(())
}

/// PEP 503 normalized and a valid project name: lower-case ASCII letters, digits and single `-` inside.
fn is_normalized(name: &str) -> bool {
    let valid = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid && !name.starts_with('-') && !name.ends_with('-') && normalize(name) == name
}

fn decode_alpine(text: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    let mut last: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if !is_apk_name(line) {
            return Err(format!(
                "line {line_no}: '{line}' is not an Alpine package name"
            ));
        }
        if last.is_some_and(|prev| prev >= line) {
            return Err(format!(
                "line {line_no}: {line} is out of order or repeated"
            ));
        }
        last = Some(line);
        names.insert(line.to_string());
    }
    if names.is_empty() {
        return Err("no package names".into());
    }
    Ok(names)
}

/// Alpine package names as aports spells them: lower case, digits, and `-`, `+`, `.`, `_` inside (`g++`,
/// `libstdc++`, `py3-foo`).
fn is_apk_name(name: &str) -> bool {
    let first_ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric());
    first_ok
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'_')
        })
}

#[cfg(test)]
mod tests;
