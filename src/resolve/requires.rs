//! What a chosen version depends on: the `Requires-Dist` of the core metadata of the file pip would install,
//! and for an sdist (whose metadata pip learns only by building it) what the index declares, else what a
//! wheel of the same release states, else nothing known.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::core_metadata;
use crate::dist::DistFile;
use crate::index::{IndexFile, Lookup, PackageSource, PageFile, ProjectPage};
use crate::input::IndexRequirement;
use crate::pep::{MarkerTree, Version, VersionOrUrl, VersionSpecifiers, parse_requirement};
use crate::select::{Catalog, Policy};
use crate::target::{TagRanks, Target};

/// A requirement as its dependent states it. One allocation, shared by every clone: the releases of a project
/// mostly state the same requirements, and a tree reads hundreds of releases' metadata (`ReadMetadata` keeps
/// one `Dep` per distinct `Requires-Dist` line).
#[derive(Debug, Clone)]
pub struct Dep(Arc<DepFields>);

#[derive(Debug)]
pub struct DepFields {
    pub name: Arc<str>,
    pub specifiers: VersionSpecifiers,
    pub extras: Vec<Arc<str>>,
    pub marker: MarkerTree,
    /// As written, for reports: `thinc<8.4.0,>=8.3.0`.
    pub text: String,
}

impl std::ops::Deref for Dep {
    type Target = DepFields;

    fn deref(&self) -> &DepFields {
        &self.0
    }
}

impl Dep {
    pub(super) fn from_requirement(r: &IndexRequirement, text: &str) -> Self {
        Dep::new(DepFields {
            name: r.name.as_str().into(),
            specifiers: r.specifiers.clone(),
            extras: r.extras.iter().map(|e| e.as_str().into()).collect(),
            marker: MarkerTree::TRUE,
            text: text.to_string(),
        })
    }

    fn new(fields: DepFields) -> Self {
        Dep(Arc::new(fields))
    }

    /// A `Requires-Dist` value; `None` for one that does not parse (pip rejects such metadata first).
    fn from_metadata(value: &str) -> Option<Self> {
        let r = parse_requirement(value, Path::new("")).ok()?;
        let specifiers = match r.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(s)) => s,
            _ => VersionSpecifiers::empty(),
        };
        Some(Dep::new(DepFields {
            name: crate::pep::normalize(r.name.as_ref()).into(),
            specifiers,
            extras: r
                .extras
                .iter()
                .map(|e| crate::pep::normalize(e.as_ref()).into())
                .collect(),
            marker: r.marker,
            text: value.split(';').next().unwrap_or(value).trim().to_string(),
        }))
    }
}

/// What a version's core metadata says of its dependencies.
pub enum StatedDependencies {
    Deps(Arc<[Dep]>),
    /// An sdist's dependencies as a wheel of the same release declares them (named): the index declares
    /// none for the sdist, and a release's wheels and sdist state the same `Requires-Dist`, markers and all.
    Borrowed(Arc<[Dep]>, String),
    /// pip drops the version: its metadata does not parse or does not match the file.
    Invalid(String),
    /// No metadata to read (an sdist the index declares nothing for): its dependencies are not known.
    Unknown(String),
    /// The metadata could not be fetched.
    Failed(String),
}

impl StatedDependencies {
    /// Every dependency stated, when the metadata could be read and pip accepts it.
    pub fn deps(&self) -> Option<&[Dep]> {
        match self {
            StatedDependencies::Deps(deps) | StatedDependencies::Borrowed(deps, _) => Some(deps),
            StatedDependencies::Invalid(_)
            | StatedDependencies::Unknown(_)
            | StatedDependencies::Failed(_) => None,
        }
    }
}

/// Each core metadata file read, as pip judges it (`Err`: why pip rejects it) and its `Requires-Dist`
/// parsed: most files (pure-Python wheels, sdists) are the same on every target, and every target's
/// resolution reads them.
#[derive(Default)]
pub struct ReadMetadata {
    judged: Mutex<HashMap<(String, bool), Judged>>,
    /// Each distinct `Requires-Dist` value read, parsed once (`None`: it does not parse).
    lines: Mutex<HashMap<Box<str>, Option<Dep>>>,
}

/// A core metadata file's `Requires-Dist`, or why it is not taken.
type Judged = Result<Arc<[Dep]>, core_metadata::Refused>;

impl ReadMetadata {
    /// The dependencies the metadata `text` of `file` states, checked against `name` `version` when `check`.
    fn read(&self, file: &IndexFile, text: &str, check: Option<(&str, &Version)>) -> Judged {
        let key = (file.url.as_str().to_string(), check.is_some());
        if let Some(read) = self
            .judged
            .lock()
            .ok()
            .and_then(|memo| memo.get(&key).cloned())
        {
            return read;
        }
        let read = check
            .map_or(Ok(()), |(name, version)| {
                core_metadata::check(text, name, version)
            })
            .map(|()| self.deps(text).into());
        if let Ok(mut memo) = self.judged.lock() {
            memo.insert(key, read.clone());
        }
        read
    }

