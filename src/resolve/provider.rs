//! pubgrub's view of a package index for one target: which versions a project offers (those with a file pip
//! could install there), and what each version depends on (its core metadata, markers evaluated for the
//! target and the extras asked for).
//!
//! pubgrub is synchronous; the index client is not. The resolver runs on a blocking thread and waits on the
//! client's futures, while every dependency it learns of is fetched ahead on the runtime: its page, and the
//! metadata of the version it is most likely to choose. The client's memo makes each of those one request,
//! however many targets resolve at once.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::Arc;

use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};

use super::ahead::{self, Ahead};
use super::context::{Context, Node, Project};
use super::failure::{Failure, no_versions};
use super::requires::{Dep, Release, StatedDependencies};
use super::versions::{ResolverVersion, Set, admitted, count_within, newest_within};
use crate::index::Lookup;
use crate::input::IndexRequirement;
use crate::pep::{ExtraName, Version, VersionSpecifiers};
use crate::select::{CandidateVersion, Catalog};

/// Every requirement stated on one project, with the extras they name.
type Merged<'d> = (Vec<&'d Dep>, BTreeSet<Arc<str>>);

/// The top-level requirements on one project, merged.
#[derive(Default)]
struct RootLines<'r> {
    specifiers: VersionSpecifiers,
    texts: Vec<&'r str>,
    extras: BTreeSet<Arc<str>>,
}

/// A project and one of its versions.
type ProjectVersion = (Arc<str>, Version);

pub struct Provider {
    pub ctx: Arc<Context>,
    /// After pip's resolution failed: take `Unavailable` rather than give up, to report everything else.
    pub(super) relaxed: Cell<bool>,
    /// The top-level requirements of the current run: all of `ctx.roots`, or those left once the failing ones
    /// are left out.
    pub(super) roots: RefCell<Vec<(IndexRequirement, String)>>,
    /// The version set of each requirement met so far: the many versions of one project tried while
    /// backtracking mostly state the same requirements.
    admitted: RefCell<HashMap<(Arc<str>, VersionSpecifiers), Set>>,
    /// For the relaxed run: the top-level requirements left out, which may end `Unavailable`.
    pub(super) left_out: RefCell<BTreeSet<String>>,
    pub(super) projects: RefCell<HashMap<Arc<str>, Rc<Project>>>,
    metadata: RefCell<HashMap<ProjectVersion, Rc<StatedDependencies>>>,
    /// What was fetched ahead of the resolver so far.
    ahead: Ahead,
    /// The dependencies each chosen version stated (markers already applied), for chains and explanations.
    pub stated: RefCell<HashMap<(Node, ResolverVersion), Vec<Dep>>>,
}

impl Provider {
    pub fn new(ctx: Arc<Context>) -> Self {
        let provider = Provider {
            roots: RefCell::new(ctx.roots.clone()),
            ctx,
            relaxed: Cell::new(false),
            left_out: RefCell::default(),
            admitted: RefCell::default(),
            projects: RefCell::default(),
            metadata: RefCell::default(),
            ahead: Ahead::default(),
            stated: RefCell::default(),
        };
        for (r, _) in &provider.ctx.roots {
            ahead::prefetch(&provider.ctx, &r.name.as_str().into(), &r.specifiers);
        }
        provider
    }

    /// Runs the next resolution on the top-level requirements not named in `left_out`.
    pub(super) fn keep_roots(&self, left_out: &BTreeSet<String>) {
        *self.roots.borrow_mut() = self
            .ctx
            .roots
            .iter()
            .filter(|(r, _)| !left_out.contains(&r.name))
            .cloned()
            .collect();
    }

    /// The pages of those of `names` not read yet, fetched at once.
    fn fetch_pages(&self, names: impl Iterator<Item = Arc<str>>) {
        let known = self.projects.borrow();
        let new: Vec<Arc<str>> = names.filter(|n| !known.contains_key(n)).collect();
        drop(known);
        ahead::fetch_pages(&self.ctx, new.into_iter());
    }

    /// What `name` `version` depends on, waited for.
    fn fetch_meta(&self, name: &str, version: &Version) -> StatedDependencies {
        let ctx = &self.ctx;
        let release = Release {
            index: ctx.index.source().as_ref(),
            target: &ctx.target,
            ranks: &ctx.ranks,
            policy: ctx.policy(name),
            read: &ctx.read,
        };
        ctx.index.wait(release.requires(name, version))
    }

