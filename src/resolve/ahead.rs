//! Fetching ahead of the resolver. pubgrub asks for one project at a time; the network answers best when asked
//! for many at once. So the likely tree is crawled on the runtime as soon as a requirement is seen (each
//! project's page and the metadata of the version pip would most likely take, then the same for what that
//! metadata names), and when a project's versions are walked down, the next few are fetched together. The
//! client's memo makes every fetch here one the resolver would have made anyway, or none.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use super::provider::{Context, Project, Provider};
use super::requires::parse_deps;
use super::versions::{ResolverVersion, Set};
use crate::index::Lookup;
use crate::pep::{ExtraName, Version, VersionSpecifiers};
use crate::select::Catalog;

/// Versions fetched ahead when a project's versions are walked down.
const AHEAD: usize = 8;

impl Provider {
    /// Starts the crawl at a requirement on `name`.
    pub(super) fn prefetch(&self, name: &Arc<str>, specifiers: &VersionSpecifiers) {
        crawl(
            self.ctx.clone(),
            name.clone(),
            specifiers.clone(),
            Vec::new(),
        );
    }

    /// When `name` is chosen a second time (a conflict with what is already decided), the metadata of the
    /// next versions in the range below `chosen` is fetched at once rather than one by one.
    pub(super) fn look_ahead(&self, name: &str, project: &Project, range: &Set, chosen: &Version) {
        let name: Arc<str> = name.into();
        let tries = {
            let mut tried = self.tried.borrow_mut();
            let n = tried.entry(name.clone()).or_default();
            *n += 1;
            *n
        };
        if tries < 2 {
            return;
        }
        let mut fetched = self.fetched_ahead.borrow_mut();
        let next: Vec<Version> = project
            .versions
            .iter()
            .rev()
            .filter(|c| {
                c.version < *chosen && range.contains(&ResolverVersion::Real(c.version.clone()))
            })
            .take(AHEAD)
            .filter(|c| fetched.insert((name.clone(), c.version.clone())))
            .map(|c| c.version.clone())
            .collect();
        drop(fetched);
        for version in next {
            let (ctx, name) = (self.ctx.clone(), name.clone());
            self.ctx.index.spawn(async move {
                likely_metadata(&ctx, &name, &VersionSpecifiers::empty(), Some(&version)).await
            });
        }
    }

    /// The pages of all of `names` at once, before the resolver reads them one by one.
    pub(super) fn fetch_pages(&self, names: impl Iterator<Item = Arc<str>>) {
        let known = self.projects.borrow();
        let tasks: Vec<_> = names
            .filter(|n| !known.contains_key(n))
            .map(|name| {
                let source = self.ctx.index.source().clone();
                self.ctx
                    .index
                    .spawn(async move { source.project(&name).await })
            })
            .collect();
        drop(known);
        for task in tasks {
            // A task that failed leaves the memo empty: `project` asks again and reports the failure.
            let _ = self.ctx.index.wait(task);
        }
    }
}

/// Fetches `name`'s page and the metadata of its likely version, then does the same for each dependency that
/// metadata states for the target (with `extras`), once per project and extras.
fn crawl(ctx: Arc<Context>, name: Arc<str>, specifiers: VersionSpecifiers, extras: Vec<Arc<str>>) {
    let first = ctx
        .crawled
        .lock()
        .is_ok_and(|mut seen| seen.insert((name.clone(), extras.clone())));
    if !first {
        return;
    }
    let index = ctx.index.clone();
    index.spawn(async move {
        let specifiers = ctx.constrained(&name, &specifiers);
        let Some(metadata) = likely_metadata(&ctx, &name, &specifiers, None).await else {
            return;
        };
        let Lookup::Found(text) = metadata.as_ref() else {
            return;
        };
        let active: Vec<ExtraName> = extras
            .iter()
            .filter_map(|e| ExtraName::from_str(e).ok())
            .collect();
        for dep in parse_deps(text) {
            if dep.marker.evaluate(&ctx.env, &active) && dep.name != name {
                crawl(ctx.clone(), dep.name, dep.specifiers, dep.extras);
            }
        }
    });
}

/// Releases looked at, newest first, for the one pip would likely take: a guess need not be exact, and
/// most projects' newest admitted release has a file for the target.
const GUESSES: usize = 4;

/// The core metadata of the wheel pip would likely take for `specifiers` (none for an sdist: its metadata is
/// read when the resolver needs it). With `release`, that release's file, whatever `specifiers` say. Only the
/// files of the releases looked at are read, never the whole page: every target crawls every project.
async fn likely_metadata(
    ctx: &Context,
    name: &str,
    specifiers: &VersionSpecifiers,
    release: Option<&Version>,
) -> Option<Arc<Lookup<String>>> {
    let lookup = ctx.index.source().project(name).await;
    let Lookup::Found(page) = lookup.as_ref() else {
        return None;
    };
    let newest_first: Vec<&Version> = match release {
        Some(version) => vec![version],
        None => page
            .releases(name)
            .iter()
            .rev()
            .map(|(v, _)| v)
            .filter(|v| (ctx.pre || !v.any_prerelease()) && specifiers.contains(v))
            .take(GUESSES)
            .collect(),
    };
    let wheel = newest_first.into_iter().find_map(|version| {
        let catalog = Catalog::of_release(page, name, &ctx.target, &ctx.ranks, version);
        let pin = crate::pep::exactly(version);
        let choice = catalog.choose(&pin, ctx.policy(name), &HashMap::new());
        // An sdist is chosen: its metadata waits for the resolver.
        match (choice.wheel, choice.verdict.file) {
            (Some((file, _)), _) => Some(Some(file.clone())),
            (None, Some(_)) => Some(None),
            (None, None) => None,
        }
    })??;
    Some(ctx.index.source().core_metadata(&wheel).await)
}
