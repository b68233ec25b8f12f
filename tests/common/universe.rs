//! A synthetic index written to a directory, for `Behaviour::root`: a PEP 691 page per project and a
//! `.metadata` file per wheel, with the wheels' `Requires-Dist` and any text a test wants served.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

/// An index written to a temporary directory: a PEP 691 page per project and a `.metadata` file per wheel.
#[derive(Default)]
pub struct Universe {
    /// project → (filename, requires-python)
    pub files: BTreeMap<String, Vec<(String, Option<String>)>>,
    /// Yanked filenames.
    pub yanked: Vec<String>,
    /// The reason a yanked file gives (else `true`).
    pub yank_reasons: BTreeMap<String, String>,
    pub metadata: Vec<(String, String)>,
    /// Whole files served as they are (wheels without a `.metadata` beside them).
    pub raw: Vec<(String, Vec<u8>)>,
}

impl Universe {
    /// A pure-Python wheel of `name` `version` depending on `requires` (PEP 508 strings, markers included).
    pub fn wheel(&mut self, name: &str, version: &str, requires: &[&str]) -> &mut Self {
        self.tagged(name, version, "py3-none-any", requires)
    }

    pub fn tagged(&mut self, name: &str, version: &str, tag: &str, requires: &[&str]) -> &mut Self {
        let filename = format!("{}-{version}-{tag}.whl", name.replace('-', "_"));
        let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in requires {
            text.push_str(&format!("Requires-Dist: {r}\n"));
        }
        self.metadata.push((format!("{filename}.metadata"), text));
        self.add(name, filename, None)
    }

    /// `filename`, a file of `name`, served whole with no `.metadata` beside it: its METADATA is read from
    /// the file itself.
    pub fn file(&mut self, name: &str, filename: &str, bytes: Vec<u8>) -> &mut Self {
        self.raw.push((filename.to_string(), bytes));
        self.add(name, filename.to_string(), None)
    }

    /// Marks every file of `name` `version` yanked, giving `reason`.
    pub fn yank_because(&mut self, name: &str, version: &str, reason: &str) -> &mut Self {
        self.yank(name, version);
        let prefix = format!("{}-{version}-", name.replace('-', "_"));
        for filename in self.yanked.iter().filter(|f| f.starts_with(&prefix)) {
            self.yank_reasons
                .insert(filename.clone(), reason.to_string());
        }
        self
    }

    /// Marks every file of `name` `version` yanked.
    pub fn yank(&mut self, name: &str, version: &str) -> &mut Self {
        let prefix = format!("{}-{version}-", name.replace('-', "_"));
        for (filename, _) in self.files.get(name).into_iter().flatten() {
            if filename.starts_with(&prefix) {
                self.yanked.push(filename.clone());
            }
        }
        self
    }

    pub fn sdist(&mut self, name: &str, version: &str) -> &mut Self {
        self.add(name, format!("{name}-{version}.tar.gz"), None)
    }

    pub fn add(&mut self, name: &str, filename: String, rp: Option<String>) -> &mut Self {
        self.files
            .entry(name.to_string())
            .or_default()
            .push((filename, rp));
        self
    }

    pub fn write(&self, root: &Path) {
        std::fs::create_dir_all(root.join("index")).unwrap();
        std::fs::create_dir_all(root.join("files")).unwrap();
        for (name, files) in &self.files {
            let files: Vec<Value> = files
                .iter()
                .map(|(filename, rp)| {
                    json!({"filename": filename, "url": format!("../../files/{filename}"),
                           "hashes": {}, "requires-python": rp,
                           "yanked": self.yank_reasons.get(filename).map_or_else(
                               || json!(self.yanked.contains(filename)), |r| json!(r)),
                           "size": 1000})
                })
                .collect();
            let page = json!({"meta": {"api-version": "1.1"}, "name": name, "files": files});
            std::fs::write(
                root.join("index").join(format!("{name}.json")),
                page.to_string(),
            )
            .unwrap();
        }
        for (file, text) in &self.metadata {
            std::fs::write(root.join("files").join(file), text).unwrap();
        }
        for (file, bytes) in &self.raw {
            std::fs::write(root.join("files").join(file), bytes).unwrap();
        }
    }
}