    /// The top-level requirements no release of whose project can be installed on the target, each with
    /// its failure: they are left out at once, rather than one resolution each.
    ///
    /// So is a top-level requirement that admits one release only, when that release needs a project of
    /// which no release it admits can be installed: pip fails on it whatever else it chooses, and finding that
    /// out by resolving the whole tree costs a resolution of its own, backtracking through every project
    /// the failing one brings in.
    pub(super) fn unresolvable_roots(&self, failures: &mut Vec<Failure>) -> BTreeSet<String> {
        let mut merged: BTreeMap<&str, RootLines> = BTreeMap::new();
        for (r, text) in &self.ctx.roots {
            let slot = merged.entry(r.name.as_str()).or_default();
            slot.specifiers = slot
                .specifiers
                .iter()
                .chain(r.specifiers.iter())
                .cloned()
                .collect();
            slot.texts.push(text.as_str());
            slot.extras
                .extend(r.extras.iter().map(|e| Arc::from(e.as_str())));
        }
        let mut out = BTreeSet::new();
        let mut pinned = Vec::new();
        for (name, lines) in merged {
            let project = self.project(&name.into());
            if project.failed.is_some() {
                continue;
            }
            let specifiers = self.ctx.constrained(name, &lines.specifiers);
            let set = admitted(&project.versions, &specifiers, self.ctx.pre);
            let mut inside = project
                .versions
                .iter()
                .filter(|c| set.contains(&ResolverVersion::Real(c.version.clone())));
            match (inside.next(), inside.next()) {
                (Some(only), None) => {
                    pinned.push((name, only.version.clone(), lines));
                    continue;
                }
                (Some(_), Some(_)) => continue,
                (None, _) => {}
            }
            let texts = lines.texts;
            let mut causes: Vec<String> = texts
                .iter()
                .map(|t| format!("the input requires {t}"))
                .collect();
            causes.push(no_versions(&Node::Project(name.into()), &self.ctx, |n| {
                self.project(&n.into())
            }));
            failures.push(Failure {
                causes,
                involved: vec![name.to_string()],
            });
            out.insert(name.to_string());
        }
        for (name, version, lines) in pinned {
            if let Some(causes) = self.needs_a_dead_project(name, &version, &lines) {
                failures.push(Failure {
                    causes,
                    involved: vec![name.to_string()],
                });
                out.insert(name.to_string());
            }
        }
        out
    }

    /// When `name` `version` (a top-level requirement's only admitted release), or an extra it is asked
    /// with, states a requirement that admits no installable release: pip's reasons, as a failed resolution
    /// would give them.
    fn needs_a_dead_project(
        &self,
        name: &str,
        version: &Version,
        lines: &RootLines,
    ) -> Option<Vec<String>> {
        let name: Arc<str> = name.into();
        let cand = ResolverVersion::Real(version.clone());
        let nodes = std::iter::once(Node::Project(name.clone())).chain(
            lines
                .extras
                .iter()
                .map(|e| Node::Extra(name.clone(), e.clone())),
        );
        for node in nodes {
            let Ok(deps) = self.stated_dependencies(&node, &cand) else {
                continue;
            };
            self.fetch_pages(deps.iter().map(|d| d.name.clone()));
            let mut on: BTreeMap<&Arc<str>, Vec<&Dep>> = BTreeMap::new();
            for dep in &deps {
                on.entry(&dep.name).or_default().push(dep);
            }
            let dead = on.into_iter().find_map(|(dependency, stated)| {
                let project = self.project(dependency);
                if project.failed.is_some() {
                    return None;
                }
                let specifiers: VersionSpecifiers = stated
                    .iter()
                    .flat_map(|d| d.specifiers.iter().cloned())
                    .collect();
                let specifiers = self.ctx.constrained(dependency, &specifiers);
                let set = self.admitted(dependency, &project, specifiers);
                let none = !project
                    .versions
                    .iter()
                    .any(|c| set.contains(&ResolverVersion::Real(c.version.clone())));
                none.then(|| stated[0].text.clone())
            });
            if let Some(text) = dead {
                // As pubgrub's derivation reads: the release's requirement, then the input's.
                let asked = match &node {
                    Node::Extra(_, extra) => format!("{name}[{extra}]{}", lines.specifiers),
                    _ => lines.texts[0].to_string(),
                };
                return Some(vec![
                    format!("{node} {version} depends on {text}"),
                    format!("the input requires {asked}"),
                ]);
            }
        }
        None
    }

    pub fn root_version() -> ResolverVersion {
        ResolverVersion::Real(Version::new([0]))
    }

