//! Which locked packages are installed, and under which marker, for lock files that record markers on their
//! dependency edges rather than on packages (uv.lock, poetry.lock before Poetry 2). A package's marker is the
//! union, over the paths from the roots (with the selected extras), of the conjunction of the edge markers
//! along each path: computed as a fixed point over (package, extra) nodes.

use std::collections::HashMap;

use crate::pep::MarkerTree;

/// A dependency edge: the package it points at, its marker, and the extras it asks of that package.
pub struct Edge {
    pub target: usize,
    pub marker: MarkerTree,
    pub extras: Vec<String>,
}

/// The dependency edges of each package: its own, and those of each of its extras.
#[derive(Default)]
pub struct Graph {
    pub edges: HashMap<usize, Vec<Edge>>,
    pub extra_edges: HashMap<(usize, String), Vec<Edge>>,
}

type Node = (usize, Option<String>);

impl Graph {
    /// The marker of every package reachable from `roots` (package, its selected extras); unreachable
    /// packages are absent.
    pub fn reach(&self, roots: &[(usize, Vec<String>)]) -> HashMap<usize, MarkerTree> {
        let mut reach: HashMap<Node, MarkerTree> = HashMap::new();
        for (root, extras) in roots {
            reach.insert((*root, None), MarkerTree::TRUE);
            for extra in extras {
                reach.insert((*root, Some(extra.clone())), MarkerTree::TRUE);
            }
        }
        // Each round follows one more edge of every path; the decision-diagram form makes "no change" exact.
        for _ in 0..=reach.len() + self.edges.len() + self.extra_edges.len() + 1 {
            let mut changed = false;
            let snapshot: Vec<(Node, MarkerTree)> =
                reach.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for ((package, extra), marker) in snapshot {
                let edges = match &extra {
                    None => self.edges.get(&package),
                    Some(x) => {
                        // A package with an extra is the package itself too.
                        changed |= widen(&mut reach, (package, None), marker.clone());
                        self.extra_edges.get(&(package, x.clone()))
                    }
                };
                for edge in edges.into_iter().flatten() {
                    let mut along = marker.clone();
                    along.and(edge.marker.clone());
                    changed |= widen(&mut reach, (edge.target, None), along.clone());
                    for x in &edge.extras {
                        changed |= widen(&mut reach, (edge.target, Some(x.clone())), along.clone());
                    }
                }
            }
            if !changed {
                break;
            }
        }
        reach
            .into_iter()
            .filter(|((_, extra), _)| extra.is_none())
            .map(|((p, _), m)| (p, m))
            .collect()
    }
}

/// `reach[node] |= marker`; whether that changed anything.
fn widen(reach: &mut HashMap<Node, MarkerTree>, node: Node, marker: MarkerTree) -> bool {
    let entry = reach.entry(node).or_insert(MarkerTree::FALSE);
    let before = entry.clone();
    entry.or(marker);
    *entry != before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(text: &str) -> MarkerTree {
        crate::pep::parse_marker(text).unwrap()
    }

    #[test]
    fn paths_and_cycles() {
        // 0 → 1 (linux) → 2 → 1 (a cycle), 0[x] → 3
        let mut graph = Graph::default();
        let edge = |target, m: &str, extras: &[&str]| Edge {
            target,
            marker: if m.is_empty() {
                MarkerTree::TRUE
            } else {
                marker(m)
            },
            extras: extras.iter().map(|e| e.to_string()).collect(),
        };
        graph
            .edges
            .insert(0, vec![edge(1, "sys_platform == 'linux'", &[])]);
        graph.edges.insert(1, vec![edge(2, "", &[])]);
        graph.edges.insert(2, vec![edge(1, "", &[])]);
        graph.extra_edges.insert(
            (0, "x".into()),
            vec![edge(3, "python_version < '3.11'", &[])],
        );
        let plain = graph.reach(&[(0, vec![])]);
        assert_eq!(plain[&2], marker("sys_platform == 'linux'"));
        assert!(!plain.contains_key(&3));
        let with_x = graph.reach(&[(0, vec!["x".into()])]);
        assert_eq!(with_x[&3], marker("python_version < '3.11'"));
    }
}
