//! The whole dependency tree for a target, as pip's resolver would choose it: every project the top-level
//! requirements pull in, the version taken, and the chains that brought it in (`blis ← thinc ← spacy`).
//!
//! Versions are chosen by pubgrub (a backtracking resolver with conflict learning) over the versions that
//! have a file pip could install on the target, newest first, dependencies read from each chosen version's
//! core metadata with the target's markers and the extras asked for.
//!
//! When pip cannot install the input, the tree is split the way a user fixes it, by leaving the failing
//! top-level requirements out. Those that fail on their own are left out first: no release they admit can be
//! installed, or the one release they admit needs a project none of whose admitted releases can. Then each
//! failed resolution names the top-level requirements it goes back to, those are left out and the rest is
//! resolved again, until it resolves. What that last resolution chooses
//! is what pip installs once the failing lines are replaced; every failure met on the way is kept, in pip's
//! terms. A last, relaxed resolution of the whole input (a project may be left `Unavailable`) keeps the
//! installable tree's versions and shows what the failing requirements would pull in; from it each project
//! gets its [`Standing`]: installed, failing itself, blocked by a failing dependency, or needed only by
//! failing projects.

mod ahead;
mod context;
mod explain;
mod failure;
mod provider;
mod requires;
mod versions;
mod waiting;

#[cfg(test)]
mod scenarios;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use pubgrub::PubGrubError;

pub use context::Context;
use context::Node;
pub use failure::Failure;
use provider::Provider;
pub use requires::StatedDependencies;
pub use requires::{ReadMetadata, Release, sdist_states_the_same};
pub use versions::ResolverVersion;
pub use waiting::WaitingSource;

/// The dependencies a core metadata text states (the fuzz targets).
pub fn parse_metadata_dependencies(text: &str) -> usize {
    requires::parse_deps(text).len()
}

use crate::pep::VersionSpecifiers;

/// One project of the resolved tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `Unavailable` when its page could not be read, or when it cannot be installed.
    pub version: ResolverVersion,
    /// The chains that pulled it in, each from its nearest dependent up to a top-level requirement,
    /// shortest first; empty for a top-level project.
    pub via: Vec<Vec<String>>,
    /// How the nearest dependent of the shortest chain wrote the requirement.
    pub requirement: String,
    /// Every requirement on it in the tree, merged (with the constraints): what a failing project's
    /// releases are checked against.
    pub specifiers: VersionSpecifiers,
    /// Set when its dependencies could not be read (an sdist without declared metadata): the tree below it
    /// is incomplete.
    pub dependencies_unknown: Option<String>,
    /// Set when its dependencies were read from another file of the release (an sdist's, from a wheel).
    pub dependencies_from: Option<String>,
    pub standing: Standing,
}

/// Where a project stands in what pip does with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// pip installs it: it is in the tree of the input without its failing top-level requirements.
    Installed,
    /// It cannot be installed, for a reason of its own.
    Fails(Cause),
    /// Its own files would do, but it needs projects that cannot be installed: the chains down to them, each
    /// from its dependency to the failing project, shortest first.
    Blocked(Vec<Vec<String>>),
    /// Only projects that cannot be installed (named) need it: pip never gets to install it.
    NeededOnlyBy(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No release that the requirements on it admit has a file pip can install on the target.
    NoFile,
    /// Requirements that cannot hold together, in pip's terms.
    Conflict(String),
}

#[derive(Debug, Default)]
pub struct Resolution {
    /// By PEP 503 name.
    pub packages: BTreeMap<String, Resolved>,
    /// Every blocker and conflict met, in the order found.
    pub failures: Vec<Failure>,
}

impl Resolution {
    /// The first blocker or conflict that involves `name`, as one sentence.
    pub fn failure_of(&self, name: &str) -> Option<String> {
        failure_of(name, &self.failures)
    }
}

/// A resolution's choices, ordered so that nothing depends on hashing.
type Solution = BTreeMap<Node, ResolverVersion>;

fn solve(provider: &Provider) -> Result<Solution, Box<PubGrubError<Provider>>> {
    pubgrub::resolve(provider, Node::Root, Provider::root_version())
        .map(|solution| solution.into_iter().collect())
        .map_err(Box::new)
}

