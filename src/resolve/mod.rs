//! The whole dependency tree for a target, as pip's resolver would choose it: every project the top-level
//! requirements pull in, the version taken, and the chains that brought it in (`blis ← thinc ← spacy`).
//!
//! Versions are chosen by pubgrub (a backtracking resolver with conflict learning) over the versions that
//! have a file pip could install on the target, newest first, dependencies read from each chosen version's
//! core metadata with the target's markers and the extras asked for. When pip would fail to resolve, the
//! failure is explained, and a second, relaxed resolution (a project may be left uninstalled) still gives a
//! version to everything else.

mod ahead;
mod explain;
mod provider;
mod requires;
mod versions;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use pubgrub::PubGrubError;

pub use explain::Failure;
pub use provider::Context;
use provider::{Pkg, Provider};
use requires::Meta;
pub(crate) use requires::parse_deps;
pub use versions::Cand;

/// One project of the resolved tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `Unavailable` when its page could not be read, or when pip's resolution failed on it.
    pub version: Cand,
    /// The chains that pulled it in, each from its nearest dependent up to a top-level requirement,
    /// shortest first; empty for a top-level project.
    pub via: Vec<Vec<String>>,
    /// How the nearest dependent of the shortest chain wrote the requirement.
    pub requirement: String,
    /// Set when its dependencies could not be read (an sdist without declared metadata): the tree below it
    /// is incomplete.
    pub dependencies_unknown: Option<String>,
    /// Set when its dependencies were read from another file of the release (an sdist's, from a wheel).
    pub dependencies_from: Option<String>,
}

#[derive(Debug, Default)]
pub struct Resolution {
    /// By PEP 503 name.
    pub packages: BTreeMap<String, Resolved>,
    pub failure: Option<Failure>,
}

/// Resolves the tree for one target. Blocking: run it on a blocking thread of the runtime in `ctx.handle`.
pub fn resolve(ctx: Arc<Context>) -> Resolution {
    let strict = Provider::new(ctx.clone(), false);
    let failure = match pubgrub::resolve(&strict, Pkg::Root, Provider::root_version()) {
        Ok(solution) => return collect(&strict, &solution, None),
        Err(PubGrubError::NoSolution(mut tree)) => {
            tree.collapse_no_versions();
            explain::explain(&tree, &strict)
        }
        Err(e) => Failure {
            causes: vec![e.to_string()],
            involved: Vec::new(),
        },
    };
    let relaxed = Provider::new(ctx, true);
    match pubgrub::resolve(&relaxed, Pkg::Root, Provider::root_version()) {
        Ok(solution) => collect(&relaxed, &solution, Some(failure)),
        Err(e) => {
            let mut failure = failure;
            failure.causes.push(e.to_string());
            Resolution {
                packages: BTreeMap::new(),
                failure: Some(failure),
            }
        }
    }
}

/// The solution as projects with their chains.
fn collect(
    provider: &Provider,
    solution: &pubgrub::SelectedDependencies<Pkg, Cand>,
    failure: Option<Failure>,
) -> Resolution {
    let versions: BTreeMap<String, Cand> = solution
        .iter()
        .filter_map(|(pkg, cand)| match pkg {
            Pkg::Project(name) => Some((name.to_string(), cand.clone())),
            _ => None,
        })
        .collect();
    // Edges parent → child among the chosen projects, with the parent as shown (extras included) and how it
    // wrote the requirement. The root is "".
    let mut edges: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
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
            Pkg::Extra(..) => pkg.to_string(),
            _ => parent.clone(),
        };
        for dep in deps {
            if *dep.name != *parent && versions.contains_key(&*dep.name) {
                edges
                    .entry(dep.name.to_string())
                    .or_default()
                    .entry(parent.clone())
                    .or_insert((shown.clone(), dep.text.clone()));
            }
        }
    }
    let chains = shortest_chains(&edges);
    let packages = versions
        .into_iter()
        .map(|(name, version)| {
            let parents = edges.get(&name).cloned().unwrap_or_default();
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
                Cand::Real(v) => match &*provider.meta(&name.as_str().into(), v) {
                    Meta::Unknown(why) | Meta::Failed(why) => (Some(why.clone()), None),
                    Meta::Borrowed(_, wheel) => (None, Some(wheel.clone())),
                    Meta::Deps(_) | Meta::Invalid(_) => (None, None),
                },
                Cand::Unavailable => (None, None),
            };
            let resolved = Resolved {
                version,
                via,
                requirement,
                dependencies_unknown,
                dependencies_from,
            };
            (name, resolved)
        })
        .collect();
    Resolution { packages, failure }
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
