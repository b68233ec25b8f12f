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
        // A worklist: a node is looked at again only when its marker widened, so a chain of thousands of
        // packages costs one step a package, not one round a package. Markers only widen, and in the
        // decision-diagram form "no change" is exact, so it ends; the bound is a guard, never met by a lock
        // file (each node widens a handful of times).
        let mut queue: std::collections::VecDeque<Node> = reach.keys().cloned().collect();
        let mut budget = 64 * (reach.len() + self.edges.len() + self.extra_edges.len() + 1);
        while let Some(node) = queue.pop_front() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let marker = reach[&node].clone();
            let (package, extra) = &node;
            let edges = match extra {
                None => self.edges.get(package),
                Some(x) => {
                    // A package with an extra is the package itself too.
                    if widen(&mut reach, (*package, None), marker.clone()) {
                        queue.push_back((*package, None));
                    }
                    self.extra_edges.get(&(*package, x.clone()))
                }
            };
            for edge in edges.into_iter().flatten() {
                let mut along = marker.clone();
                along.and(edge.marker.clone());
                let targets = std::iter::once(None).chain(edge.extras.iter().cloned().map(Some));
                for target in targets.map(|x| (edge.target, x)) {
                    if widen(&mut reach, target.clone(), along.clone()) {
                        queue.push_back(target);
                    }
                }
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

    #[test]
    fn a_chain_thousands_long_reaches_its_end_with_the_markers_joined() {
        // 0 → 1 → … → 20000, one edge of the chain under a marker, and a second path to the end without it.
        let n = 20_000;
        let mut graph = Graph::default();
        for i in 0..n {
            let marker = if i == 5 {
                marker("platform_machine == 'x86_64'")
            } else {
                MarkerTree::TRUE
            };
            graph.edges.insert(
                i,
                vec![Edge {
                    target: i + 1,
                    marker,
                    extras: Vec::new(),
                }],
            );
        }
        let reach = graph.reach(&[(0, vec![])]);
        assert_eq!(reach.len(), n + 1);
        assert_eq!(reach[&5], MarkerTree::TRUE);
        assert_eq!(reach[&n], marker("platform_machine == 'x86_64'"));
        graph.edges.get_mut(&0).unwrap().push(Edge {
            target: n,
            marker: marker("platform_machine == 'aarch64'"),
            extras: Vec::new(),
        });
        let reach = graph.reach(&[(0, vec![])]);
        assert_eq!(
            reach[&n],
            marker("platform_machine == 'x86_64' or platform_machine == 'aarch64'")
        );
    }
}