/// Resolves the tree for one target. Blocking: run it on a blocking thread of the runtime in `ctx.handle`.
pub fn resolve(ctx: Arc<Context>) -> Resolution {
    let provider = Provider::new(ctx.clone());
    let mut failures = Vec::new();
    let mut left_out = provider.unresolvable_roots(&mut failures);
    let installable = loop {
        provider.keep_roots(&left_out);
        match solve(&provider).map_err(|e| *e) {
            Ok(solution) => break Some(solution),
            Err(PubGrubError::NoSolution(mut tree)) => {
                tree.collapse_no_versions();
                let failure = explain::explain(&tree, &provider);
                let before = left_out.len();
                left_out.extend(failure.involved.iter().cloned());
                failures.push(failure);
                if left_out.len() == before {
                    break None;
                }
            }
            Err(e) => {
                failures.push(Failure {
                    causes: vec![e.to_string()],
                    involved: Vec::new(),
                });
                break None;
            }
        }
    };
    if failures.is_empty()
        && let Some(solution) = &installable
    {
        let packages = collect(&provider, solution, &HashMap::new(), &BTreeSet::new(), &[]);
        return Resolution { packages, failures };
    }
    // What the failing requirements would pull in were the blockers provided.
    let base = installable.unwrap_or_default();
    provider.keep_roots(&BTreeSet::new());
    // Blockers are taken as provided. The failing top-level requirements may be left out too, but only when
    // they cannot all hold together: allowed at once, the resolver would drop one rather than backtrack.
    provider.relaxed.set(true);
    let relaxed = solve(&provider).or_else(|_| {
        *provider.left_out.borrow_mut() = left_out.clone();
        solve(&provider)
    });
    let relaxed = match relaxed {
        Ok(solution) => solution,
        Err(e) => {
            failures.push(Failure {
                causes: vec![e.to_string()],
                involved: Vec::new(),
            });
            Solution::default()
        }
    };
    let base_names: HashMap<String, ResolverVersion> = base
        .iter()
        .filter_map(|(pkg, cand)| match pkg {
            Node::Project(name) => Some((name.to_string(), cand.clone())),
            _ => None,
        })
        .collect();
    let mut combined = base.clone();
    for (pkg, cand) in relaxed {
        if pkg.name().is_some_and(|n| !base_names.contains_key(n)) {
            combined.insert(pkg, cand);
        }
    }
    let packages = collect(&provider, &combined, &base_names, &left_out, &failures);
    Resolution { packages, failures }
}

/// The solution as projects with their chains and standing. `installed` holds the projects of the tree
/// without the failing top-level requirements (`left_out`); with no failure at all, every project is
/// installed and both are empty.
fn collect(
    provider: &Provider,
    solution: &Solution,
    installed: &HashMap<String, ResolverVersion>,
    left_out: &BTreeSet<String>,
    failures: &[Failure],
) -> BTreeMap<String, Resolved> {
    let mut versions: BTreeMap<String, ResolverVersion> = solution
        .iter()
        .filter_map(|(pkg, cand)| match pkg {
            Node::Project(name) => Some((name.to_string(), cand.clone())),
            _ => None,
        })
        .collect();
    let mut graph = Graph::new(provider, solution, &versions);
    let mut chains = shortest_chains(&graph.edges);
    if chains.len() < versions.len() {
        // The relaxed run chose a project for a version of another that the installable tree does not take:
        // nothing leads to it.
        let reachable: Solution = solution
            .iter()
            .filter(|(pkg, _)| pkg.name().is_none_or(|n| chains.contains_key(n)))
            .map(|(pkg, cand)| (pkg.clone(), cand.clone()))
            .collect();
        versions.retain(|name, _| chains.contains_key(name));
        graph = Graph::new(provider, &reachable, &versions);
        chains = shortest_chains(&graph.edges);
    }
    let all_installed = installed.is_empty() && failures.is_empty();
    let standings = if all_installed {
        HashMap::new()
    } else {
        graph.standings(provider, &versions, installed, left_out, failures)
    };
    versions
        .into_iter()
        .map(|(name, version)| {
            let parents = graph.edges.get(&name).cloned().unwrap_or_default();
            let direct = parents.contains_key("");
            let mut via: Vec<Vec<String>> = if direct {
                Vec::new()
            } else {
                parents
                    .iter()
                    .filter_map(|(parent, (shown, _))| {
                        let above = chains.get(parent)?;
                        // A chain through the project itself is a cycle, not a way in.
                        (!above.contains(&name)).then(|| {
                            std::iter::once(shown.clone())
                                .chain(above.iter().cloned())
                                .collect()
                        })
                    })
                    .collect()
            };
            via.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            via.dedup();
            let nearest = if direct {
                Some("")
            } else {
                via.first()
                    .and_then(|chain| chain.first())
                    .map(|shown| shown.split('[').next().unwrap_or(shown))
            };
            let requirement = nearest
                .and_then(|p| parents.get(p))
                .map_or_else(|| name.clone(), |(_, text)| text.clone());
            let (dependencies_unknown, dependencies_from) = match &version {
                ResolverVersion::Real(v) => match &*provider.meta(&name.as_str().into(), v) {
                    StatedDependencies::Unknown(why) | StatedDependencies::Failed(why) => {
                        (Some(why.clone()), None)
                    }
                    StatedDependencies::Borrowed(_, wheel) => (None, Some(wheel.clone())),
                    StatedDependencies::Deps(_) | StatedDependencies::Invalid(_) => (None, None),
                },
                ResolverVersion::Unavailable => (None, None),
            };
            let resolved = Resolved {
                specifiers: graph.specifiers_on(provider, &name),
                standing: standings.get(&name).cloned().unwrap_or(Standing::Installed),
                version,
                via,
                requirement,
                dependencies_unknown,
                dependencies_from,
            };
            (name, resolved)
        })
        .collect()
}