    /// The project's candidates, fetched (or taken from the client's memo) on first use.
    pub fn project(&self, name: &Arc<str>) -> Rc<Project> {
        if let Some(p) = self.projects.borrow().get(name) {
            return p.clone();
        }
        let lookup = self.ctx.index.project(name);
        let project = match lookup.as_ref() {
            Lookup::Found(page) => {
                let catalog = Catalog::new(page, name, &self.ctx.target, &self.ctx.ranks);
                Project {
                    versions: catalog.candidate_versions(self.ctx.policy(name)),
                    failed: None,
                }
            }
            Lookup::Missing => Project {
                versions: Vec::new(),
                failed: None,
            },
            Lookup::Failed(e) => Project {
                versions: Vec::new(),
                failed: Some(e.clone()),
            },
        };
        let project = Rc::new(project);
        self.projects
            .borrow_mut()
            .insert(name.clone(), project.clone());
        self.ctx.progress.inc_length(1);
        project
    }

    /// What `name` `version` depends on, from the core metadata of the file pip would install.
    pub fn meta(&self, name: &Arc<str>, version: &Version) -> Rc<StatedDependencies> {
        let key = (name.clone(), version.clone());
        if let Some(m) = self.metadata.borrow().get(&key) {
            return m.clone();
        }
        let meta = Rc::new(self.fetch_meta(name, version));
        self.metadata.borrow_mut().insert(key, meta.clone());
        self.ctx.progress.inc(1);
        meta
    }

    /// The dependencies `pkg` states at `cand`: `Err` holds why pip drops that version.
    fn stated_dependencies(&self, pkg: &Node, cand: &ResolverVersion) -> Result<Vec<Dep>, String> {
        let ResolverVersion::Real(version) = cand else {
            return Ok(Vec::new());
        };
        let (name, extra) = match pkg {
            Node::Root => {
                return Ok(self
                    .roots
                    .borrow()
                    .iter()
                    .map(|(r, text)| Dep::from_requirement(r, text))
                    .collect());
            }
            Node::Project(n) => (n, None),
            Node::Extra(n, e) => (n, Some(e)),
        };
        let extras: Vec<ExtraName> = extra
            .and_then(|e| ExtraName::from_str(e).ok())
            .into_iter()
            .collect();
        match &*self.meta(name, version) {
            StatedDependencies::Invalid(why) => Err(why.clone()),
            StatedDependencies::Unknown(_) | StatedDependencies::Failed(_) => Ok(Vec::new()),
            StatedDependencies::Deps(all) | StatedDependencies::Borrowed(all, _) => Ok(all
                .iter()
                .filter(|d| d.marker.evaluate(&self.ctx.env, &extras))
                // A project that names itself without extras adds nothing.
                .filter(|d| !(d.name == *name && d.extras.is_empty()))
                .cloned()
                .collect()),
        }
    }
}

impl Provider {
    /// The versions of `name` that `specifiers` admit (memoised).
    fn admitted(&self, name: &Arc<str>, project: &Project, specifiers: VersionSpecifiers) -> Set {
        let key = (name.clone(), specifiers);
        if let Some(set) = self.admitted.borrow().get(&key) {
            return set.clone();
        }
        let set = admitted(&project.versions, &key.1, self.ctx.pre);
        self.admitted.borrow_mut().insert(key, set.clone());
        set
    }

    /// In the relaxed run, a requirement may be left `Unavailable` only when no release it admits can be
    /// installed (the blocker is taken as provided) or when it is a failing top-level requirement; anything
    /// else must find a real version, as pip would.
    fn relaxed_set(&self, parent: &Node, name: &Arc<str>, project: &Project, set: Set) -> Set {
        let dead = !project
            .versions
            .iter()
            .any(|c| set.contains(&ResolverVersion::Real(c.version.clone())));
        let droppable =
            dead || (*parent == Node::Root && self.left_out.borrow().contains(name.as_ref()));
        if droppable {
            set
        } else {
            set.intersection(&Set::singleton(ResolverVersion::Unavailable).complement())
        }
    }
}

impl DependencyProvider for Provider {
    type P = Node;
    type V = ResolverVersion;
    type VS = Set;
    type M = String;
    type Priority = (
        bool,
        u32,
        bool,
        bool,
        Reverse<usize>,
        bool,
        Reverse<Arc<str>>,
    );
    type Err = Infallible;

