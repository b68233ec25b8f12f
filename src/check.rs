//! The pipeline for one run: every requirement on every target, lookups shared and concurrent.
//!
//! For an index requirement on a target: evaluate its marker, narrow it by the constraints, look up the project,
//! choose the file, and for a chosen wheel read its core metadata the way current pip does, moving on to the next
//! version when pip would reject it. A lookup that failed makes the verdict `unknown`.
//!
//! With the dependency tree (`check_tree`), each target's tree is resolved first, and every project in it gets
//! the verdict of the version the resolver chose.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use indicatif::ProgressBar;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::core_metadata;
use crate::index::{Later, Lookup, PackageSource};
use crate::input::{Entry, FormatControl, IndexRequirement, Input, Wanted};
use crate::pep::{MarkerEnvironment, MarkerTree, Version, VersionSpecifiers};
use crate::resolve::{
    Cause, Context, Resolution, Resolved, ResolverVersion, Standing, StatedDependencies,
    WaitingSource, resolve,
};
use crate::select::{Catalog, Policy};
use crate::target::{TagRanks, Target};
use crate::verdict::{Outcome, Verdict};

/// pip walks down every file whose metadata it rejects, as the resolver here does; past this many (a page built
/// to make muslcheck ask for metadata without end), the answer is `unknown`, never a guess.
const MAX_REJECTED_VERSIONS: usize = 1000;

/// The files skipped for their metadata that a reason names; the rest are counted.
const SHOWN_REJECTED: usize = 3;

/// What applies to the whole run besides the requirements themselves.
#[derive(Clone)]
pub struct Settings {
    pub targets: Vec<Target>,
    pub pre: bool,
    pub prefer_binary: bool,
    pub formats: FormatControl,
    /// Entries checked at once, line by line: enough to keep every connection busy, few enough that the
    /// pages of a long file are not all held at once.
    pub in_flight: usize,
}

/// What the line-by-line check gives: one verdict per entry and target, and, when asked for, what each
/// chosen release states it depends on (for the closure of a pinned file, `pinned_closure`).
pub struct Lines {
    /// One row per input entry, in input order; one verdict per target, in `Settings::targets` order.
    pub verdicts: Vec<Vec<Verdict>>,
    /// The same shape: the dependencies the release a verdict chose states (`None` where nothing is
    /// installed from the index); all `None` unless `check_all` was asked for them.
    pub stated: Vec<Vec<Option<Arc<StatedDependencies>>>>,
}

/// An entry's verdicts and stated dependencies, one each per target (`Lines`).
type Row = (Vec<Verdict>, Vec<Option<Arc<StatedDependencies>>>);

/// The verdicts of every entry of `input`, in input order, one per target in `settings.targets` order; with
/// `stated`, also what each chosen release states it depends on.
///
/// At most `settings.in_flight` entries are checked at once, and a project's page is let go once the last entry
/// that asks for it is done (`PackageSource::forget`): the pages of a long file are not all held at once.
pub async fn check_all(
    input: &Input,
    settings: &Settings,
    index: Arc<dyn PackageSource>,
    progress: &ProgressBar,
    stated: bool,
) -> Lines {
    let shared = Arc::new(Shared::new(input, settings, index));
    let targets = settings.targets.len();
    // A verdict depends on what the line asks for and the target only: a line asked for again (a file
    // listing one pin many times) is checked once.
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let same_as: Vec<usize> = input
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| *first_of.entry(format!("{:?}", entry.wanted)).or_insert(i))
        .collect();
    drop(first_of);
    // How many of the entries checked ask for each project's page (`foo==1` and `foo[bar]==1` both do).
    let mut askers: HashMap<String, usize> = HashMap::new();
    for (i, entry) in input.entries.iter().enumerate() {
        if let (true, Wanted::Index(r)) = (same_as[i] == i, &entry.wanted) {
            *askers.entry(r.name.clone()).or_default() += 1;
        }
    }
    let askers = Arc::new(std::sync::Mutex::new(askers));
    let permits = Arc::new(Semaphore::new(settings.in_flight.max(1)));
    let mut tasks = JoinSet::new();
    for (i, entry) in input.entries.iter().enumerate() {
        if same_as[i] != i {
            continue;
        }
        let (shared, entry, askers, permits) = (
            shared.clone(),
            entry.clone(),
            askers.clone(),
            permits.clone(),
        );
        tasks.spawn(async move {
            // The semaphore is never closed: the permit always comes.
            let _permit = permits.acquire_owned().await;
            let row = shared.entry_row(&entry, stated).await;
            if let Wanted::Index(r) = &entry.wanted {
                let mut askers = askers.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(left) = askers.get_mut(&r.name) {
                    *left -= 1;
                    if *left == 0 {
                        // With `stated`, a pinned file's lines, the tree may be resolved next.
                        let later = if stated { Later::Maybe } else { Later::Never };
                        shared.index.forget(&r.name, later);
                    }
                }
            }
            (i, row)
        });
    }
    let mut rows = gathered(tasks, input.entries.len(), "a lookup task", || {
        progress.inc(targets as u64)
    })
    .await;
    for (i, &first) in same_as.iter().enumerate() {
        if first != i {
            rows[i] = rows[first].clone();
            progress.inc(targets as u64);
        }
    }
    let (verdicts, stated) = rows
        .into_iter()
        .map(|row| row.unwrap_or_else(|| (vec![internal_error(); targets], vec![None; targets])))
        .unzip();
    Lines { verdicts, stated }
}

