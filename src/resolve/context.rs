//! What one target's resolution works with: the index, the target, the requirements, and the nodes and
//! projects the resolver reasons about. Everything else in `resolve/` builds on this module.

use std::collections::HashSet;
use std::sync::Arc;

use indicatif::ProgressBar;

use super::requires::ReadMetadata;
use super::waiting::WaitingSource;
use crate::input::{FormatControl, IndexRequirement};
use crate::pep::{MarkerEnvironment, VersionSpecifiers};
use crate::select::{CandidateVersion, Policy};
use crate::target::{TagRanks, Target};

/// A node of the resolution: the requirements themselves, a project, or a project with one extra (which
/// depends on the project at the same version, plus what the extra adds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Root,
    Project(Arc<str>),
    Extra(Arc<str>, Arc<str>),
}

impl Node {
    pub fn name(&self) -> Option<&str> {
        match self {
            Node::Root => None,
            Node::Project(n) | Node::Extra(n, _) => Some(n),
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => f.write_str("the requirements"),
            Node::Project(n) => f.write_str(n),
            Node::Extra(n, e) => write!(f, "{n}[{e}]"),
        }
    }
}

/// A project, with the extras it was asked for.
pub type Crawled = (Arc<str>, Vec<Arc<str>>);

/// What one target's resolution needs besides the index.
pub struct Context {
    /// The index, waited on by the resolver.
    pub index: WaitingSource,
    pub target: Target,
    pub ranks: TagRanks,
    pub env: MarkerEnvironment,
    pub pre: bool,
    pub prefer_binary: bool,
    pub formats: FormatControl,
    /// The top-level requirements whose marker holds on the target, with their text.
    pub roots: Vec<(IndexRequirement, String)>,
    /// `-c` constraints whose marker holds on the target.
    pub constraints: Vec<IndexRequirement>,
    pub progress: ProgressBar,
    /// The projects the crawl ahead of the resolver has started on (with the extras it asked for).
    pub crawled: std::sync::Mutex<HashSet<Crawled>>,
    /// The core metadata read so far, shared by every target's resolution.
    pub read: Arc<ReadMetadata>,
}

impl Context {
    pub fn policy(&self, name: &str) -> Policy {
        let (allow_wheel, allow_sdist) = self.formats.allowed(name);
        Policy {
            allow_pre: self.pre,
            allow_sdist,
            allow_wheel,
            prefer_binary: self.prefer_binary,
        }
    }

    /// `specifiers` narrowed by every constraint on `name`.
    pub fn constrained(&self, name: &str, specifiers: &VersionSpecifiers) -> VersionSpecifiers {
        specifiers
            .iter()
            .chain(
                self.constraints
                    .iter()
                    .filter(|c| c.name == name)
                    .flat_map(|c| c.specifiers.iter()),
            )
            .cloned()
            .collect()
    }
}

/// A project's page as the target sees it.
pub struct Project {
    /// Ascending.
    pub versions: Vec<CandidateVersion>,
    /// The lookup failed: nothing can be said of it.
    pub failed: Option<crate::index::LookupError>,
}