    /// pip's order (`PipProvider.get_preference`), so that where several solutions exist the same one is
    /// found. A requirement that admits no installable version comes first: pip's resolver fails on it as
    /// soon as it is stated, before choosing anything else. Then packages that keep conflicting (pip
    /// promotes backtrack causes), then pinned ones, then
    /// upper-bounded ones, then the top-level requirements in input order, then any with a specifier, then
    /// by name. What pip reads from the specifiers is read here from the range: a pin leaves one version,
    /// an upper bound leaves out the newest, any specifier leaves out some.
    fn prioritize(
        &self,
        pkg: &Node,
        range: &Set,
        stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let Some(name) = pkg.name() else {
            return (
                true,
                u32::MAX,
                true,
                true,
                Reverse(0),
                true,
                Reverse(Arc::from("")),
            );
        };
        let name: Arc<str> = name.into();
        let project = self.project(&name);
        let inside = count_within(&project.versions, range);
        let pinned = inside == 1;
        let upper_bounded = project
            .versions
            .last()
            .is_some_and(|c| !range.contains(&ResolverVersion::Real(c.version.clone())));
        let unfree = inside < project.versions.len();
        let requested = self
            .ctx
            .roots
            .iter()
            .position(|(r, _)| *r.name == *name)
            .unwrap_or(usize::MAX);
        (
            inside == 0,
            stats.conflict_count(),
            pinned,
            upper_bounded,
            Reverse(requested),
            unfree,
            Reverse(name),
        )
    }

    /// The newest version in the range (a wheel first under `--prefer-binary`), as pip takes it.
    fn choose_version(
        &self,
        pkg: &Node,
        range: &Set,
    ) -> Result<Option<ResolverVersion>, Infallible> {
        let Some(name) = pkg.name() else {
            return Ok(Some(Self::root_version()));
        };
        let project = self.project(&name.into());
        if project.failed.is_some() {
            return Ok(Some(ResolverVersion::Unavailable).filter(|c| range.contains(c)));
        }
        let fits =
            |c: &&CandidateVersion| range.contains(&ResolverVersion::Real(c.version.clone()));
        let binary = self
            .ctx
            .prefer_binary
            .then(|| {
                project
                    .versions
                    .iter()
                    .rev()
                    .filter(fits)
                    .find(|c| c.has_wheel)
            })
            .flatten();
        let chosen = binary.or_else(|| newest_within(&project.versions, range));
        if let Some(c) = chosen {
            self.ahead
                .look_ahead(&self.ctx, name, &project, range, &c.version);
        }
        Ok(match chosen {
            Some(c) => Some(ResolverVersion::Real(c.version.clone())),
            None if self.relaxed.get() => {
                Some(ResolverVersion::Unavailable).filter(|c| range.contains(c))
            }
            None => None,
        })
    }

    fn get_dependencies(
        &self,
        pkg: &Node,
        cand: &ResolverVersion,
    ) -> Result<Dependencies<Node, Set, String>, Infallible> {
        let deps = match self.stated_dependencies(pkg, cand) {
            Ok(deps) => deps,
            Err(why) => return Ok(Dependencies::Unavailable(why)),
        };
        self.fetch_pages(deps.iter().map(|d| d.name.clone()));
        // Ordered, so that the resolution does not depend on hashing.
        let mut constraints: BTreeMap<Node, Set> = BTreeMap::new();
        if let Node::Extra(name, _) = pkg {
            constraints.insert(Node::Project(name.clone()), Set::singleton(cand.clone()));
        }
        // pip merges every requirement on a project into one specifier set (so that a `==` pin among them
        // admits a yanked release), and what each names with extras.
        let mut merged: BTreeMap<Arc<str>, Merged> = BTreeMap::new();
        for dep in &deps {
            let slot = merged.entry(dep.name.clone()).or_default();
            slot.0.push(dep);
            slot.1.extend(dep.extras.iter().cloned());
        }
        for (name, (stated, extras)) in merged {
            let project = self.project(&name);
            let specifiers: VersionSpecifiers = stated
                .iter()
                .flat_map(|d| d.specifiers.iter().cloned())
                .collect();
            let specifiers = self.ctx.constrained(&name, &specifiers);
            let mut set = if project.failed.is_some() {
                Set::full()
            } else {
                self.admitted(&name, &project, specifiers.clone())
            };
            if self.relaxed.get() && project.failed.is_none() {
                set = self.relaxed_set(pkg, &name, &project, set);
            }
            let mut add = |p: Node| {
                let entry = constraints.entry(p).or_insert_with(Set::full);
                *entry = entry.intersection(&set);
            };
            add(Node::Project(name.clone()));
            for extra in extras {
                add(Node::Extra(name.clone(), extra));
            }
            ahead::prefetch(&self.ctx, &name, &specifiers);
        }
        self.stated
            .borrow_mut()
            .insert((pkg.clone(), cand.clone()), deps);
        Ok(Dependencies::Available(constraints.into_iter().collect()))
    }
}
