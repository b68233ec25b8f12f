//! Why a resolution failed, in pip's terms: the requirements that cannot hold together ("the conflict is
//! caused by"), read from pubgrub's derivation tree, and which top-level requirements are involved.

use std::collections::BTreeSet;

use pubgrub::{DerivationTree, External};

use super::context::Node;
use super::failure::{Failure, no_versions};
use super::provider::Provider;
use super::versions::{ResolverVersion, Set};

type Tree = DerivationTree<Node, Set, String>;

pub fn explain(tree: &Tree, provider: &Provider) -> Failure {
    let mut causes = Vec::new();
    let mut involved = BTreeSet::new();
    let mut stack = vec![tree];
    while let Some(node) = stack.pop() {
        match node {
            DerivationTree::Derived(d) => {
                stack.push(&d.cause2);
                stack.push(&d.cause1);
            }
            DerivationTree::External(external) => {
                if let Some(line) = cause(external, provider, &mut involved)
                    && !causes.contains(&line)
                {
                    causes.push(line);
                }
            }
        }
    }
    Failure {
        causes,
        involved: involved.into_iter().collect(),
    }
}

fn cause(
    external: &External<Node, Set, String>,
    provider: &Provider,
    involved: &mut BTreeSet<String>,
) -> Option<String> {
    match external {
        External::NotRoot(..) => None,
        External::NoVersions(pkg, _) => Some(no_versions(pkg, &provider.ctx, |name| {
            provider.project(&name.into())
        })),
        External::FromDependencyOf(parent, parent_set, child, _) => {
            let text = stated_text(provider, parent, parent_set, child)
                .unwrap_or_else(|| child.to_string());
            if *parent == Node::Root {
                if let Some(name) = child.name() {
                    involved.insert(name.to_string());
                }
                Some(format!("the input requires {text}"))
            } else {
                Some(format!(
                    "{parent} {} depends on {text}",
                    describe(parent, parent_set, provider)
                ))
            }
        }
        External::Custom(pkg, set, why) => {
            Some(format!("{pkg} {}: {why}", describe(pkg, set, provider)))
        }
    }
}

/// How the parent wrote its requirement on `child`, from a version of the parent in `parent_set` whose
/// dependencies were read (pubgrub may merge versions that state the same requirement).
fn stated_text(
    provider: &Provider,
    parent: &Node,
    parent_set: &Set,
    child: &Node,
) -> Option<String> {
    let stated = provider.stated.borrow();
    let mut read: Vec<(&ResolverVersion, &Vec<super::requires::Dep>)> = stated
        .iter()
        .filter(|((p, cand), _)| p == parent && (*p == Node::Root || parent_set.contains(cand)))
        .map(|((_, cand), deps)| (cand, deps))
        .collect();
    read.sort_by(|a, b| b.0.cmp(a.0));
    let dep = read
        .into_iter()
        .find_map(|(_, deps)| deps.iter().find(|d| Some(&*d.name) == child.name()))?;
    Some(match child {
        Node::Extra(_, e) => format!("{}[{e}]{}", dep.name, dep.specifiers),
        _ => dep.text.clone(),
    })
}

/// A version set as the versions of `pkg` it holds: `3.8.2`, or `3.7.0 to 3.8.2`.
fn describe(pkg: &Node, set: &Set, provider: &Provider) -> String {
    if let Some(cand) = set.as_singleton() {
        return cand.to_string();
    }
    let Some(name) = pkg.name() else {
        return String::new();
    };
    let project = provider.project(&name.into());
    let held: Vec<String> = project
        .versions
        .iter()
        .filter(|c| set.contains(&ResolverVersion::Real(c.version.clone())))
        .map(|c| c.version.to_string())
        .collect();
    match held.as_slice() {
        [] => "(no version)".to_string(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} to {last}"),
    }
}