/// A project the dependency tree adds to the input's requirements.
pub struct Dependency {
    pub name: String,
    /// How its nearest dependent wrote the requirement (`blis<1.1.0,>=1.0.0`).
    pub requirement: String,
    /// The input entry (index into `Input::entries`) its shortest chain goes back to.
    pub entry: Option<usize>,
    /// One per target, in `Settings::targets` order.
    pub verdicts: Vec<Verdict>,
}

/// The verdicts of a run that resolved the dependency tree.
pub struct Checked {
    /// One row per input entry, one verdict per target.
    pub verdicts: Vec<Vec<Verdict>>,
    /// The projects the tree adds, by name.
    pub dependencies: Vec<Dependency>,
    /// Failed resolutions and incomplete trees, one line each, naming the target.
    pub warnings: Vec<String>,
}

/// Resolves the tree of every target (concurrently), then gives each input entry and each project the tree
/// adds the verdict of the version chosen on that target.
pub async fn check_tree(
    input: &Input,
    settings: &Settings,
    index: Arc<dyn PackageSource>,
    progress: &ProgressBar,
) -> Checked {
    let shared = Arc::new(Shared::new(input, settings, index.clone()));
    let resolutions = resolve_all(input, &shared, progress).await;
    let warnings = tree_warnings(settings, &resolutions);
    let resolutions = Arc::new(resolutions);

    // Every (row, target) verdict at once: rows 0.. are the entries, then the projects the tree adds.
    let named: std::collections::BTreeSet<&str> = input
        .entries
        .iter()
        .filter_map(|e| match &e.wanted {
            Wanted::Index(r) => Some(r.name.as_str()),
            Wanted::NotIndex { .. } => None,
        })
        .collect();
    let added: Vec<String> = resolutions
        .iter()
        .flat_map(|r| r.packages.keys())
        .filter(|n| !named.contains(n.as_str()))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let targets = settings.targets.len();
    let mut tasks = JoinSet::new();
    for (i, entry) in input.entries.iter().enumerate() {
        for t in 0..targets {
            let (shared, entry, resolutions) = (shared.clone(), entry.clone(), resolutions.clone());
            tasks.spawn(async move {
                let verdict = shared.tree_verdict(&entry, &resolutions[t], t).await;
                (i * targets + t, verdict)
            });
        }
    }
    for (j, name) in added.iter().enumerate() {
        for t in 0..targets {
            let (shared, name, resolutions) = (shared.clone(), name.clone(), resolutions.clone());
            let row = input.entries.len() + j;
            tasks.spawn(async move {
                let verdict = shared.dependency_verdict(&name, &resolutions[t], t).await;
                (row * targets + t, verdict)
            });
        }
    }
    let cells = (input.entries.len() + added.len()) * targets;
    let cells = gathered(tasks, cells, "a lookup task", || {}).await;
    let mut rows = cells.chunks(targets.max(1)).map(|row| {
        row.iter()
            .map(|v| v.clone().unwrap_or_else(internal_error))
            .collect::<Vec<_>>()
    });
    let verdicts: Vec<Vec<Verdict>> = rows.by_ref().take(input.entries.len()).collect();
    let dependencies = added
        .into_iter()
        .zip(rows)
        .map(|(name, verdicts)| {
            let resolved = resolutions.iter().find_map(|r| r.packages.get(&name));
            let top = verdicts
                .iter()
                .find_map(|v| v.via.first().and_then(|chain| chain.last()))
                .map(|top| top.split('[').next().unwrap_or(top).to_string());
            let entry = top.and_then(|top| {
                input
                    .entries
                    .iter()
                    .position(|e| matches!(&e.wanted, Wanted::Index(r) if r.name == top))
            });
            Dependency {
                requirement: resolved.map_or_else(|| name.clone(), |r| r.requirement.clone()),
                name,
                entry,
                verdicts,
            }
        })
        .collect();
    Checked {
        verdicts,
        dependencies,
        warnings,
    }
}

