//! `pyproject.toml`: PEP 621 `[project]` dependencies and optional dependencies (extras), PEP 735
//! `[dependency-groups]` (with `{include-group = …}`), Poetry's `[tool.poetry]` dependencies and groups, and
//! the project's `requires-python`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::toml_file::TomlFile;
use super::{Entry, Input, Selection, Wanted, parse_requirement, poetry_syntax};
use crate::pep::normalize;

#[derive(Deserialize, Default)]
struct Pyproject {
    #[serde(default)]
    project: Option<Project>,
    #[serde(rename = "dependency-groups", default)]
    dependency_groups: BTreeMap<String, Vec<Spanned<GroupItem>>>,
    #[serde(default)]
    tool: Option<Tool>,
}

#[derive(Deserialize, Default)]
struct Project {
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(rename = "optional-dependencies", default)]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(rename = "requires-python", default)]
    requires_python: Option<Spanned<String>>,
}

/// How deep `include-group` tables are followed: each level is a recursion. Real projects nest two or three.
const MAX_GROUP_DEPTH: usize = 32;

/// The expansion of one selected group: the groups being expanded, outermost first (an include of one of
/// them is a cycle), and every group expanded already, whose requirements are in once: a group that several
/// included groups include (a diamond) is expanded once, so that 30 levels of diamonds are not 2^30.
#[derive(Default)]
struct GroupWalk {
    stack: Vec<String>,
    expanded: BTreeSet<String>,
}

/// PEP 735: a group lists requirement strings and `{include-group = "name"}` tables.
#[derive(Deserialize)]
#[serde(untagged)]
enum GroupItem {
    Requirement(String),
    Include {
        #[serde(rename = "include-group")]
        include_group: String,
    },
}

#[derive(Deserialize, Default)]
struct Tool {
    #[serde(default)]
    poetry: Option<Poetry>,
}

#[derive(Deserialize, Default)]
struct Poetry {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(rename = "dev-dependencies", default)]
    dev_dependencies: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<toml::Value>>,
}

pub fn read(path: &str, text: &str, selection: &Selection, input: &mut Input) {
    let file = TomlFile::new(path, text);
    let Some(doc) = file.decode::<Pyproject>(input) else {
        return;
    };
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut reader = Reader {
        file: &file,
        dir,
        entries: Vec::new(),
        input,
    };
    let project = doc.project.unwrap_or_default();
    if let Some(rp) = &project.requires_python {
        reader.requires_python(rp, "project.requires-python", false);
    }
    for (i, dep) in project.dependencies.iter().enumerate() {
        reader.pep508(dep, format!("project.dependencies[{i}]"));
    }
    for (extra, deps) in &project.optional_dependencies {
        if selection.wants_extra(extra) {
            for (i, dep) in deps.iter().enumerate() {
                reader.pep508(dep, format!("project.optional-dependencies.{extra}[{i}]"));
            }
        }
    }
    reader.unknown_names(
        "extra",
        &selection.extras,
        project.optional_dependencies.keys(),
        doc.tool.as_ref(),
    );
    reader.dependency_groups(&doc.dependency_groups, selection);
    if let Some(poetry) = doc.tool.and_then(|t| t.poetry) {
        reader.poetry(&poetry, selection, project.dependencies.is_empty());
    }
    // Report in file order, whichever table each requirement came from.
    let mut entries = std::mem::take(&mut reader.entries);
    entries.sort_by_key(|e| e.source.line);
    reader.input.entries.extend(entries);
}

struct Reader<'a> {
    file: &'a TomlFile<'a>,
    dir: &'a Path,
    entries: Vec<Entry>,
    input: &'a mut Input,
}

