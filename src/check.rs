//! The pipeline for one run: every requirement on every target, lookups shared and concurrent.
//!
//! For an index requirement on a target: evaluate its marker, narrow it by the constraints, look up the project,
//! choose the file, and for a chosen wheel read its core metadata the way current pip does, moving on to the next
//! version when pip would reject it. A lookup that failed makes the verdict `unknown`.
//!
//! With the dependency tree (`check_tree`), each target's tree is resolved first, and every project in it gets
//! the verdict of the version the resolver chose.

use std::collections::HashMap;
use std::sync::Arc;

use indicatif::ProgressBar;
use tokio::task::JoinSet;

use crate::index::{IndexClient, Lookup};
use crate::input::{Entry, FormatControl, IndexRequirement, Input, Wanted};
use crate::metadata;
use crate::pep::{MarkerEnvironment, MarkerTree, Version, VersionSpecifiers};
use crate::resolve::{Cand, Context, Resolution, Resolved, resolve};
use crate::select::{Catalog, Policy};
use crate::target::{TagRanks, Target};
use crate::verdict::{Outcome, Verdict};

/// pip gives up on a project long before this many rejected versions; this only bounds a pathological page.
const MAX_REJECTED_VERSIONS: usize = 50;

/// What applies to the whole run besides the requirements themselves.
#[derive(Clone)]
pub struct Settings {
    pub targets: Vec<Target>,
    pub pre: bool,
    pub prefer_binary: bool,
    pub formats: FormatControl,
}

/// The verdicts of every entry of `input`, in input order, one per target in `settings.targets` order.
pub async fn check_all(
    input: &Input,
    settings: &Settings,
    client: Arc<IndexClient>,
    progress: &ProgressBar,
) -> Vec<Vec<Verdict>> {
    let shared = Arc::new(Shared::new(input, settings, client));
    let mut tasks = JoinSet::new();
    for (i, entry) in input.entries.iter().enumerate() {
        for t in 0..settings.targets.len() {
            let shared = shared.clone();
            let entry = entry.clone();
            tasks.spawn(async move { (i, t, shared.verdict(&entry, t).await) });
        }
    }
    let mut results: Vec<Vec<Option<Verdict>>> =
        vec![vec![None; settings.targets.len()]; input.entries.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, t, verdict)) => results[i][t] = Some(verdict),
            // A task that panicked leaves its slot empty: reported below as unknown, never guessed.
            Err(e) => eprintln!("muslcheck: internal error in a lookup task: {e}"),
        }
        progress.inc(1);
    }
    results
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|v| v.unwrap_or_else(|| Verdict::bare(Outcome::Unknown, "internal error")))
                .collect()
        })
        .collect()
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
    client: Arc<IndexClient>,
    progress: &ProgressBar,
) -> Checked {
    let shared = Arc::new(Shared::new(input, settings, client.clone()));
    let resolutions = resolve_all(input, &shared, progress).await;
    let mut warnings = Vec::new();
    for (t, resolution) in resolutions.iter().enumerate() {
        let id = settings.targets[t].id();
        if let Some(failure) = &resolution.failure {
            warnings.push(format!("{id}: {}", failure.sentence()));
        }
        for (name, resolved) in &resolution.packages {
            if let Some(why) = &resolved.dependencies_unknown {
                warnings.push(format!(
                    "{id}: the dependencies of {name} are unknown ({why}); the tree below it is not checked"
                ));
            }
        }
    }
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
                (i, t, verdict)
            });
        }
    }
    for (j, name) in added.iter().enumerate() {
        for t in 0..targets {
            let (shared, name, resolutions) = (shared.clone(), name.clone(), resolutions.clone());
            let row = input.entries.len() + j;
            tasks.spawn(async move {
                let verdict = shared.dependency_verdict(&name, &resolutions[t], t).await;
                (row, t, verdict)
            });
        }
    }
    let mut rows: Vec<Vec<Option<Verdict>>> =
        vec![vec![None; targets]; input.entries.len() + added.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, t, verdict)) => rows[i][t] = Some(verdict),
            Err(e) => eprintln!("muslcheck: internal error in a lookup task: {e}"),
        }
    }
    let mut rows = rows.into_iter().map(|row| {
        row.into_iter()
            .map(|v| v.unwrap_or_else(|| Verdict::bare(Outcome::Unknown, "internal error")))
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

/// For a run that did not resolve the tree: the projects that the chosen wheels of the first target depend on
/// (their core metadata, markers evaluated for the target) but that the input does not name, each with one
/// project that needs it, sorted. Empty when the input lists its whole tree, as a freeze does.
pub async fn unlisted_dependencies(
    input: &Input,
    settings: &Settings,
    client: &IndexClient,
    verdicts: &[Vec<Verdict>],
) -> Vec<(String, String)> {
    let Some(target) = settings.targets.first() else {
        return Vec::new();
    };
    let env = target.marker_environment();
    let listed: std::collections::BTreeSet<String> = input
        .entries
        .iter()
        .filter_map(|e| match &e.wanted {
            Wanted::Index(r) => Some(r.name.clone()),
            Wanted::NotIndex { name, .. } => name.clone(),
        })
        .collect();
    let mut missing: std::collections::BTreeMap<String, String> = Default::default();
    for (entry, row) in input.entries.iter().zip(verdicts) {
        let (Wanted::Index(requirement), Some(verdict)) = (&entry.wanted, row.first()) else {
            continue;
        };
        let Some(filename) = verdict
            .file
            .as_deref()
            .filter(|_| verdict.outcome == Outcome::Wheel)
        else {
            continue;
        };
        let page = client.project(&requirement.name).await;
        let Lookup::Found(page) = page.as_ref() else {
            continue;
        };
        let Some(file) = page.files.iter().find(|f| f.filename == filename) else {
            continue;
        };
        let metadata = client.core_metadata(file).await;
        let Lookup::Found(text) = metadata.as_ref() else {
            continue;
        };
        let extras: Vec<crate::pep::ExtraName> = requirement
            .extras
            .iter()
            .filter_map(|e| e.parse().ok())
            .collect();
        for dep in crate::resolve::parse_deps(text) {
            if dep.marker.evaluate(&env, &extras) && !listed.contains(&*dep.name) {
                missing
                    .entry(dep.name.to_string())
                    .or_insert_with(|| requirement.name.clone());
            }
        }
    }
    missing.into_iter().collect()
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
            client: shared.client.clone(),
            handle: handle.clone(),
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
        });
        tasks.spawn_blocking(move || (t, resolve(ctx)));
    }
    let mut out: Vec<Resolution> = (0..settings.targets.len())
        .map(|_| Resolution::default())
        .collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((t, resolution)) => out[t] = resolution,
            Err(e) => eprintln!("muslcheck: internal error in a resolution: {e}"),
        }
    }
    out
}