/// What a line-by-line check of pinned requirements learnt of their dependencies, from the metadata pip reads.
#[derive(Debug, Default)]
pub struct Closure {
    /// Dependencies the pins do not list, or list at a version (or without the extras) the dependent does
    /// not accept, each with one project that needs it: `lib ← app`. Empty for a real freeze.
    pub open: Vec<String>,
}

impl Closure {
    pub fn is_closed(&self) -> bool {
        self.open.is_empty()
    }
}

/// Whether pinned requirements list their whole tree on every target, read from what each pin's chosen
/// release states (`Lines::stated`: the metadata of the files the line-by-line check read). A closed set adds
/// `blocked_by` to the verdicts of pins that need a failing pin; an open one must be resolved as a tree.
pub fn pinned_closure(
    input: &Input,
    settings: &Settings,
    stated: &[Vec<Option<Arc<StatedDependencies>>>],
    verdicts: &mut [Vec<Verdict>],
) -> Closure {
    let mut open = std::collections::BTreeSet::new();
    for (t, target) in settings.targets.iter().enumerate() {
        let env = target.marker_environment();
        // Each listed project: its entry's row, the extras it is asked with, the version it gets here.
        let mut listed: HashMap<&str, (usize, Vec<String>, Option<Version>)> = HashMap::new();
        for (i, entry) in input.entries.iter().enumerate() {
            if let Wanted::Index(r) = &entry.wanted
                && r.marker.evaluate(&env, &[])
            {
                let version = verdicts[i][t]
                    .version
                    .as_deref()
                    .and_then(|v| crate::pep::parse_version(v).ok());
                let slot = listed
                    .entry(r.name.as_str())
                    .or_insert((i, Vec::new(), version));
                slot.1.extend(r.extras.iter().cloned());
            }
        }
        // Each pin's stated dependencies.
        let stated: Vec<(usize, &str, &StatedDependencies)> = input
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| match (&entry.wanted, stated.get(i)?.get(t)?) {
                (Wanted::Index(requirement), Some(deps)) => {
                    Some((i, requirement.name.as_str(), deps.as_ref()))
                }
                _ => None,
            })
            .collect();
        // The extras a dependency asks of a listed project count as asked (a freeze lists no extras, but
        // does list what they pull in); a few rounds reach every extra that extras ask for.
        let mut needs: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut missing = std::collections::BTreeSet::new();
        for _round in 0..4 {
            needs.clear();
            missing.clear();
            let mut asked_more: Vec<(String, String)> = Vec::new();
            for (row, name, meta) in &stated {
                let Some(deps) = meta.deps() else {
                    continue;
                };
                let extras: Vec<crate::pep::ExtraName> = listed
                    .get(name)
                    .map(|(_, e, _)| e.iter().filter_map(|e| e.parse().ok()).collect())
                    .unwrap_or_default();
                for dep in deps {
                    if !dep.marker.evaluate(&env, &extras) || *dep.name == **name {
                        continue;
                    }
                    let accepted = listed.get(&*dep.name).filter(|(_, _, version)| {
                        version.as_ref().is_none_or(|v| dep.specifiers.contains(v))
                    });
                    match accepted {
                        Some((dep_row, asked, _)) => {
                            needs.entry(*row).or_default().push(*dep_row);
                            for extra in &dep.extras {
                                if !asked.iter().any(|a| **a == **extra) {
                                    asked_more.push((dep.name.to_string(), extra.to_string()));
                                }
                            }
                        }
                        None => {
                            missing.insert(format!("{} ← {name}", dep.text));
                        }
                    }
                }
            }
            if asked_more.is_empty() {
                break;
            }
            for (name, extra) in asked_more {
                if let Some(slot) = listed.get_mut(name.as_str())
                    && !slot.1.contains(&extra)
                {
                    slot.1.push(extra);
                }
            }
        }
        open.extend(missing);
        // Pins that need a failing pin keep their verdict and say what blocks them.
        let failing =
            |row: usize| matches!(verdicts[row][t].outcome, Outcome::Fail | Outcome::Missing);
        let blocked: Vec<(usize, Vec<Vec<String>>)> = needs
            .keys()
            .filter_map(|&row| {
                let chains = chains_to_failing(row, &needs, &failing, |r| {
                    verdicts[r][t]
                        .version
                        .as_ref()
                        .map(|_| listed_name(input, r))
                });
                (!chains.is_empty()).then_some((row, chains))
            })
            .collect();
        for (row, chains) in blocked {
            block(&mut verdicts[row][t], chains);
        }
    }
    Closure {
        open: open.into_iter().collect(),
    }
}

