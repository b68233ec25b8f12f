//! The registry: what to ask the indexes for and what is kept of it. Each project page is pooled over every
//! index and asked for once, however many requirements and targets need it; so is each core-metadata file
//! (`client/metadata_files.rs`). Below the memo, the cache on disk (`cache.rs`) answers what an earlier run already
//! asked, and the transport (`transport.rs`) asks the network the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::sync::OnceCell;
use url::Url;

use super::answer::{Conditional, Fetched, Kind, Reply};
use super::cache::{CacheOptions, HttpCache, Key};
use super::decode::decode_into;
use super::error::{FailureKind, Lookup, LookupError};
use super::netrc::Netrc;
use super::page::{PageBudget, PageBuilder, ProjectPage};
use super::redact::redact;
use super::transport::{self, Backoff, Index, Request, Transport};

mod metadata_files;
#[cfg(test)]
mod tests;

/// PEP 691 content negotiation: JSON first, HTML for indexes that only speak PEP 503.
const ACCEPT_PAGE: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// How the client behaves; built by the CLI from flags and environment.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// The indexes to ask, in order (pip pools the files of all of them).
    pub indexes: Vec<Url>,
    /// Page requests in flight at once; metadata-file requests (often another host) have as many again.
    pub concurrency: usize,
    /// Total time one request may take.
    pub timeout: Duration,
    /// Retries after a timeout, connection error, 5xx or 429.
    pub retries: u32,
    /// The wait before each retry.
    pub backoff: Backoff,
    /// Credentials for hosts whose URLs carry none (`~/.netrc`, as pip reads it through requests).
    pub netrc: Option<Netrc>,
    /// The cache on disk; `None` with `--no-cache`.
    pub cache: Option<CacheOptions>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "could not set up HTTPS: {0} (is SSL_CERT_FILE pointing at a readable PEM file of CA certificates?)"
    )]
    Tls(String),
    #[error(transparent)]
    BadIndexUrl(#[from] transport::BadIndexUrl),
}

type Memo<K, T> = Mutex<HashMap<K, Arc<OnceCell<Arc<Lookup<T>>>>>>;

/// The memory the pages held at once may take (`PageBudget`): about ten times what the largest trees measured
/// need (a 929-pin tree of lock files holds 456,000 files in about 80 MB).
const MAX_PAGES_HELD: usize = 1 << 30;

pub struct IndexClient {
    transport: Transport,
    budget: PageBudget,
    pages: Memo<String, ProjectPage>,
    metadata: Memo<Url, String>,
    cache: Option<HttpCache>,
}

