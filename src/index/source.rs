//! All the rest of muslcheck knows of a package index: a project's page, a file's core metadata, and what the
//! index declares of a release. The registry (`client.rs`) answers over HTTP; the tests answer from memory
//! (`fake.rs`), so the decisions above can be tried without a server.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::client::IndexClient;
use super::error::Lookup;
use super::page::{IndexFile, ProjectPage};

/// An answer to come: what every method of a [`PackageSource`] returns.
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Whether a run may ask again for a page it lets go of (`PackageSource::forget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Later {
    Never,
    Maybe,
}

/// Where the decisions get their facts. Every answer is final for the run: asking again gives the same one.
pub trait PackageSource: Send + Sync {
    /// The files of a project (normalized name), pooled over every index. `Missing` when no index knows it.
    fn project<'a>(&'a self, name: &'a str) -> Answer<'a, Arc<Lookup<ProjectPage>>>;

    /// The core metadata of a wheel: the file the index serves beside it, else the wheel's own METADATA;
    /// its header section is enough (the description after it is never read). `Missing` only when neither
    /// exists.
    fn core_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>>;

    /// The core metadata the index serves beside a file, without reading the file: for an sdist, whose
    /// metadata pip learns only by building it. `Missing` when the index has none.
    fn declared_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>>;

    /// The `Requires-Dist` the index's JSON API declares for a release. `Missing` when it has no such API or
    /// declares nothing.
    fn declared_requires_dist<'a>(
        &'a self,
        name: &'a str,
        version: &'a str,
    ) -> Answer<'a, Lookup<Vec<String>>>;

    /// The caller is done with `name`'s page: what is kept of it may go. With `Later::Maybe` the run may ask
    /// for it again, and it goes only where it can be had again without asking the index (from the cache);
    /// with `Later::Never` it goes.
    fn forget(&self, name: &str, later: Later);
}

impl PackageSource for IndexClient {
    fn project<'a>(&'a self, name: &'a str) -> Answer<'a, Arc<Lookup<ProjectPage>>> {
        Box::pin(IndexClient::project(self, name))
    }

    fn core_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>> {
        Box::pin(IndexClient::core_metadata(self, file))
    }

    fn declared_metadata<'a>(&'a self, file: &'a IndexFile) -> Answer<'a, Arc<Lookup<String>>> {
        Box::pin(IndexClient::declared_metadata(self, file))
    }

    fn declared_requires_dist<'a>(
        &'a self,
        name: &'a str,
        version: &'a str,
    ) -> Answer<'a, Lookup<Vec<String>>> {
        Box::pin(IndexClient::declared_requires_dist(self, name, version))
    }

    fn forget(&self, name: &str, later: Later) {
        IndexClient::forget(self, name, later == Later::Maybe);
    }
}