/// The chosen projects and who requires whom.
struct Graph {
    /// Child → parent (as shown, extras included; the root is "") → (shown, how the parent wrote it).
    edges: BTreeMap<String, BTreeMap<String, (String, String)>>,
    /// Parent → its children among the chosen projects.
    children: BTreeMap<String, BTreeSet<String>>,
    /// Child → every requirement on it that a chosen parent (or the input) states.
    stated: BTreeMap<String, Vec<requires::Dep>>,
}

impl Graph {
    fn new(
        provider: &Provider,
        solution: &Solution,
        versions: &BTreeMap<String, ResolverVersion>,
    ) -> Self {
        let mut graph = Graph {
            edges: BTreeMap::new(),
            children: BTreeMap::new(),
            stated: BTreeMap::new(),
        };
        for (pkg, cand) in solution.iter() {
            let Some(deps) = provider
                .stated
                .borrow()
                .get(&(pkg.clone(), cand.clone()))
                .cloned()
            else {
                continue;
            };
            let parent = pkg.name().unwrap_or("").to_string();
            let shown = match pkg {
                Node::Extra(..) => pkg.to_string(),
                _ => parent.clone(),
            };
            for dep in deps {
                if *dep.name == *parent || !versions.contains_key(&*dep.name) {
                    continue;
                }
                graph
                    .edges
                    .entry(dep.name.to_string())
                    .or_default()
                    .entry(parent.clone())
                    .or_insert((shown.clone(), dep.text.clone()));
                graph
                    .children
                    .entry(parent.clone())
                    .or_default()
                    .insert(dep.name.to_string());
                graph
                    .stated
                    .entry(dep.name.to_string())
                    .or_default()
                    .push(dep);
            }
        }
        graph
    }

    /// Every requirement on `name` in the tree, with the constraints.
    fn specifiers_on(&self, provider: &Provider, name: &str) -> VersionSpecifiers {
        let stated: VersionSpecifiers = self
            .stated
            .get(name)
            .into_iter()
            .flatten()
            .flat_map(|d| d.specifiers.iter().cloned())
            .collect();
        provider.ctx.constrained(name, &stated)
    }

    /// The standing of every project of a tree with failures: those in `installed` are installed; the rest
    /// fail, are blocked, or are needed only by failing projects.
    fn standings(
        &self,
        provider: &Provider,
        versions: &BTreeMap<String, ResolverVersion>,
        installed: &HashMap<String, ResolverVersion>,
        left_out: &BTreeSet<String>,
        failures: &[Failure],
    ) -> HashMap<String, Standing> {
        let failing: BTreeSet<&str> = versions
            .iter()
            .filter(|(name, cand)| {
                **cand == ResolverVersion::Unavailable
                    && !installed.contains_key(*name)
                    && provider.project(&name.as_str().into()).failed.is_none()
            })
            .map(|(name, _)| name.as_str())
            .collect();
        let mut out: HashMap<String, Standing> = HashMap::new();
        for name in versions.keys() {
            if installed.contains_key(name) {
                continue;
            }
            let standing = if failing.contains(name.as_str()) {
                Standing::Fails(self.cause(provider, name, failures))
            } else if let Some(chains) = self.chains_down(name, &failing) {
                Standing::Blocked(chains)
            } else if left_out.contains(name) {
                Standing::Fails(Cause::Conflict(failure_of(name, failures).unwrap_or_else(
                    || format!("{name} cannot be installed with the rest of the input"),
                )))
            } else {
                continue;
            };
            out.insert(name.clone(), standing);
        }
        // The rest is needed only by projects that cannot be installed: the nearest of those above it.
        for name in versions.keys() {
            if installed.contains_key(name) || out.contains_key(name) {
                continue;
            }
            let mut needers = BTreeSet::new();
            let mut seen = BTreeSet::from([name.as_str()]);
            let mut queue = VecDeque::from([name.as_str()]);
            while let Some(node) = queue.pop_front() {
                for parent in self.edges.get(node).into_iter().flat_map(|p| p.keys()) {
                    if parent.is_empty() || !seen.insert(parent.as_str()) {
                        continue;
                    }
                    match out.get(parent.as_str()) {
                        Some(Standing::Fails(_) | Standing::Blocked(_)) => {
                            needers.insert(parent.clone());
                        }
                        _ => queue.push_back(parent),
                    }
                }
            }
            out.insert(
                name.clone(),
                Standing::NeededOnlyBy(needers.into_iter().collect()),
            );
        }
        out
    }