/// The version a verdict installs from the index (a wheel, or an sdist built), if any.
fn installed_version(verdict: &Verdict) -> Option<Version> {
    if !matches!(verdict.outcome, Outcome::Wheel | Outcome::Build) {
        return None;
    }
    verdict
        .version
        .as_deref()
        .and_then(|v| crate::pep::parse_version(v).ok())
}

/// The name an entry asks for.
fn listed_name(input: &Input, row: usize) -> String {
    match &input.entries[row].wanted {
        Wanted::Index(r) => r.name.clone(),
        Wanted::NotIndex { name, .. } => name.clone().unwrap_or_default(),
    }
}

/// The shortest chains from `start` down its needs to rows that fail, each from the first dependency to the
/// failing one, shortest first.
fn chains_to_failing(
    start: usize,
    needs: &HashMap<usize, Vec<usize>>,
    failing: &dyn Fn(usize) -> bool,
    name: impl Fn(usize) -> Option<String>,
) -> Vec<Vec<String>> {
    let mut chains = Vec::new();
    let mut seen = std::collections::BTreeSet::from([start]);
    let mut queue = std::collections::VecDeque::from([(start, Vec::new())]);
    while let Some((row, path)) = queue.pop_front() {
        for &next in needs.get(&row).into_iter().flatten() {
            if !seen.insert(next) {
                continue;
            }
            let mut path: Vec<String> = path.clone();
            path.push(name(next).unwrap_or_default());
            if failing(next) {
                chains.push(path);
            } else {
                queue.push_back((next, path));
            }
        }
    }
    chains
}

/// One resolution per target, each on a blocking thread (pubgrub is synchronous), all at once.
async fn resolve_all(
    input: &Input,
    shared: &Arc<Shared>,
    progress: &ProgressBar,
) -> Vec<Resolution> {
    let settings = &shared.settings;
    let handle = tokio::runtime::Handle::current();
    let mut tasks = JoinSet::new();
    let read = Arc::new(crate::resolve::ReadMetadata::default());
    for (t, target) in settings.targets.iter().enumerate() {
        let env = &shared.environments[t];
        let roots = input
            .entries
            .iter()
            .filter_map(|e| match &e.wanted {
                Wanted::Index(r) if r.marker.evaluate(env, &[]) => {
                    Some((r.clone(), e.text.clone()))
                }
                _ => None,
            })
            .collect();
        let constraints = shared
            .constraints
            .iter()
            .filter(|c| c.marker.evaluate(env, &[]))
            .cloned()
            .collect();
        let ctx = Arc::new(Context {
            index: WaitingSource::new(shared.index.clone(), handle.clone()),
            target: *target,
            ranks: TagRanks::new(target),
            env: env.clone(),
            pre: settings.pre,
            prefer_binary: settings.prefer_binary,
            formats: settings.formats.clone(),
            roots,
            constraints,
            progress: progress.clone(),
            crawled: Default::default(),
            read: read.clone(),
        });
        tasks.spawn_blocking(move || (t, resolve(ctx)));
    }
    gathered(tasks, settings.targets.len(), "a resolution", || {})
        .await
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

/// The results of `tasks`, each at the position it came with. A task that panicked is said on stderr (`what`
/// names the kind of task) and leaves its position `None`: reported as unknown, never guessed. `each` runs as
/// each task ends.
async fn gathered<T: Send + 'static>(
    mut tasks: JoinSet<(usize, T)>,
    len: usize,
    what: &str,
    mut each: impl FnMut(),
) -> Vec<Option<T>> {
    let mut out: Vec<Option<T>> = std::iter::repeat_with(|| None).take(len).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, value)) => out[i] = Some(value),
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "muslcheck: internal error in {what}: {e}"
                );
            }
        }
        each();
    }
    out
}

