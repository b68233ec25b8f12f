//! The package source as the synchronous resolver sees it. pubgrub asks one question at a time and waits for
//! the answer; the source answers on the async runtime. This adapter is the one place that joins them: it
//! waits for answers on the runtime, and starts the fetches ahead of the resolver on it.

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::index::{Lookup, PackageSource, ProjectPage};

#[derive(Clone)]
pub struct WaitingSource {
    source: Arc<dyn PackageSource>,
    runtime: Handle,
}

impl WaitingSource {
    /// `runtime` runs the source's futures; the resolver runs on one of its blocking threads.
    pub fn new(source: Arc<dyn PackageSource>, runtime: Handle) -> Self {
        WaitingSource { source, runtime }
    }

    /// The source, for code that runs on the runtime.
    pub fn source(&self) -> &Arc<dyn PackageSource> {
        &self.source
    }

    /// The project's page, waited for.
    pub fn project(&self, name: &str) -> Arc<Lookup<ProjectPage>> {
        self.wait(self.source.project(name))
    }

    /// `future` run to its end on the runtime.
    pub fn wait<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// `future` started on the runtime, not waited for.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }
}
