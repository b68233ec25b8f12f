//! Poetry's dependency syntax (`[tool.poetry.dependencies]` and its groups), turned into PEP 508 terms:
//! `^`/`~`/`*` constraints into PEP 440 specifiers, `python`/`platform` keys into markers, and git, path and
//! url dependencies into `skip` entries. The constraint rules are poetry-core's. pyproject.toml's `[tool.poetry]`
//! tables are written in it, and so are poetry.lock's version and python constraints (`lock/poetry.rs`).

use super::{IndexRequirement, Wanted};
use crate::pep::{MarkerTree, VersionSpecifiers};

/// A Poetry version constraint as PEP 440 specifiers: `^1.2.3` is `>=1.2.3,<2.0.0`, `~1.2` is `>=1.2,<1.3`,
/// `*` is anything, a bare version is `==`, and `,` or white space joins constraints. Either-or constraints
/// (`||`) have no PEP 440 form and are refused.
pub fn constraint(text: &str) -> Result<VersionSpecifiers, String> {
    if text.contains("||") || text.split_whitespace().any(|t| t == "|") {
        return Err(format!(
            "either-or constraint '{text}' (||) cannot be checked: pin one range"
        ));
    }
    let mut atoms: Vec<String> = Vec::new();
    let mut pending_operator = String::new();
    for token in text.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        if token.chars().all(|c| "<>=!~^".contains(c)) {
            pending_operator.push_str(token);
            continue;
        }
        atoms.push(format!("{}{token}", std::mem::take(&mut pending_operator)));
    }
    if !pending_operator.is_empty() {
        return Err(format!("constraint '{text}' ends with an operator"));
    }
    let mut pep440 = Vec::new();
    for atom in atoms {
        pep440.extend(translate(&atom).map_err(|e| format!("constraint '{text}': {e}"))?);
    }
    crate::pep::parse_specifiers(&pep440.join(",")).map_err(|e| format!("constraint '{text}': {e}"))
}

fn translate(atom: &str) -> Result<Vec<String>, String> {
    if atom == "*" {
        return Ok(Vec::new());
    }
    if let Some(v) = atom.strip_prefix('^') {
        let (release, _) = release(v)?;
        let first_nonzero = release.iter().position(|n| *n != 0);
        let upper = match first_nonzero {
            Some(i) => bump(&release[..=i]),
            None => bump(&release),
        };
        return Ok(vec![format!(">={v}"), format!("<{upper}")]);
    }
    if let Some(v) = atom.strip_prefix('~').filter(|v| !v.starts_with('=')) {
        let (release, _) = release(v)?;
        let upper = if release.len() == 1 {
            bump(&release)
        } else {
            bump(&release[..2])
        };
        return Ok(vec![format!(">={v}"), format!("<{upper}")]);
    }
    let operators = ["===", "==", "!=", ">=", "<=", "~=", ">", "<"];
    if operators.iter().any(|op| atom.starts_with(op)) {
        return Ok(vec![atom.to_string()]);
    }
    // `=1.2` is Poetry's spelling of `==1.2`; a bare version (or `1.2.*`) pins it.
    Ok(vec![format!("=={}", atom.trim_start_matches('='))])
}

/// The numeric release segments of a version as written (`1.2.3rc1` → [1, 2, 3]).
fn release(v: &str) -> Result<(Vec<u64>, &str), String> {
    let v = v.trim_start_matches(['v', 'V']);
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let numbers: Result<Vec<u64>, _> = v[..end]
        .trim_end_matches('.')
        .split('.')
        .map(str::parse)
        .collect();
    match numbers {
        Ok(n) if !n.is_empty() => Ok((n, &v[end..])),
        _ => Err(format!("'{v}' is not a version")),
    }
}

/// `[1, 2]` → `1.3`: the last segment raised by one.
fn bump(release: &[u64]) -> String {
    let mut parts: Vec<u64> = release.to_vec();
    if let Some(last) = parts.last_mut() {
        *last += 1;
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// A Python constraint, whose `||` (either-or) alternatives make a union: `~2.7 || ^3.4`.
pub fn python_alternatives(text: &str) -> Result<Vec<VersionSpecifiers>, String> {
    text.split("||")
        .map(|alternative| constraint(alternative.trim()))
        .collect()
}

/// A Python constraint (`python = "^3.8"`, `~2.7 || ^3.4`) as a marker on `python_full_version`.
pub fn python_marker(text: &str) -> Result<String, String> {
    let alternatives: Vec<String> = python_alternatives(text)?
        .iter()
        .map(|specifiers| {
            let terms: Vec<String> = specifiers
                .iter()
                .map(|s| format!("python_full_version {} '{}'", s.operator(), s.version()))
                .collect();
            if terms.is_empty() {
                "python_full_version >= '0'".to_string()
            } else {
                terms.join(" and ")
            }
        })
        .collect();
    Ok(if alternatives.len() == 1 {
        alternatives.into_iter().collect()
    } else {
        alternatives
            .iter()
            .map(|a| format!("({a})"))
            .collect::<Vec<_>>()
            .join(" or ")
    })
}

/// One Poetry dependency table (or string) as what it asks for. `source_names` are the `[[tool.poetry.source]]`
/// names that are not the default index: a dependency pinned to one of them is not checked.
pub fn dependency(name: &str, value: &toml::Value) -> Result<Vec<Wanted>, String> {
    match value {
        toml::Value::String(c) => Ok(vec![index(name, c, &[])?]),
        toml::Value::Table(t) => Ok(vec![table(name, t)?]),
        // Multiple-constraint dependencies: one table per marker range.
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::Table(t) => table(name, t),
                _ => Err(format!(
                    "{name}: expected a table in a multiple-constraint list"
                )),
            })
            .collect(),
        other => Err(format!(
            "{name}: expected a version string or a table, found {}",
            other.type_str()
        )),
    }
}