/// The verdict of a lookup whose task panicked.
fn internal_error() -> Verdict {
    Verdict::bare(Outcome::Unknown, "internal error")
}

struct Shared {
    settings: Settings,
    ranks: Vec<TagRanks>,
    /// Each target's PEP 508 marker environment, built once.
    environments: Vec<MarkerEnvironment>,
    constraints: Vec<IndexRequirement>,
    index: Arc<dyn PackageSource>,
}

impl Shared {
    fn new(input: &Input, settings: &Settings, index: Arc<dyn PackageSource>) -> Self {
        Shared {
            settings: settings.clone(),
            ranks: settings.targets.iter().map(TagRanks::new).collect(),
            environments: settings
                .targets
                .iter()
                .map(Target::marker_environment)
                .collect(),
            constraints: input.constraints.iter().map(|(c, _)| c.clone()).collect(),
            index,
        }
    }

    /// An entry's verdicts, one per target (checked at once), and with `stated` what the release each chose
    /// states it depends on, read while its page is still held.
    async fn entry_row(self: &Arc<Self>, entry: &Entry, stated: bool) -> Row {
        let targets = self.settings.targets.len();
        let mut tasks = JoinSet::new();
        for t in 0..targets {
            let (shared, entry) = (self.clone(), entry.clone());
            tasks.spawn(async move { (t, shared.verdict(&entry, t).await) });
        }
        let verdicts: Vec<Verdict> = gathered(tasks, targets, "a lookup task", || {})
            .await
            .into_iter()
            .map(|v| v.unwrap_or_else(internal_error))
            .collect();
        let mut dependencies = vec![None; targets];
        if let (true, Wanted::Index(requirement)) = (stated, &entry.wanted) {
            let read = crate::resolve::ReadMetadata::default();
            for (t, verdict) in verdicts.iter().enumerate() {
                if let Some(version) = installed_version(verdict) {
                    let release = self.release(&requirement.name, t, &read);
                    let deps = release.requires(&requirement.name, &version).await;
                    dependencies[t] = Some(Arc::new(deps));
                }
            }
        }
        (verdicts, dependencies)
    }