    /// Why a project that cannot be installed fails: no file among the releases the requirements on it admit,
    /// else a conflict.
    fn cause(&self, provider: &Provider, name: &str, failures: &[Failure]) -> Cause {
        let project = provider.project(&name.into());
        let specifiers = self.specifiers_on(provider, name);
        let admitted = versions::admitted(&project.versions, &specifiers, provider.ctx.pre);
        let any = project
            .versions
            .iter()
            .any(|c| admitted.contains(&ResolverVersion::Real(c.version.clone())));
        if !any {
            return Cause::NoFile;
        }
        let stated: Vec<String> = self
            .edges
            .get(name)
            .into_iter()
            .flat_map(|parents| parents.values())
            .map(|(shown, text)| {
                if shown.is_empty() {
                    format!("the input requires {text}")
                } else {
                    format!("{shown} requires {text}")
                }
            })
            .collect();
        Cause::Conflict(failure_of(name, failures).unwrap_or_else(|| {
            format!(
                "no release of {name} fits the rest of the tree ({})",
                stated.join("; ")
            )
        }))
    }

    /// The shortest chains from `name` down to projects in `failing`, each starting at a child of `name` and
    /// ending at the failing project; `None` when none is reachable.
    fn chains_down(&self, name: &str, failing: &BTreeSet<&str>) -> Option<Vec<Vec<String>>> {
        let mut found: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut seen = BTreeSet::from([name]);
        let mut queue: VecDeque<(&str, Vec<String>)> = VecDeque::from([(name, Vec::new())]);
        while let Some((node, path)) = queue.pop_front() {
            for child in self.children.get(node).into_iter().flatten() {
                if !seen.insert(child.as_str()) {
                    continue;
                }
                let mut next = path.clone();
                next.push(child.clone());
                if failing.contains(child.as_str()) {
                    found.entry(child.as_str()).or_insert(next);
                } else {
                    queue.push_back((child.as_str(), next));
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let mut chains: Vec<Vec<String>> = found.into_values().collect();
        chains.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        Some(chains)
    }
}

/// The sentence of the first failure that involves top-level requirement `name`.
fn failure_of(name: &str, failures: &[Failure]) -> Option<String> {
    failures
        .iter()
        .find(|f| f.involved.iter().any(|n| n == name))
        .map(Failure::sentence)
}

/// For each project, the names on one shortest path up to a top-level requirement (nearest first, the
/// top-level project last; empty for a top-level project), by breadth-first search from the root.
fn shortest_chains(
    edges: &BTreeMap<String, BTreeMap<String, (String, String)>>,
) -> HashMap<String, Vec<String>> {
    let mut children: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (child, parents) in edges {
        for parent in parents.keys() {
            children.entry(parent).or_default().insert(child);
        }
    }
    let mut chains: HashMap<String, Vec<String>> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for top in children.get("").into_iter().flatten() {
        chains.insert(top.to_string(), Vec::new());
        queue.push_back(top);
    }
    while let Some(node) = queue.pop_front() {
        for child in children.get(node).into_iter().flatten() {
            if chains.contains_key(*child) {
                continue;
            }
            let mut chain = vec![node.to_string()];
            chain.extend(chains[node].iter().cloned());
            chains.insert(child.to_string(), chain);
            queue.push_back(child);
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(&str, &str)]) -> BTreeMap<String, BTreeMap<String, (String, String)>> {
        let mut out: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
        for (parent, child) in list {
            out.entry(child.to_string())
                .or_default()
                .insert(parent.to_string(), (parent.to_string(), child.to_string()));
        }
        out
    }

    #[test]
    fn chains_are_shortest_paths_to_the_top() {
        let e = edges(&[
            ("", "spacy"),
            ("spacy", "thinc"),
            ("thinc", "blis"),
            ("spacy", "blis"),
            ("thinc", "confection"),
            ("confection", "thinc"),
        ]);
        let chains = shortest_chains(&e);
        assert_eq!(chains["spacy"], Vec::<String>::new());
        assert_eq!(chains["thinc"], ["spacy"]);
        assert_eq!(chains["blis"], ["spacy"]);
        assert_eq!(chains["confection"], ["thinc", "spacy"]);
    }
}