fn table(name: &str, t: &toml::Table) -> Result<Wanted, String> {
    let text = |key: &str| t.get(key).and_then(toml::Value::as_str);
    for kind in ["git", "path", "url"] {
        if let Some(location) = text(kind) {
            let what = if kind == "git" {
                "git dependency"
            } else if kind == "path" {
                "path dependency"
            } else {
                "URL dependency"
            };
            let reason = format!("{what} {location}: not from the index");
            return Ok(Wanted::NotIndex {
                name: Some(crate::pep::normalize(name)),
                reason,
            });
        }
    }
    if let Some(source) = text("source") {
        let reason = format!("from the Poetry source '{source}', not from the checked index");
        return Ok(Wanted::NotIndex {
            name: Some(crate::pep::normalize(name)),
            reason,
        });
    }
    let mut markers = Vec::new();
    if let Some(m) = text("markers") {
        markers.push(format!("({m})"));
    }
    if let Some(p) = text("python") {
        markers.push(format!("({})", python_marker(p)?));
    }
    if let Some(p) = text("platform") {
        markers.push(format!("sys_platform == '{p}'"));
    }
    let mut wanted = index(name, text("version").unwrap_or("*"), &markers)?;
    if let Wanted::Index(requirement) = &mut wanted {
        requirement.extras = crate::input::table_extras(t);
    }
    Ok(wanted)
}

fn index(name: &str, version: &str, markers: &[String]) -> Result<Wanted, String> {
    let specifiers = constraint(version).map_err(|e| format!("{name}: {e}"))?;
    let marker_text = (!markers.is_empty()).then(|| markers.join(" and "));
    let marker = match &marker_text {
        Some(m) => {
            crate::pep::parse_marker(m).map_err(|e| format!("{name}: invalid marker '{m}': {e}"))?
        }
        None => MarkerTree::TRUE,
    };
    Ok(Wanted::Index(IndexRequirement {
        name: crate::pep::normalize(name),
        specifiers,
        marker,
        marker_text,
        extras: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pep440(c: &str) -> String {
        constraint(c).unwrap().to_string()
    }

    #[test]
    fn caret_and_tilde_as_poetry_core_defines_them() {
        assert_eq!(pep440("^1.2.3"), ">=1.2.3, <2");
        assert_eq!(pep440("^0.2.3"), ">=0.2.3, <0.3");
        assert_eq!(pep440("^0.0.3"), ">=0.0.3, <0.0.4");
        assert_eq!(pep440("^0.0"), ">=0.0, <0.1");
        assert_eq!(pep440("^0"), ">=0, <1");
        assert_eq!(pep440("~1.2.3"), ">=1.2.3, <1.3");
        assert_eq!(pep440("~1.2"), ">=1.2, <1.3");
        assert_eq!(pep440("~1"), ">=1, <2");
        assert_eq!(pep440("^2.0.0rc1"), ">=2.0.0rc1, <3");
    }

    #[test]
    fn other_forms() {
        assert_eq!(pep440("*"), "");
        assert_eq!(pep440("1.2.3"), "==1.2.3");
        assert_eq!(pep440("=1.2.3"), "==1.2.3");
        assert_eq!(pep440("1.2.*"), "==1.2.*");
        assert_eq!(pep440(">= 1.2, < 1.5"), ">=1.2, <1.5");
        assert_eq!(pep440(">=1.2 <1.5"), ">=1.2, <1.5");
        assert_eq!(pep440("~=1.4"), "~=1.4");
        assert!(
            constraint("^1.0 || ^2.0")
                .unwrap_err()
                .contains("either-or")
        );
        assert!(constraint("^abc").is_err());
        assert!(constraint(">=").is_err());
    }

    #[test]
    fn python_and_platform_become_markers() {
        assert_eq!(
            python_marker("^3.8").unwrap(),
            "python_full_version >= '3.8' and python_full_version < '4'"
        );
        let value: toml::Value = toml::from_str::<toml::Table>(
            "d = { version = \"^1.0\", python = \">=3.9\", platform = \"linux\", markers = \"implementation_name == 'cpython'\" }",
        )
        .unwrap()["d"]
            .clone();
        let Wanted::Index(r) = &dependency("D_ep", &value).unwrap()[0] else {
            panic!("index dependency")
        };
        assert_eq!(r.name, "d-ep");
        assert_eq!(
            r.marker_text.as_deref(),
            Some(
                "(implementation_name == 'cpython') and (python_full_version >= '3.9') and sys_platform == 'linux'"
            )
        );
    }

    #[test]
    fn git_path_url_and_source_dependencies_are_skipped() {
        let deps: toml::Table = toml::from_str(
            "a = { git = \"https://example.invalid/a.git\", branch = \"main\" }\nb = { path = \"../b\", develop = true }\n\
             c = { url = \"https://example.invalid/c-1.0.tar.gz\" }\nd = { version = \"^1\", source = \"private\" }\n\
             e = [ { version = \"^1\", python = \"<3.9\" }, { version = \"^2\", python = \">=3.9\" } ]",
        )
        .unwrap();
        for key in ["a", "b", "c", "d"] {
            let wanted = dependency(key, &deps[key]).unwrap();
            assert!(matches!(&wanted[0], Wanted::NotIndex { .. }), "{key}");
        }
        assert_eq!(dependency("e", &deps["e"]).unwrap().len(), 2);
    }
}