impl IndexClient {
    pub fn new(options: &IndexOptions) -> Result<Self, ClientError> {
        let indexes = options
            .indexes
            .iter()
            .map(|url| Index::from_url(url.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let settings = transport::Settings {
            concurrency: options.concurrency,
            timeout: options.timeout,
            retries: options.retries,
            backoff: options.backoff.clone(),
            netrc: options.netrc.clone(),
        };
        Ok(IndexClient {
            transport: Transport::new(indexes, settings).map_err(ClientError::Tls)?,
            budget: PageBudget::new(MAX_PAGES_HELD),
            pages: Mutex::default(),
            metadata: Mutex::default(),
            cache: options.cache.as_ref().map(HttpCache::new),
        })
    }

    /// The client with another bound on the pages held at once.
    #[cfg(test)]
    fn with_page_budget(mut self, max: usize) -> Self {
        self.budget = PageBudget::new(max);
        self
    }

    /// After the run: trims the cache to its bound and says how it served the run (a note, and a warning
    /// when entries could not be written). `None` without a cache.
    pub fn finish_cache(&self) -> Option<(String, Option<String>)> {
        self.cache.as_ref().map(HttpCache::finish)
    }

    /// The index URLs as they may be printed.
    pub fn shown_urls(&self) -> Vec<String> {
        self.transport.index_urls().map(redact).collect()
    }

    /// The files of a project (normalized name) pooled over every index, in index then page order.
    /// `Missing` when no index knows the project; `Failed` when any index could not be asked, since a
    /// file it holds might change the answer.
    pub async fn project(&self, name: &str) -> Arc<Lookup<ProjectPage>> {
        let cell = memo_cell(&self.pages, name.to_string());
        cell.get_or_init(|| async { Arc::new(self.fetch_project(name).await) })
            .await
            .clone()
    }

    /// Lets go of a project's page (`PackageSource::forget`); holders of it keep it until they are done. A
    /// page the run may ask for again (`asked_again`) stays unless the cache gives it back without asking
    /// the index: asking again would cost a request, and with `--refresh` every read asks.
    pub fn forget(&self, name: &str, asked_again: bool) {
        if asked_again && !self.cache.as_ref().is_some_and(HttpCache::answers_again) {
            return;
        }
        let mut map = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(name);
    }

    async fn fetch_project(&self, name: &str) -> Lookup<ProjectPage> {
        let mut builder = PageBuilder::new(name);
        let mut found = false;
        for index in self.transport.index_urls() {
            let url = match index.join(&format!("{name}/")) {
                Ok(u) => u,
                Err(e) => {
                    return Lookup::Failed(LookupError::new(
                        FailureKind::BadUrl,
                        format!("bad project URL for {name}: {e}"),
                    ));
                }
            };
            match self.get(&url, ACCEPT_PAGE, None, Kind::Page).await {
                Ok(Some(fetched)) => {
                    let base = fetched.final_url.as_deref().unwrap_or(&url);
                    if let Err(e) =
                        decode_into(&fetched.content_type, &fetched.body, base, &mut builder)
                    {
                        return Lookup::Failed(
                            LookupError::decode(e.to_string()).at(&redact(&url)),
                        );
                    }
                    found = true;
                }
                Ok(None) => {}
                Err(e) => return Lookup::Failed(e),
            }
        }
        if !found {
            return Lookup::Missing;
        }
        let mut page = builder.finish();
        match self.budget.hold(&mut page) {
            Ok(()) => Lookup::Found(page),
            Err(held) => Lookup::Failed(LookupError::new(
                FailureKind::TooLarge,
                format!(
                    "the page of {name} ({} MB as kept) is not kept: with the {} MB of pages held, \
                     the run would pass its bound of {} MB",
                    page.bytes() >> 20,
                    held >> 20,
                    self.budget.max() >> 20
                ),
            )),
        }
    }

    /// GET, optionally of a byte range. `Ok(None)` for 404/410.
    async fn get(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        kind: Kind,
    ) -> Result<Option<Fetched>, LookupError> {
        self.get_or_absent(url, accept, range, kind, &[]).await
    }

    /// `get`, with more statuses that mean "not there" (`Ok(None)`) besides 404 and 410. Answered by the cache
    /// when it can; the credentials sent are part of the cache key, so users never share entries.
    async fn get_or_absent(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        kind: Kind,
        absent: &[StatusCode],
    ) -> Result<Option<Fetched>, LookupError> {
        let request = Request {
            accept,
            range,
            kind,
            absent,
        };
        let send =
            async |conditional: &Conditional| self.transport.send(url, &request, conditional).await;
        let Some(cache) = &self.cache else {
            return match send(&Conditional::default()).await? {
                Reply::Answer(fetched) => Ok(fetched),
                Reply::NotModified(_) => Err(LookupError::new(
                    FailureKind::Status(304),
                    format!("{}: HTTP 304 to a plain request", redact(url)),
                )),
            };
        };
        let identity = self
            .transport
            .credentials_for(url)
            .map(|(user, password)| format!("{user}:{}", password.as_deref().unwrap_or("")));
        let key = Key::new(
            url,
            kind,
            accept,
            range,
            identity.as_deref().map(str::as_bytes),
        );
        cache.get(&key, url, kind, send).await
    }
}

fn memo_cell<K: std::hash::Hash + Eq, T>(
    memo: &Memo<K, T>,
    key: K,
) -> Arc<OnceCell<Arc<Lookup<T>>>> {
    // A poisoned lock only means another task panicked while inserting; the map itself is still sound.
    let mut map = memo.lock().unwrap_or_else(|p| p.into_inner());
    map.entry(key).or_default().clone()
}