struct Shared {
    settings: Settings,
    ranks: Vec<TagRanks>,
    /// Each target's PEP 508 marker environment, built once.
    environments: Vec<MarkerEnvironment>,
    constraints: Vec<IndexRequirement>,
    client: Arc<IndexClient>,
}

impl Shared {
    fn new(input: &Input, settings: &Settings, client: Arc<IndexClient>) -> Self {
        Shared {
            settings: settings.clone(),
            ranks: settings.targets.iter().map(TagRanks::new).collect(),
            environments: settings
                .targets
                .iter()
                .map(Target::marker_environment)
                .collect(),
            constraints: input.constraints.iter().map(|(c, _)| c.clone()).collect(),
            client,
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
        let mut verdict = match &resolved.version {
            Cand::Real(version) => {
                let mut pinned = entry.clone();
                pinned.wanted = Wanted::Index(pin(requirement, version));
                self.verdict(&pinned, t).await
            }
            Cand::Unavailable => self.verdict(entry, t).await,
        };
        annotate(&mut verdict, resolved, resolution);
        verdict
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
        let requirement = match &resolved.version {
            Cand::Real(version) => pin(&requirement, version),
            Cand::Unavailable => requirement,
        };
        let entry = Entry {
            text: resolved.requirement.clone(),
            source: crate::input::Location {
                path: String::new(),
                line: 0,
                key: None,
            },
            wanted: Wanted::Index(requirement),
        };
        let mut verdict = self.verdict(&entry, t).await;
        annotate(&mut verdict, resolved, resolution);
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
        let page = self.client.project(&requirement.name).await;
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
        let mut rejected: HashMap<Version, String> = HashMap::new();
        let mut verdict = loop {
            let choice = catalog.choose(&specifiers, policy, &rejected);
            let Some((file, version)) = choice.wheel else {
                break choice.verdict;
            };
            match self.client.core_metadata(file).await.as_ref() {
                Lookup::Found(text) => match metadata::check(text, &requirement.name, &version) {
                    Ok(()) => break choice.verdict,
                    Err(why) if rejected.len() < MAX_REJECTED_VERSIONS => {
                        rejected.insert(version, format!("pip rejects {}: {why}", file.filename));
                    }
                    Err(why) => break Verdict::bare(Outcome::Fail, why),
                },
                // The client only answers Missing when there is no metadata anywhere to check.
                Lookup::Missing => break choice.verdict,
                Lookup::Failed(e) => {
                    let reason = format!("core metadata lookup failed: {e}");
                    break Verdict::bare(Outcome::Unknown, reason);
                }
            }
        };
        // A version pip skipped for its metadata is worth knowing when another one was taken instead.
        if verdict.file.is_some() {
            let mut skipped: Vec<&String> = rejected.values().collect();
            skipped.sort();
            for why in skipped {
                verdict
                    .reason
                    .push_str(&format!("; {why}, so pip skips that version"));
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

/// The requirement pinned to the version the resolver chose (its marker kept: it held on the target).
fn pin(requirement: &IndexRequirement, version: &Version) -> IndexRequirement {
    let mut pinned = requirement.clone();
    pinned.specifiers = crate::pep::exactly(version);
    pinned
}

/// What the tree adds to a verdict: the chains that pulled the project in, a failed resolution, and
/// dependencies that could not be read.
fn annotate(verdict: &mut Verdict, resolved: &Resolved, resolution: &Resolution) {
    verdict.via = resolved.via.clone();
    if let (Cand::Unavailable, Some(failure)) = (&resolved.version, &resolution.failure)
        && matches!(verdict.outcome, Outcome::Wheel | Outcome::Build)
    {
        verdict.outcome = Outcome::Fail;
        verdict.file = None;
        verdict.size = None;
        verdict.reason = format!(
            "no version satisfies every requirement on it: {}",
            failure.sentence()
        );
        verdict.advice.clear();
    }
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
