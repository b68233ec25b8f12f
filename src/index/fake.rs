//! An index in memory, for the unit tests of the decisions above the index: projects and their files, the
//! core metadata served beside each, lookups that fail, and a log of what was asked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::error::{FailureKind, Lookup, LookupError};
use super::page::{IndexFile, ProjectPage};
use super::source::{Answer, Later, PackageSource};

#[derive(Default)]
pub struct FakeIndex {
    /// project → its files, in page order.
    files: BTreeMap<String, Vec<IndexFile>>,
    /// file name → the core metadata served beside it.
    metadata: HashMap<String, String>,
    /// (project, version) → the `Requires-Dist` the index's JSON API declares.
    declared: HashMap<(String, String), Vec<String>>,
    /// Projects whose page lookup fails, and files whose metadata lookup fails.
    failing: HashSet<String>,
    /// Every lookup asked, in order: `page <name>`, `metadata <file>`, `declared <file>`.
    asked: Mutex<Vec<String>>,
}

impl FakeIndex {
    /// A pure-Python wheel of `name` `version` stating `requires` (PEP 508 strings, markers included).
    pub fn wheel(self, name: &str, version: &str, requires: &[&str]) -> Self {
        self.tagged(name, version, "py3-none-any", requires)
    }

    /// A wheel with the tag triple `tag` (`cp312-cp312-musllinux_1_2_x86_64`) stating `requires`.
    pub fn tagged(self, name: &str, version: &str, tag: &str, requires: &[&str]) -> Self {
        let filename = format!("{}-{version}-{tag}.whl", name.replace('-', "_"));
        let text = metadata(name, version, requires);
        self.file(name, &filename, Some(text))
    }

    /// An sdist of `name` `version`, with no metadata beside it.
    pub fn sdist(self, name: &str, version: &str) -> Self {
        self.file(name, &format!("{name}-{version}.tar.gz"), None)
    }

    /// `filename`, a file of `name`, with `metadata` served beside it (none: the index has none).
    pub fn file(mut self, name: &str, filename: &str, metadata: Option<String>) -> Self {
        let file = IndexFile {
            size: Some(1000),
            ..IndexFile::named(filename)
        };
        self.files.entry(name.to_string()).or_default().push(file);
        if let Some(text) = metadata {
            self.metadata.insert(filename.to_string(), text);
        }
        self
    }

    /// Every file of `name` `version` yanked.
    pub fn yank(mut self, name: &str, version: &str) -> Self {
        let wheel = format!("{}-{version}-", name.replace('-', "_"));
        let sdist = format!("{name}-{version}.tar.gz");
        for file in self.files.get_mut(name).into_iter().flatten() {
            if file.filename.starts_with(&wheel) || file.filename == sdist {
                file.yanked = Some(String::new());
            }
        }
        self
    }

    /// The `Requires-Dist` the index's JSON API declares for `name` `version`.
    pub fn declare(mut self, name: &str, version: &str, requires: &[&str]) -> Self {
        self.declared.insert(
            (name.to_string(), version.to_string()),
            requires.iter().map(ToString::to_string).collect(),
        );
        self
    }

    /// The page of `name` cannot be read, or, given a file name, the metadata of that file.
    pub fn failing(mut self, name: &str) -> Self {
        self.failing.insert(name.to_string());
        self
    }

    /// Every lookup asked so far, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    fn log(&self, what: String) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(what);
        }
    }

    fn metadata_of(&self, file: &IndexFile) -> Arc<Lookup<String>> {
        if self.failing.contains(&file.filename) {
            return Arc::new(Lookup::Failed(LookupError::new(
                FailureKind::Network,
                format!(
                    "{}.metadata: timed out after 1 s 4 times",
                    file.url.as_str()
                ),
            )));
        }
        Arc::new(match self.metadata.get(&file.filename) {
            Some(text) => Lookup::Found(text.clone()),
            None => Lookup::Missing,
        })
    }
}

/// Core metadata stating `name` `version` and `requires`.
pub fn metadata(name: &str, version: &str, requires: &[&str]) -> String {
    let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for r in requires {
        text.push_str(&format!("Requires-Dist: {r}\n"));
    }
    text
}

impl PackageSource for FakeIndex {
    fn project<'a>(&'a self, name: &'a str) -> Answer<'a, Arc<Lookup<ProjectPage>>> {
        self.log(format!("page {name}"));
        let answer = if self.failing.contains(name) {
            Lookup::Failed(LookupError::new(
                FailureKind::Status(503),
                format!("https://index.example.invalid/simple/{name}/: server answered 503"),
            ))
        } else {
            match self.files.get(name) {
                Some(files) => Lookup::Found(
                    ProjectPage::of_project(files, name).expect("a test page is small"),
                ),
                None => Lookup::Missing,
            }
        };
        Box::pin(std::future::ready(Arc::new(answer)))
    }

    fn core_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>> {
        self.log(format!("metadata {}", file.filename));
        Box::pin(std::future::ready(self.metadata_of(file)))
    }

    fn declared_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>> {
        self.log(format!("declared {}", file.filename));
        // What is served beside the file, and nothing read from the file itself.
        Box::pin(std::future::ready(self.metadata_of(file)))
    }

    fn declared_requires_dist<'a>(
        &'a self,
        name: &'a str,
        version: &'a str,
    ) -> Answer<'a, Lookup<Vec<String>>> {
        self.log(format!("json {name} {version}"));
        let answer = match self.declared.get(&(name.to_string(), version.to_string())) {
            Some(list) => Lookup::Found(list.clone()),
            None => Lookup::Missing,
        };
        Box::pin(std::future::ready(answer))
    }

    fn forget(&self, name: &str, later: Later) {
        self.log(format!("forget {name} {later:?}"));
    }
}