    /// The `Requires-Dist` of valid metadata, each distinct line parsed once.
    fn deps(&self, text: &str) -> Vec<Dep> {
        let Ok(mut lines) = self.lines.lock() else {
            return parse_deps(text);
        };
        core_metadata::requires_dist(text)
            .iter()
            .filter_map(|value| {
                if let Some(dep) = lines.get(value.as_str()) {
                    return dep.clone();
                }
                let dep = Dep::from_metadata(value);
                lines.insert(value.as_str().into(), dep.clone());
                dep
            })
            .collect()
    }
}

/// Where a release's dependencies are read from, for one target.
pub struct Release<'a> {
    pub index: &'a dyn PackageSource,
    pub target: &'a Target,
    pub ranks: &'a TagRanks,
    pub policy: Policy,
    pub read: &'a ReadMetadata,
}

impl Release<'_> {
    /// What `name` `version` depends on: the core metadata of the file pip would install; for an sdist, what
    /// the index declares, else what a wheel of the same release states, else nothing known.
    pub async fn requires(&self, name: &str, version: &Version) -> StatedDependencies {
        let lookup = self.index.project(name).await;
        let Lookup::Found(page) = lookup.as_ref() else {
            return StatedDependencies::Failed(format!(
                "the index page of {name} could not be read"
            ));
        };
        let pin = crate::pep::exactly(version);
        // A wheel whose metadata pip rejects is dropped as a file: pip takes the release's next file (another
        // wheel, then the sdist), and drops the release only when none is left. Each turn drops one file.
        let mut rejected: HashMap<String, String> = HashMap::new();
        let mut first_rejection: Option<String> = None;
        loop {
            let (wheel, sdist) = {
                let catalog = Catalog::of_release(page, name, self.target, self.ranks, version);
                let choice = catalog.choose(&pin, self.policy, &rejected);
                let wheel = choice.wheel.map(|(file, _)| file.to_index_file());
                let sdist = choice.verdict.file.as_ref().and_then(|f| {
                    page.release_files(version)
                        .iter()
                        .map(|&i| page.file(i))
                        .find(|x| x.filename() == f)
                        .map(|x| x.to_index_file())
                });
                (wheel, sdist)
            };
            if let Some(file) = wheel {
                return match self.index.core_metadata(&file).await.as_ref() {
                    Lookup::Found(text) => match self.read.read(&file, text, Some((name, version)))
                    {
                        Ok(deps) => StatedDependencies::Deps(deps),
                        Err(core_metadata::Refused::ByPip(why)) => {
                            let why = format!("pip rejects {}: {why}", file.filename);
                            first_rejection.get_or_insert_with(|| why.clone());
                            rejected.insert(file.filename.clone(), why);
                            continue;
                        }
                        Err(core_metadata::Refused::Unreadable(why)) => StatedDependencies::Failed(
                            format!("{}: {why}; not read", file.filename),
                        ),
                    },
                    Lookup::Missing => StatedDependencies::Unknown(format!(
                        "{} has no core metadata",
                        file.filename
                    )),
                    Lookup::Failed(e) => {
                        StatedDependencies::Failed(format!("core metadata lookup failed: {e}"))
                    }
                };
            }
            let Some(file) = sdist else {
                return match first_rejection {
                    Some(why) => StatedDependencies::Invalid(why),
                    None => StatedDependencies::Unknown(format!(
                        "{name} {version} has no file to install"
                    )),
                };
            };
            // After a rejected wheel, pip builds the sdist for its metadata and checks it the same way.
            let check = first_rejection.is_some().then_some((name, version));
            return match self.index.declared_metadata(&file).await.as_ref() {
                Lookup::Found(text) => match self.read.read(&file, text, check) {
                    Ok(deps) => StatedDependencies::Deps(deps),
                    Err(core_metadata::Refused::ByPip(why)) => {
                        StatedDependencies::Invalid(format!("pip rejects {}: {why}", file.filename))
                    }
                    Err(why) => StatedDependencies::Failed(why.to_string()),
                },
                Lookup::Missing => match first_rejection {
                    Some(why) => {
                        StatedDependencies::Invalid(sdist_states_the_same(&why, &file.filename))
                    }
                    None => self.borrowed(page, name, version, &file.filename).await,
                },
                Lookup::Failed(e) => {
                    StatedDependencies::Failed(format!("core metadata lookup failed: {e}"))
                }
            };
        }
    }

    /// For an sdist with no declared metadata: the metadata of a wheel of the same release (a Linux one
    /// first), or what the index's JSON API declares, or `Unknown`.
    async fn borrowed(
        &self,
        page: &ProjectPage,
        name: &str,
        version: &Version,
        sdist: &str,
    ) -> StatedDependencies {
        let mut wheels: Vec<PageFile> = page
            .release_files(version)
            .iter()
            .map(|&i| page.file(i))
            .filter(|f| matches!(f.dist(), DistFile::Wheel(_)))
            .collect();
        let arch = self.target.arch.as_str();
        wheels.sort_by_key(|f| {
            (
                !f.filename().contains("linux"),
                !f.filename().contains(arch),
            )
        });
        let Some(wheel) = wheels.first().map(|f| f.to_index_file()) else {
            return self.declared(name, version, sdist).await;
        };
        let wheel = &wheel;
        match self.index.core_metadata(wheel).await.as_ref() {
            Lookup::Found(text) => match self.read.read(wheel, text, None) {
                Ok(deps) => StatedDependencies::Borrowed(deps, wheel.filename.clone()),
                Err(why) => StatedDependencies::Failed(why.to_string()),
            },
            Lookup::Missing => {
                StatedDependencies::Unknown(format!("{} has no core metadata", wheel.filename))
            }
            Lookup::Failed(e) => {
                StatedDependencies::Failed(format!("core metadata lookup failed: {e}"))
            }
        }
    }

    /// For an sdist-only release: the `Requires-Dist` the index's JSON API declares for it, or `Unknown`.
    async fn declared(&self, name: &str, version: &Version, sdist: &str) -> StatedDependencies {
        match self
            .index
            .declared_requires_dist(name, &version.to_string())
            .await
        {
            Lookup::Found(list) => StatedDependencies::Borrowed(
                list.iter()
                    .filter_map(|v| Dep::from_metadata(v))
                    .collect::<Vec<_>>()
                    .into(),
                format!("the release's metadata on the index (for {sdist})"),
            ),
            Lookup::Missing => StatedDependencies::Unknown(format!(
                "{sdist} is an sdist the index declares no dependencies for, and the release has no \
                 wheel: pip learns them only by building it"
            )),
            Lookup::Failed(e) => {
                StatedDependencies::Failed(format!("declared metadata lookup failed: {e}"))
            }
        }
    }
}