    /// Where the dependencies of a release of `name` are read from on target `t`.
    fn release<'a>(
        &'a self,
        name: &str,
        t: usize,
        read: &'a crate::resolve::ReadMetadata,
    ) -> crate::resolve::Release<'a> {
        let settings = &self.settings;
        let (allow_wheel, allow_sdist) = settings.formats.allowed(name);
        crate::resolve::Release {
            index: self.index.as_ref(),
            target: &settings.targets[t],
            ranks: &self.ranks[t],
            policy: Policy {
                allow_pre: settings.pre,
                allow_sdist,
                allow_wheel,
                prefer_binary: settings.prefer_binary,
            },
            read,
        }
    }

    /// An input entry's verdict on target `t`, for the version the tree chose.
    async fn tree_verdict(&self, entry: &Entry, resolution: &Resolution, t: usize) -> Verdict {
        let resolved = match &entry.wanted {
            Wanted::Index(r) => resolution.packages.get(&r.name),
            Wanted::NotIndex { .. } => None,
        };
        let (Some(resolved), Wanted::Index(requirement)) = (resolved, &entry.wanted) else {
            return self.verdict(entry, t).await;
        };
        // A line left out for a conflict whose project the rest of the tree installs anyway, at a release the
        // line excludes: pip installs nothing (it cannot resolve the input), and the release the tree takes
        // without the line is no answer for the line.
        if let ResolverVersion::Real(version) = &resolved.version
            && requirement.marker.evaluate(&self.environments[t], &[])
            && !requirement.specifiers.contains(version)
        {
            let mut verdict = self.verdict(entry, t).await;
            let why = resolution.failure_of(&requirement.name).unwrap_or_else(|| {
                format!(
                    "{} cannot be installed with the rest of the input",
                    requirement.name
                )
            });
            verdict.outcome = Outcome::Fail;
            verdict.file = None;
            verdict.size = None;
            verdict.advice.clear();
            verdict.reason = format!(
                "{why}; without this line, the tree installs {} {version}",
                requirement.name
            );
            return verdict;
        }
        self.standing_verdict(entry, requirement, resolved, t).await
    }

    /// The verdict on target `t` of a project only the tree names.
    async fn dependency_verdict(&self, name: &str, resolution: &Resolution, t: usize) -> Verdict {
        let Some(resolved) = resolution.packages.get(name) else {
            return Verdict::bare(Outcome::Skip, "not in the dependency tree on this target");
        };
        let requirement = IndexRequirement {
            name: name.to_string(),
            specifiers: VersionSpecifiers::empty(),
            marker: MarkerTree::TRUE,
            marker_text: None,
            extras: Vec::new(),
        };
        let entry = Entry {
            text: resolved.requirement.clone(),
            source: crate::input::Location {
                path: String::new(),
                line: 0,
                key: None,
            },
            wanted: Wanted::Index(requirement.clone()),
        };
        self.standing_verdict(&entry, &requirement, resolved, t)
            .await
    }

    /// The verdict of a project of the tree, as its standing makes it: its own files' verdict at the version
    /// chosen (or, when it cannot be installed, against every requirement on it), with what blocks it.
    async fn standing_verdict(
        &self,
        entry: &Entry,
        requirement: &IndexRequirement,
        resolved: &Resolved,
        t: usize,
    ) -> Verdict {
        if let Standing::NeededOnlyBy(needers) = &resolved.standing {
            let mut verdict = Verdict::bare(Outcome::Skip, not_installed(needers));
            verdict.via = resolved.via.clone();
            verdict.needed_only_by = needers.clone();
            return verdict;
        }
        let mut asked = requirement.clone();
        asked.specifiers = match &resolved.version {
            ResolverVersion::Real(version) => crate::pep::exactly(version),
            // Against every requirement on it, so that the release shown is one they admit.
            ResolverVersion::Unavailable => resolved.specifiers.clone(),
        };
        let mut pinned = entry.clone();
        pinned.wanted = Wanted::Index(asked);
        let mut verdict = self.verdict(&pinned, t).await;
        match &resolved.standing {
            Standing::Fails(Cause::NoFile) if installs(&verdict) => {
                // The catalog found a file the resolver could not take: say so rather than guess.
                verdict = Verdict::bare(
                    Outcome::Unknown,
                    format!(
                        "the resolver found no installable release of {} for {}, yet {} matches",
                        requirement.name,
                        resolved.specifiers,
                        verdict.file.as_deref().unwrap_or("a file"),
                    ),
                );
            }
            Standing::Fails(Cause::Conflict(why)) => {
                verdict.outcome = Outcome::Fail;
                verdict.file = None;
                verdict.size = None;
                verdict.reason = why.clone();
                verdict.advice.clear();
            }
            Standing::Blocked(chains) => block(&mut verdict, chains.clone()),
            Standing::Installed | Standing::Fails(Cause::NoFile) | Standing::NeededOnlyBy(_) => {}
        }
        annotate(&mut verdict, resolved);
        verdict
    }

    async fn verdict(&self, entry: &Entry, t: usize) -> Verdict {
        let target = &self.settings.targets[t];
        let requirement = match &entry.wanted {
            Wanted::NotIndex { reason, .. } => return Verdict::bare(Outcome::Skip, reason.clone()),
            Wanted::Index(r) => r,
        };
        let env = &self.environments[t];
        if !requirement.marker.evaluate(env, &[]) {
            let marker = requirement.marker_text.as_deref().unwrap_or("its marker");
            return Verdict::bare(
                Outcome::Skip,
                format!("marker {marker} is false on this target"),
            );
        }
        let specifiers = self.constrained(requirement, env);
        let page = self.index.project(&requirement.name).await;
        let page = match page.as_ref() {
            Lookup::Found(page) => page,
            Lookup::Missing => {
                let mut verdict = Verdict::bare(
                    Outcome::Missing,
                    format!("{} is not on the index", requirement.name),
                );
                verdict.advice.push(format!(
                    "check the name, or add the index that serves {} (--extra-index-url): pip cannot \
                     install it from this one either",
                    requirement.name
                ));
                return verdict;
            }
            Lookup::Failed(e) => {
                return Verdict::bare(Outcome::Unknown, format!("index lookup failed: {e}"));
            }
        };
        let catalog = Catalog::new(page, &requirement.name, target, &self.ranks[t]);
        let (allow_wheel, allow_sdist) = self.settings.formats.allowed(&requirement.name);
        let policy = Policy {
            allow_pre: self.settings.pre,
            allow_sdist,
            allow_wheel,
            prefer_binary: self.settings.prefer_binary,
        };
        // Files whose metadata pip rejects (filename → why), and the reasons newest first: pip takes the next
        // file of the same version, then older versions.
        let mut rejected: HashMap<String, String> = HashMap::new();
        let mut skipped: Vec<String> = Vec::new();
        // The versions with a wheel pip rejected: their sdist is built for its metadata, which pip checks too.
        let mut rejected_versions: std::collections::HashSet<String> = Default::default();
        let mut verdict = loop {
            let choice = catalog.choose(&specifiers, policy, &rejected);
            let Some((file, version)) = choice.wheel else {
                let verdict = choice.verdict;
                let sdist = verdict
                    .version
                    .as_ref()
                    .filter(|v| verdict.outcome == Outcome::Build && rejected_versions.contains(*v))
                    .zip(verdict.file.as_ref())
                    .and_then(|(v, f)| {
                        let version = crate::pep::parse_version(v).ok()?;
                        let file = page
                            .release_files(&version)
                            .iter()
                            .map(|&i| page.file(i))
                            .find(|x| x.filename() == f)?;
                        Some((file.to_index_file(), version))
                    });
                let Some((sdist, version)) = sdist else {
                    break verdict;
                };
                let why = match self.index.declared_metadata(&sdist).await.as_ref() {
                    Lookup::Found(text) => {
                        match core_metadata::check(text, &requirement.name, &version) {
                            Ok(()) => break verdict,
                            Err(core_metadata::Refused::ByPip(why)) => {
                                format!("pip rejects {}: {why}", sdist.filename)
                            }
                            Err(core_metadata::Refused::Unreadable(why)) => {
                                let reason = format!("{}: {why}; not read", sdist.filename);
                                break Verdict::bare(Outcome::Unknown, reason);
                            }
                        }
                    }
                    Lookup::Missing => {
                        // The last file rejected is a wheel of this release: the files are tried in order.
                        let wheel_why = skipped.last().cloned().unwrap_or_default();
                        crate::resolve::sdist_states_the_same(&wheel_why, &sdist.filename)
                    }
                    Lookup::Failed(e) => {
                        let reason = format!("core metadata lookup failed: {e}");
                        break Verdict::bare(Outcome::Unknown, reason);
                    }
                };
                skipped.push(why.clone());
                rejected.insert(sdist.filename.clone(), why);
                continue;
            };
            let file = file.to_index_file();
            match self.index.core_metadata(&file).await.as_ref() {
                Lookup::Found(text) => {
                    match core_metadata::check(text, &requirement.name, &version) {
                        Ok(()) => break choice.verdict,
                        Err(core_metadata::Refused::Unreadable(why)) => {
                            let reason = format!("{}: {why}; not read", file.filename);
                            break Verdict::bare(Outcome::Unknown, reason);
                        }
                        Err(core_metadata::Refused::ByPip(_))
                            if rejected.len() >= MAX_REJECTED_VERSIONS =>
                        {
                            let reason = format!(
                                "pip rejects the metadata of {MAX_REJECTED_VERSIONS} files in a row; \
                             the rest are not read"
                            );
                            break Verdict::bare(Outcome::Unknown, reason);
                        }
                        Err(core_metadata::Refused::ByPip(why)) => {
                            let why = format!("pip rejects {}: {why}", file.filename);
                            skipped.push(why.clone());
                            rejected.insert(file.filename.clone(), why);
                            rejected_versions.insert(version.to_string());
                        }
                    }
                }
                // The index only answers Missing when there is no metadata anywhere to check.
                Lookup::Missing => break choice.verdict,
                Lookup::Failed(e) => {
                    let reason = format!("core metadata lookup failed: {e}");
                    break Verdict::bare(Outcome::Unknown, reason);
                }
            }
        };
        // A file pip skipped for its metadata is worth knowing when another one was taken instead.
        if verdict.file.is_some() {
            for why in skipped.iter().take(SHOWN_REJECTED) {
                verdict
                    .reason
                    .push_str(&format!("; {why}, so pip skips that file"));
            }
            if skipped.len() > SHOWN_REJECTED {
                let more = skipped.len() - SHOWN_REJECTED;
                verdict.reason.push_str(&format!(
                    "; and {more} more files whose metadata pip rejects"
                ));
            }
        }
        verdict
    }

    /// The requirement's specifiers narrowed by every constraint on the same project whose marker holds.
    fn constrained(
        &self,
        requirement: &IndexRequirement,
        env: &MarkerEnvironment,
    ) -> VersionSpecifiers {
        requirement
            .specifiers
            .iter()
            .chain(
                self.constraints
                    .iter()
                    .filter(|c| c.name == requirement.name && c.marker.evaluate(env, &[]))
                    .flat_map(|c| c.specifiers.iter()),
            )
            .cloned()
            .collect()
    }
}

