//! A failed resolution, as the report and the next resolution see it, and pip's words for a project none of
//! whose versions can be taken.

use std::rc::Rc;

use super::context::{Context, Node, Project};
use crate::index::Lookup;
use crate::pep::VersionSpecifiers;
use crate::select::Catalog;

/// A failed resolution: pip stops with `ResolutionImpossible` (or "no matching distribution").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The causes, one line each, as pip lists them.
    pub causes: Vec<String>,
    /// The top-level requirements (PEP 503 names) the conflict goes back to.
    pub involved: Vec<String>,
}

impl Failure {
    /// One paragraph: `pip cannot resolve the requirements (spacy, thinc): thinc 8.3.2 depends on …; …`.
    pub fn sentence(&self) -> String {
        let who = if self.involved.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.involved.join(", "))
        };
        format!(
            "pip cannot resolve the requirements{who}: {}",
            self.causes.join("; ")
        )
    }
}

/// pip's "Could not find a version that satisfies the requirement", with the reason the target gives.
/// `project` gives a project's versions as the resolver read them.
pub(super) fn no_versions(
    pkg: &Node,
    ctx: &Context,
    project: impl Fn(&str) -> Rc<Project>,
) -> String {
    let Some(name) = pkg.name() else {
        return "nothing to resolve".to_string();
    };
    let project = project(name);
    if let Some(e) = &project.failed {
        return format!("{name}: index lookup failed: {e}");
    }
    if project.versions.is_empty() {
        return format!(
            "no version of {name} can be installed: {}",
            why_none(name, ctx)
        );
    }
    let shown: Vec<String> = project
        .versions
        .iter()
        .rev()
        .take(5)
        .map(|c| c.version.to_string())
        .collect();
    format!(
        "no version of {name} satisfies every requirement on it (installable on this target: {}{})",
        shown.join(", "),
        if project.versions.len() > 5 {
            ", …"
        } else {
            ""
        }
    )
}

/// Why a project offers nothing for the target: the catalog's own reason (no musllinux wheel and no sdist…).
fn why_none(name: &str, ctx: &Context) -> String {
    let lookup = ctx.index.project(name);
    match lookup.as_ref() {
        Lookup::Found(page) => {
            let catalog = Catalog::new(page, name, &ctx.target, &ctx.ranks);
            let choice = catalog.choose(
                &VersionSpecifiers::empty(),
                ctx.policy(name),
                &Default::default(),
            );
            choice.verdict.reason
        }
        Lookup::Missing => format!("{name} is not on the index"),
        Lookup::Failed(e) => format!("index lookup failed: {e}"),
    }
}