impl Reader<'_> {
    fn pep508(&mut self, dep: &Spanned<String>, key: String) {
        let text = dep.get_ref();
        match parse_requirement(text, self.dir) {
            Ok(wanted) => {
                let source = self.file.location(dep.span(), key);
                self.entries.push(Entry {
                    text: text.clone(),
                    source,
                    wanted,
                });
            }
            Err((offset, message)) => {
                // The string starts after its opening quote.
                let at = dep.span().start + 1 + offset;
                self.input
                    .errors
                    .push(self.file.error(Some(at..at), format!("{key}: {message}")));
            }
        }
    }

    fn requires_python(&mut self, rp: &Spanned<String>, key: &str, poetry_syntax: bool) {
        if let Err(e) = self.file.declare_python(rp, key, poetry_syntax, self.input) {
            self.input.errors.push(e);
        }
    }

    /// PEP 735: the selected groups, with their includes expanded (a cycle is an error).
    fn dependency_groups(
        &mut self,
        groups: &BTreeMap<String, Vec<Spanned<GroupItem>>>,
        selection: &Selection,
    ) {
        let by_normal: BTreeMap<String, &String> =
            groups.keys().map(|k| (normalize(k), k)).collect();
        for name in groups.keys().filter(|g| selection.wants_group(g)) {
            let mut walk = GroupWalk::default();
            self.group(groups, &by_normal, name, &mut walk);
        }
        let named = selection
            .groups
            .iter()
            .filter(|g| !by_normal.contains_key(&normalize(g)));
        for group in named {
            self.input.errors.push(self.file.error(
                None,
                format!("no dependency group '{group}' in {}", self.file.path),
            ));
        }
    }

    fn group(
        &mut self,
        groups: &BTreeMap<String, Vec<Spanned<GroupItem>>>,
        by_normal: &BTreeMap<String, &String>,
        name: &String,
        walk: &mut GroupWalk,
    ) {
        if !walk.expanded.insert(normalize(name)) {
            return;
        }
        walk.stack.push(normalize(name));
        for (i, item) in groups[name].iter().enumerate() {
            let key = format!("dependency-groups.{name}[{i}]");
            match item.get_ref() {
                GroupItem::Requirement(text) => {
                    let dep = Spanned::new(item.span(), text.clone());
                    self.pep508(&dep, key);
                }
                GroupItem::Include { include_group } => {
                    let target = normalize(include_group);
                    if walk.stack.contains(&target) {
                        let message =
                            format!("{key}: include-group '{include_group}' makes a cycle");
                        self.input
                            .errors
                            .push(self.file.error(Some(item.span()), message));
                    } else if walk.stack.len() >= MAX_GROUP_DEPTH {
                        let message = format!(
                            "{key}: include-group '{include_group}' is {MAX_GROUP_DEPTH} groups deep: \
                             too deep to follow"
                        );
                        self.input
                            .errors
                            .push(self.file.error(Some(item.span()), message));
                    } else if let Some(included) = by_normal.get(&target) {
                        self.group(groups, by_normal, included, walk);
                    } else {
                        let message =
                            format!("{key}: include-group '{include_group}' names no group");
                        self.input
                            .errors
                            .push(self.file.error(Some(item.span()), message));
                    }
                }
            }
        }
        walk.stack.pop();
    }

    /// Poetry's main dependencies (when `[project]` lists none), optional ones for selected extras, and groups.
    fn poetry(&mut self, poetry: &Poetry, selection: &Selection, use_main: bool) {
        let selected_optional: Vec<String> = poetry
            .extras
            .iter()
            .filter(|(extra, _)| selection.wants_extra(extra))
            .flat_map(|(_, names)| names.iter().map(|n| normalize(n)))
            .collect();
        if use_main {
            for (name, value) in &poetry.dependencies {
                if name == "python" {
                    if let Some(c) = value.get_ref().as_str() {
                        let declared = Spanned::new(value.span(), c.to_string());
                        self.requires_python(&declared, "tool.poetry.dependencies.python", true);
                    }
                    continue;
                }
                let optional = value
                    .get_ref()
                    .get("optional")
                    .and_then(toml::Value::as_bool)
                    == Some(true);
                if optional && !selected_optional.contains(&normalize(name)) {
                    continue;
                }
                self.poetry_dependency(name, value, format!("tool.poetry.dependencies.{name}"));
            }
        }
        if selection.wants_group("dev") {
            for (name, value) in &poetry.dev_dependencies {
                self.poetry_dependency(name, value, format!("tool.poetry.dev-dependencies.{name}"));
            }
        }
        for (group, table) in poetry
            .group
            .iter()
            .filter(|(g, _)| selection.wants_group(g))
        {
            for (name, value) in &table.dependencies {
                if name != "python" {
                    self.poetry_dependency(
                        name,
                        value,
                        format!("tool.poetry.group.{group}.dependencies.{name}"),
                    );
                }
            }
        }
    }

    fn poetry_dependency(&mut self, name: &str, value: &Spanned<toml::Value>, key: String) {
        match poetry_syntax::dependency(name, value.get_ref()) {
            Ok(wanted) => {
                for w in wanted {
                    let text = match (&w, value.get_ref()) {
                        (_, toml::Value::String(c)) => format!("{name} = \"{c}\""),
                        (Wanted::Index(r), _) => format!("{name}{}", r.specifiers),
                        (Wanted::NotIndex { .. }, _) => name.to_string(),
                    };
                    let source = self.file.location(value.span(), key.clone());
                    self.entries.push(Entry {
                        text,
                        source,
                        wanted: w,
                    });
                }
            }
            Err(message) => self.input.errors.push(
                self.file
                    .error(Some(value.span()), format!("{key}: {message}")),
            ),
        }
    }

    /// `--extra` names that the project does not define are errors: a typo would otherwise check less.
    fn unknown_names<'k>(
        &mut self,
        what: &str,
        asked: &[String],
        defined: impl Iterator<Item = &'k String>,
        tool: Option<&Tool>,
    ) {
        let mut known: Vec<String> = defined.map(|d| normalize(d)).collect();
        if let Some(poetry) = tool.and_then(|t| t.poetry.as_ref()) {
            known.extend(poetry.extras.keys().map(|k| normalize(k)));
        }
        for name in asked.iter().filter(|a| !known.contains(&normalize(a))) {
            self.input.errors.push(
                self.file
                    .error(None, format!("no {what} '{name}' in {}", self.file.path)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{IndexRequirement, Input};

    fn read_str(text: &str, selection: &Selection) -> Input {
        let mut input = Input::default();
        read("proj/pyproject.toml", text, selection, &mut input);
        input
    }

    fn names(input: &Input) -> Vec<String> {
        input
            .entries
            .iter()
            .map(|e| match &e.wanted {
                Wanted::Index(IndexRequirement {
                    name, specifiers, ..
                }) => format!("{name}{specifiers}"),
                Wanted::NotIndex { name, .. } => {
                    format!("skip:{}", name.clone().unwrap_or_default())
                }
            })
            .collect()
    }

    const PEP621: &str = r#"
[project]
name = "demo"
requires-python = ">=3.10"
dependencies = [
  "requests>=2.31",
  "numpy==2.1.3 ; platform_machine == 'x86_64'",
  "mylib @ file:///src/mylib",
]

[project.optional-dependencies]
postgres = ["psycopg2==2.9.10"]
test = ["pytest>=8"]

[dependency-groups]
lint = ["ruff"]
typing = ["mypy", {include-group = "lint"}]
dev = [{include-group = "typing"}, "ipython"]
"#;

    #[test]
    fn include_group_diamonds_expand_once_and_chains_stop_at_the_limit() {
        // g0 includes g1 twice over (through a and b), g1 likewise g2, … 15 levels: 2^15 paths to g15.
        let mut text = String::from("[project]\nname = \"demo\"\n[dependency-groups]\n");
        for i in 0..15 {
            text.push_str(&format!(
                "g{i} = [{{include-group = \"a{i}\"}}, {{include-group = \"b{i}\"}}]\n\
                 a{i} = [\"pa{i}\", {{include-group = \"g{}\"}}]\n\
                 b{i} = [\"pb{i}\", {{include-group = \"g{}\"}}]\n",
                i + 1,
                i + 1
            ));
        }
        text.push_str("g15 = [\"leaf\"]\n");
        let select = |group: &str| Selection {
            groups: vec![group.into()],
            ..Default::default()
        };
        let input = read_str(&text, &select("g0"));
        assert_eq!(input.entries.len(), 31, "{:?}", input.errors);
        assert!(input.errors.is_empty(), "{:?}", input.errors);

        // A chain of 100,000 groups: an error at the include one level too deep, no stack overflow.
        let mut text = String::from("[project]\nname = \"demo\"\n[dependency-groups]\n");
        for i in 0..100_000 {
            text.push_str(&format!(
                "c{i} = [\"p{i}\", {{include-group = \"c{}\"}}]\n",
                i + 1
            ));
        }
        text.push_str("c100000 = []\n");
        let input = read_str(&text, &select("c0"));
        assert_eq!(input.entries.len(), MAX_GROUP_DEPTH);
        assert_eq!(input.errors.len(), 1);
        let error = &input.errors[0];
        assert!(
            error.message.contains("32 groups deep"),
            "{}",
            error.message
        );
        assert_eq!(error.line, Some(3 + MAX_GROUP_DEPTH));
    }

    #[test]
    fn project_dependencies_extras_and_groups() {
        let plain = read_str(PEP621, &Selection::default());
        assert!(plain.errors.is_empty(), "{:?}", plain.errors);
        assert_eq!(
            names(&plain),
            ["requests>=2.31", "numpy==2.1.3", "skip:mylib"]
        );
        assert_eq!(plain.entries[1].source.line, 7);
        assert_eq!(
            plain.entries[1].source.key.as_deref(),
            Some("project.dependencies[1]")
        );
        assert_eq!(plain.requires_python.as_ref().unwrap().text, ">=3.10");
        let extra = read_str(
            PEP621,
            &Selection {
                extras: vec!["Postgres".into()],
                ..Default::default()
            },
        );
        assert_eq!(names(&extra).len(), 4);
        let all = read_str(
            PEP621,
            &Selection {
                all_extras: true,
                groups: vec!["dev".into()],
                ..Default::default()
            },
        );
        assert_eq!(
            names(&all),
            [
                "requests>=2.31",
                "numpy==2.1.3",
                "skip:mylib",
                "psycopg2==2.9.10",
                "pytest>=8",
                "ruff",
                "mypy",
                "ipython"
            ]
        );
    }

    #[test]
    fn group_cycles_unknown_groups_and_bad_requirements_are_errors() {
        let text = "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [\"six\", {include-group = \"a\"}]\n\
                    c = [{include-group = \"nope\"}, \"bad==\"]\n";
        let input = read_str(
            text,
            &Selection {
                all_groups: true,
                ..Default::default()
            },
        );
        let messages: Vec<&str> = input.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("cycle")), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.contains("names no group")),
            "{messages:?}"
        );
        let bad = input
            .errors
            .iter()
            .find(|e| e.message.contains("invalid requirement"))
            .unwrap();
        assert_eq!(bad.line, Some(4));
        let unknown = read_str(
            PEP621,
            &Selection {
                groups: vec!["docs".into()],
                extras: vec!["pg".into()],
                ..Default::default()
            },
        );
        assert_eq!(unknown.errors.len(), 2);
    }

    const POETRY: &str = r#"
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
numpy = { version = "~1.26", markers = "platform_machine == 'x86_64'" }
psycopg2 = { version = "^2.9", optional = true }
mylib = { path = "../mylib", develop = true }
clip = { git = "https://example.invalid/clip.git" }

[tool.poetry.extras]
postgres = ["psycopg2"]

[tool.poetry.group.dev.dependencies]
pytest = "^8"
"#;

    #[test]
    fn poetry_dependencies_groups_and_python() {
        let plain = read_str(POETRY, &Selection::default());
        assert!(plain.errors.is_empty(), "{:?}", plain.errors);
        assert_eq!(
            names(&plain),
            [
                "requests>=2.31, <3",
                "numpy>=1.26, <1.27",
                "skip:mylib",
                "skip:clip"
            ]
        );
        assert_eq!(
            plain.requires_python.as_ref().unwrap().any_of[0].to_string(),
            ">=3.9, <4"
        );
        assert_eq!(
            plain.entries[0].source.key.as_deref(),
            Some("tool.poetry.dependencies.requests")
        );
        let dev = read_str(
            POETRY,
            &Selection {
                dev: true,
                extras: vec!["postgres".into()],
                ..Default::default()
            },
        );
        assert_eq!(names(&dev).len(), 6);
    }

    #[test]
    fn bad_toml_names_line_and_column() {
        let input = read_str(
            "[project]\ndependencies = [\"a\" \"b\"]\n",
            &Selection::default(),
        );
        assert_eq!(input.errors.len(), 1);
        assert_eq!(
            (input.errors[0].line, input.errors[0].column),
            (Some(2), Some(21))
        );
        let wrong_type = read_str(
            "[project]\ndependencies = \"numpy\"\n",
            &Selection::default(),
        );
        assert_eq!(wrong_type.errors[0].line, Some(2));
    }
}
