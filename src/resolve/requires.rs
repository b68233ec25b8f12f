//! What a chosen version depends on: the `Requires-Dist` of the core metadata of the file pip would install,
//! and for an sdist (whose metadata pip learns only by building it) what the index declares, else what a
//! wheel of the same release states, else nothing known.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::provider::Provider;
use crate::dist::DistFile;
use crate::index::{IndexFile, Lookup, ProjectPage};
use crate::input::IndexRequirement;
use crate::metadata;
use crate::pep::{MarkerTree, Version, VersionOrUrl, VersionSpecifiers, parse_requirement};
use crate::select::Catalog;

/// A requirement as its dependent states it.
#[derive(Debug, Clone)]
pub struct Dep {
    pub name: Arc<str>,
    pub specifiers: VersionSpecifiers,
    pub extras: Vec<Arc<str>>,
    pub marker: MarkerTree,
    /// As written, for reports: `thinc<8.4.0,>=8.3.0`.
    pub text: String,
}

impl Dep {
    pub(super) fn from_requirement(r: &IndexRequirement, text: &str) -> Self {
        Dep {
            name: r.name.as_str().into(),
            specifiers: r.specifiers.clone(),
            extras: r.extras.iter().map(|e| e.as_str().into()).collect(),
            marker: MarkerTree::TRUE,
            text: text.to_string(),
        }
    }

    /// A `Requires-Dist` value; `None` for one that does not parse (pip rejects such metadata first).
    fn from_metadata(value: &str) -> Option<Self> {
        let r = parse_requirement(value, Path::new("")).ok()?;
        let specifiers = match r.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(s)) => s,
            _ => VersionSpecifiers::empty(),
        };
        Some(Dep {
            name: crate::pep::normalize(r.name.as_ref()).into(),
            specifiers,
            extras: r
                .extras
                .iter()
                .map(|e| crate::pep::normalize(e.as_ref()).into())
                .collect(),
            marker: r.marker,
            text: value.split(';').next().unwrap_or(value).trim().to_string(),
        })
    }
}

/// What a version's core metadata says of its dependencies.
pub enum Meta {
    Deps(Vec<Dep>),
    /// An sdist's dependencies as a wheel of the same release declares them (named): the index declares
    /// none for the sdist, and a release's wheels and sdist state the same `Requires-Dist`, markers and all.
    Borrowed(Vec<Dep>, String),
    /// pip drops the version: its metadata does not parse or does not match the file.
    Invalid(String),
    /// No metadata to read (an sdist the index declares nothing for): its dependencies are not known.
    Unknown(String),
    /// The metadata could not be fetched.
    Failed(String),
}

impl Provider {
    pub(super) fn fetch_meta(&self, name: &str, version: &Version) -> Meta {
        let ctx = &self.ctx;
        let lookup = ctx.handle.block_on(ctx.client.project(name));
        let Lookup::Found(page) = lookup.as_ref() else {
            return Meta::Failed(format!("the index page of {name} could not be read"));
        };
        let pin = crate::pep::exactly(version);
        let catalog = Catalog::new(page, name, &ctx.target, &ctx.ranks);
        let choice = catalog.choose(&pin, ctx.policy(name), &HashMap::new());
        if let Some((file, _)) = choice.wheel {
            return match ctx.handle.block_on(ctx.client.core_metadata(file)).as_ref() {
                Lookup::Found(text) => match metadata::check(text, name, version) {
                    Ok(()) => Meta::Deps(parse_deps(text)),
                    Err(why) => Meta::Invalid(format!("pip rejects {}: {why}", file.filename)),
                },
                Lookup::Missing => Meta::Unknown(format!("{} has no core metadata", file.filename)),
                Lookup::Failed(e) => Meta::Failed(format!("core metadata lookup failed: {e}")),
            };
        }
        let Some(file) = choice
            .verdict
            .file
            .as_ref()
            .and_then(|f| page.files.iter().find(|x| &x.filename == f))
        else {
            return Meta::Unknown(format!("{name} {version} has no file to install"));
        };
        match ctx
            .handle
            .block_on(ctx.client.declared_metadata(file))
            .as_ref()
        {
            Lookup::Found(text) => Meta::Deps(parse_deps(text)),
            Lookup::Missing => self.borrowed_meta(page, name, version, &file.filename),
            Lookup::Failed(e) => Meta::Failed(format!("core metadata lookup failed: {e}")),
        }
    }

    /// For an sdist with no declared metadata: the metadata of a wheel of the same release (a Linux one
    /// first), or `Unknown` when the release has none.
    fn borrowed_meta(
        &self,
        page: &ProjectPage,
        name: &str,
        version: &Version,
        sdist: &str,
    ) -> Meta {
        let mut wheels: Vec<&IndexFile> = page
            .files
            .iter()
            .filter(|f| {
                matches!(DistFile::parse(&f.filename, name), Some(DistFile::Wheel(w)) if w.version == *version)
            })
            .collect();
        let arch = self.ctx.target.arch.as_str();
        wheels.sort_by_key(|f| (!f.filename.contains("linux"), !f.filename.contains(arch)));
        let Some(wheel) = wheels.first() else {
            return self.declared_meta(name, version, sdist);
        };
        let lookup = self
            .ctx
            .handle
            .block_on(self.ctx.client.core_metadata(wheel));
        match lookup.as_ref() {
            Lookup::Found(text) => Meta::Borrowed(parse_deps(text), wheel.filename.clone()),
            Lookup::Missing => Meta::Unknown(format!("{} has no core metadata", wheel.filename)),
            Lookup::Failed(e) => Meta::Failed(format!("core metadata lookup failed: {e}")),
        }
    }

    /// For an sdist-only release: the `Requires-Dist` the index's JSON API declares for it, or `Unknown`.
    fn declared_meta(&self, name: &str, version: &Version, sdist: &str) -> Meta {
        let client = &self.ctx.client;
        let lookup = self
            .ctx
            .handle
            .block_on(client.declared_requires_dist(name, &version.to_string()));
        match lookup {
            Lookup::Found(list) => Meta::Borrowed(
                list.iter().filter_map(|v| Dep::from_metadata(v)).collect(),
                format!("the release's metadata on the index (for {sdist})"),
            ),
            Lookup::Missing => Meta::Unknown(format!(
                "{sdist} is an sdist the index declares no dependencies for, and the release has no \
                 wheel: pip learns them only by building it"
            )),
            Lookup::Failed(e) => Meta::Failed(format!("declared metadata lookup failed: {e}")),
        }
    }
}

/// The `Requires-Dist` of valid metadata.
pub(crate) fn parse_deps(text: &str) -> Vec<Dep> {
    metadata::requires_dist(text)
        .iter()
        .filter_map(|value| Dep::from_metadata(value))
        .collect()
}