/// What the tree adds to a verdict: the chains that pulled the project in, and dependencies that were read
/// elsewhere or could not be read.
fn annotate(verdict: &mut Verdict, resolved: &Resolved) {
    verdict.via = resolved.via.clone();
    if let Some(wheel) = &resolved.dependencies_from {
        verdict.advice.push(format!(
            "its dependencies are read from {wheel}: the index declares none for the sdist, and pip \
             learns them by building it"
        ));
    }
    if let Some(why) = &resolved.dependencies_unknown {
        verdict.advice.push(format!(
            "its dependencies are unknown ({why}): check what it pulls in by building it once"
        ));
    }
}

/// Marks a verdict as needing projects that cannot be installed: its own outcome stands, and its reason says
/// what blocks it.
fn block(verdict: &mut Verdict, chains: Vec<Vec<String>>) {
    let shown: Vec<String> = chains.iter().map(|chain| chain.join(" → ")).collect();
    verdict.reason.push_str(&format!(
        "; blocked: needs {}, which cannot be installed here",
        shown.join(", ")
    ));
    verdict.blocked_by = chains;
}

fn installs(verdict: &Verdict) -> bool {
    matches!(verdict.outcome, Outcome::Wheel | Outcome::Build)
}

/// The reason of a project only failing projects need.
fn not_installed(needers: &[String]) -> String {
    let who = match needers {
        [one] => format!("only {one} needs it, and {one} cannot"),
        _ => format!("only {} need it, and they cannot", needers.join(", ")),
    };
    format!("not installed: {who} be installed on this target")
}

/// One warning per distinct failure and incomplete tree, naming the targets it happens on, in the order
/// first met.
fn tree_warnings(settings: &Settings, resolutions: &[Resolution]) -> Vec<String> {
    let mut messages: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |message: String, id: &str| match messages.iter_mut().find(|(m, _)| *m == message)
    {
        Some((_, ids)) => ids.push(id.to_string()),
        None => messages.push((message, vec![id.to_string()])),
    };
    for (target, resolution) in settings.targets.iter().zip(resolutions) {
        let id = target.id();
        for failure in &resolution.failures {
            add(failure.sentence(), &id);
        }
        for (name, resolved) in &resolution.packages {
            if let Some(why) = &resolved.dependencies_unknown {
                add(
                    format!(
                        "the dependencies of {name} are unknown ({why}); the tree below it is not checked"
                    ),
                    &id,
                );
            }
        }
    }
    messages
        .into_iter()
        .map(|(message, ids)| format!("{}: {message}", ids.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests;