/// Why pip drops the sdist of a release whose wheel it rejected (`why`), when the index declares no metadata
/// for the sdist: pip builds it to read its metadata, and a release's files state the same `Requires-Dist`.
pub fn sdist_states_the_same(why: &str, sdist: &str) -> String {
    format!("{why}; pip builds {sdist} to read its metadata, which states the same")
}

/// The `Requires-Dist` of valid metadata.
pub(crate) fn parse_deps(text: &str) -> Vec<Dep> {
    core_metadata::requires_dist(text)
        .iter()
        .filter_map(|value| Dep::from_metadata(value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: six>=1\n\
                        Requires-Dist: tomli; python_version < \"3.11\"\n";

    #[test]
    fn each_file_is_judged_and_parsed_once_for_every_target() {
        let read = ReadMetadata::default();
        let wheel = IndexFile::named("demo-1.0-py3-none-any.whl");
        let version = crate::pep::parse_version("1.0").unwrap();
        let deps = read.read(&wheel, DEMO, Some(("demo", &version))).unwrap();
        assert_eq!(
            deps.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(),
            ["six>=1", "tomli"]
        );
        // The memo answers: the text is not read again.
        let again = read.read(&wheel, "", Some(("demo", &version))).unwrap();
        assert!(Arc::ptr_eq(&deps, &again));
        // Read without the check (an sdist's borrowed metadata), the same file is its own entry.
        let borrowed = read.read(&wheel, "Name: demo\n", None).unwrap();
        assert!(borrowed.is_empty());
    }

    #[test]
    fn a_line_two_releases_state_is_parsed_once() {
        let read = ReadMetadata::default();
        let (one, two) = (
            IndexFile::named("demo-1.0-py3-none-any.whl"),
            IndexFile::named("demo-1.1-py3-none-any.whl"),
        );
        let newer = DEMO.replace("Version: 1.0", "Version: 1.1") + "Requires-Dist: idna\n";
        let first = read.read(&one, DEMO, None).unwrap();
        let second = read.read(&two, &newer, None).unwrap();
        assert_eq!(second.len(), 3);
        for (a, b) in first.iter().zip(second.iter()) {
            assert_eq!(a.text, b.text);
            assert!(Arc::ptr_eq(&a.0, &b.0), "{} parsed twice", a.text);
        }
        assert_eq!(read.lines.lock().unwrap().len(), 3);
    }

    #[test]
    fn metadata_pip_rejects_stays_rejected() {
        let read = ReadMetadata::default();
        let wheel = IndexFile::named("other-1.0-py3-none-any.whl");
        let version = crate::pep::parse_version("1.0").unwrap();
        let why = read
            .read(&wheel, DEMO, Some(("other", &version)))
            .unwrap_err();
        assert!(why.to_string().contains("names another project"), "{why}");
        assert!(read.read(&wheel, DEMO, Some(("other", &version))).is_err());
        assert_eq!(read.read(&wheel, DEMO, None).unwrap().len(), 2);
    }
}
