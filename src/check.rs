//! The pipeline for one run: every requirement on every target, lookups shared and concurrent.
//!
//! For an index requirement on a target: evaluate its marker, narrow it by the constraints, look up the project,
//! choose the file, and for a chosen wheel read its core metadata the way current pip does, moving on to the next
//! version when pip would reject it. A lookup that failed makes the verdict `unknown`.

use std::collections::HashMap;
use std::sync::Arc;

use indicatif::ProgressBar;
use tokio::task::JoinSet;

use crate::index::{IndexClient, Lookup};
use crate::input::{Entry, FormatControl, IndexRequirement, Input, Wanted};
use crate::metadata;
use crate::pep::{MarkerEnvironment, Version, VersionSpecifiers};
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
    let shared = Arc::new(Shared {
        settings: settings.clone(),
        ranks: settings.targets.iter().map(TagRanks::new).collect(),
        environments: settings
            .targets
            .iter()
            .map(Target::marker_environment)
            .collect(),
        constraints: input.constraints.iter().map(|(c, _)| c.clone()).collect(),
        client,
    });
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

struct Shared {
    settings: Settings,
    ranks: Vec<TagRanks>,
    /// Each target's PEP 508 marker environment, built once.
    environments: Vec<MarkerEnvironment>,
    constraints: Vec<IndexRequirement>,
    client: Arc<IndexClient>,
}

impl Shared {
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
            match self.client.core_metadata(&file.url).await.as_ref() {
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
