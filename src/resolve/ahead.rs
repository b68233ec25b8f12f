//! Fetching ahead of the resolver. pubgrub asks for one project at a time; the network answers best when asked
//! for many at once. So the likely tree is crawled on the runtime as soon as a requirement is seen (each
//! project's page and the metadata of the version pip would most likely take, then the same for what that
//! metadata names), and when a project's versions are walked down, the next few are fetched together. The
//! client's memo makes every fetch here one the resolver would have made anyway, or none.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use super::context::{Context, Project};
use super::requires::parse_deps;
use super::versions::{ResolverVersion, Set};
use crate::index::Lookup;
use crate::pep::{ExtraName, Version, VersionSpecifiers};
use crate::select::Catalog;

/// Versions fetched ahead when a project's versions are walked down.
const AHEAD: usize = 8;

/// What one resolution fetched ahead so far.
#[derive(Default)]
pub struct Ahead {
    /// Versions chosen so far per project: a second choice means backtracking, and the next versions'
    /// metadata are then fetched ahead.
    tried: RefCell<HashMap<Arc<str>, usize>>,
    /// The releases whose metadata was fetched ahead already: backtracking walks the same versions again.
    fetched: RefCell<HashSet<(Arc<str>, Version)>>,
}

/// Starts the crawl at a requirement on `name`.
pub fn prefetch(ctx: &Arc<Context>, name: &Arc<str>, specifiers: &VersionSpecifiers) {
    crawl(ctx.clone(), name.clone(), specifiers.clone(), Vec::new());
}

/// The pages of all of `names` at once, before the resolver reads them one by one.
pub fn fetch_pages(ctx: &Context, names: impl Iterator<Item = Arc<str>>) {
    let tasks: Vec<_> = names
        .map(|name| {
            let source = ctx.index.source().clone();
            ctx.index.spawn(async move { source.project(&name).await })
        })
        .collect();
    for task in tasks {
        // A task that failed leaves the memo empty: the resolver asks again and reports the failure.
        let _ = ctx.index.wait(task);
    }
}

impl Ahead {
    /// When `name` is chosen a second time (a conflict with what is already decided), the metadata of the
    /// next versions in the range below `chosen` is fetched at once rather than one by one.
    pub fn look_ahead(
        &self,
        ctx: &Arc<Context>,
        name: &str,
        project: &Project,
        range: &Set,
        chosen: &Version,
    ) {
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
        let mut fetched = self.fetched.borrow_mut();
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
            let (ctx, name) = (ctx.clone(), name.clone());
            ctx.index.clone().spawn(async move {
                likely_metadata(&ctx, &name, &VersionSpecifiers::empty(), Some(&version)).await
            });
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
                crawl(
                    ctx.clone(),
                    dep.name.clone(),
                    dep.specifiers.clone(),
                    dep.extras.clone(),
                );
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
            .releases()
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
            (Some((file, _)), _) => Some(Some(file.to_index_file())),
            (None, Some(_)) => Some(None),
            (None, None) => None,
        }
    })??;
    Some(ctx.index.source().core_metadata(&wheel).await)
}
