//! The request on the network: one connection pool for the run, a bound on requests in flight, the
//! credentials each host gets, a bound on the size of an answer, and retries with backoff. It knows nothing of
//! pages, metadata or the cache: the registry (`client.rs`) decides what to ask for and where it is kept.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, AGE, CACHE_CONTROL, CONTENT_RANGE, CONTENT_TYPE, DATE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, RANGE, RETRY_AFTER,
};
use tokio::sync::Semaphore;
use url::Url;

use super::answer::{Caching, Conditional, Fetched, Kind, Reply};
use super::error::{FailureKind, LookupError};
use super::failure::{self, describe};
use super::netrc::Netrc;
use super::redact::redact;
use super::retry_after;

/// An answer larger than this is refused rather than read into memory (the largest real pages are a few MB).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// The longest wait a server's `Retry-After` may impose on one retry; a request whose answer asks for more is
/// not retried.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Waiting for a while: the runtime's timer, or in the tests a recorder that returns at once.
pub type Pause = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How long to wait before the next attempt, and what waiting is: the runtime's timer in a run, a recorder
/// in the tests, which then see every interval without spending it.
#[derive(Clone)]
pub struct Backoff {
    /// The first wait; doubled on each retry.
    pub first: Duration,
    pub pause: Pause,
}

impl Backoff {
    /// Waits on the runtime's timer.
    pub fn sleeping(first: Duration) -> Self {
        Backoff {
            first,
            pause: Arc::new(|wait| Box::pin(tokio::time::sleep(wait))),
        }
    }

    /// The wait before retry number `retry` (0 for the first), unless the server said how long.
    fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or_else(|| self.first.saturating_mul(2u32.saturating_pow(retry)))
    }
}

impl std::fmt::Debug for Backoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backoff")
            .field("first", &self.first)
            .finish_non_exhaustive()
    }
}

/// One index: its URL without credentials, and the credentials apart.
#[derive(Debug)]
pub(super) struct Index {
    pub url: Url,
    pub auth: Option<(String, Option<String>)>,
}

/// An index URL that is not one: not http(s), or not a base for project URLs.
#[derive(Debug, thiserror::Error)]
#[error("index URL '{0}' is not an absolute http(s) URL")]
pub struct BadIndexUrl(pub String);

impl Index {
    /// The credentials taken out of `url`, and a slash at the end of its path (project pages are joined to it).
    pub fn from_url(mut url: Url) -> Result<Index, BadIndexUrl> {
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(BadIndexUrl(redact(&url)));
        }
        let auth = (!url.username().is_empty() || url.password().is_some()).then(|| {
            (
                super::percent_decode(url.username()),
                url.password().map(super::percent_decode),
            )
        });
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Index { url, auth })
    }
}

/// How the transport behaves.
pub(super) struct Settings {
    pub concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Backoff,
    pub netrc: Option<Netrc>,
}

pub(super) struct Transport {
    http: reqwest::Client,
    /// The indexes, for the credentials each host gets.
    indexes: Vec<Index>,
    page_permits: Semaphore,
    file_permits: Semaphore,
    retries: u32,
    backoff: Backoff,
    timeout: Duration,
    netrc: Option<Netrc>,
}

impl Transport {
    /// `Err` when HTTPS cannot be set up: the message of the TLS library.
    pub fn new(indexes: Vec<Index>, settings: Settings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("muslcheck/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(15)))
            .redirect(failure::redirect_policy())
            .build()
            .map_err(|e| error_chain(&e))?;
        Ok(Transport {
            http,
            indexes,
            page_permits: Semaphore::new(settings.concurrency.max(1)),
            file_permits: Semaphore::new(settings.concurrency.max(1)),
            retries: settings.retries,
            backoff: settings.backoff,
            timeout: settings.timeout,
            netrc: settings.netrc,
        })
    }

    /// The index URLs, without credentials, in the order they are asked.
    pub fn index_urls(&self) -> impl Iterator<Item = &Url> {
        self.indexes.iter().map(|i| &i.url)
    }

    /// The request on the network, with retries; conditional when `conditional` holds validators. `absent`
    /// are statuses that mean "not there" besides 404 and 410 (`Reply::Answer(None)`).
    pub async fn send(
        &self,
        url: &Url,
        request: &Request<'_>,
        conditional: &Conditional,
    ) -> Result<Reply, LookupError> {
        let shown = redact(url);
        let permits = match request.kind {
            Kind::Page => &self.page_permits,
            Kind::File => &self.file_permits,
        };
        let mut attempt = 0;
        let mut failures: Vec<LookupError> = Vec::new();
        loop {
            let outcome = {
                let _permit = permits
                    .acquire()
                    .await
                    .map_err(|e| LookupError::network(e.to_string()))?;
                self.get_once(url, request, conditional).await
            };
            let wait = match outcome {
                Attempt::Done(result) => return result.map_err(|e| e.at(&shown)),
                Attempt::Retry {
                    failure,
                    retry_after,
                } => {
                    let kind = failure.kind();
                    failures.push(failure);
                    let messages: Vec<String> = failures.iter().map(ToString::to_string).collect();
                    if let Some(asked) = retry_after.filter(|&a| a > MAX_RETRY_AFTER) {
                        let said = failure::gave_up(&messages);
                        return Err(LookupError::new(
                            kind,
                            format!(
                                "{shown}: {said}; it asked to be retried after {} s, longer than \
                                 muslcheck waits ({} s)",
                                asked.as_secs(),
                                MAX_RETRY_AFTER.as_secs()
                            ),
                        ));
                    }
                    if attempt >= self.retries {
                        return Err(LookupError::new(kind, failure::gave_up(&messages)).at(&shown));
                    }
                    self.backoff.wait(attempt, retry_after)
                }
            };
            attempt += 1;
            (self.backoff.pause)(wait).await;
        }
    }

    async fn get_once(&self, url: &Url, asked: &Request<'_>, conditional: &Conditional) -> Attempt {
        let mut request = self.http.get(url.clone()).header(ACCEPT, asked.accept);
        if let Some(range) = asked.range {
            request = request.header(RANGE, range);
        }
        if let Some(etag) = &conditional.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &conditional.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        if let Some((user, password)) = self.credentials_for(url) {
            request = request.basic_auth(user, password.as_deref());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_redirect() => {
                return Attempt::Done(Err(LookupError::network(describe(&e, self.timeout))));
            }
            Err(e) => {
                return Attempt::retry(LookupError::network(describe(&e, self.timeout)), None);
            }
        };
        let status = response.status();
        if status == StatusCode::NOT_FOUND
            || status == StatusCode::GONE
            || asked.absent.contains(&status)
        {
            return Attempt::Done(Ok(Reply::Answer(None)));
        }
        if status == StatusCode::NOT_MODIFIED {
            return Attempt::Done(Ok(Reply::NotModified(caching(&response))));
        }
        let failed = |status: StatusCode| {
            LookupError::new(
                FailureKind::Status(status.as_u16()),
                failure::status(status),
            )
        };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
            let retry_after = header(RETRY_AFTER).and_then(|v| retry_after::wait(v, header(DATE)));
            return Attempt::retry(failed(status), retry_after);
        }
        if !status.is_success() {
            return Attempt::Done(Err(failed(status)));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let content_type = header(CONTENT_TYPE).to_ascii_lowercase();
        // `Content-Range: bytes 57236-59235/59236`: the total is what follows the slash.
        let partial = status == StatusCode::PARTIAL_CONTENT;
        let total = header(CONTENT_RANGE)
            .rsplit('/')
            .next()
            .and_then(|t| t.trim().parse().ok());
        let caching = caching(&response);
        let final_url = Some(response.url().clone())
            .filter(|u| u != url)
            .map(Box::new);
        match read_body(response).await {
            Ok(body) => Attempt::Done(Ok(Reply::Answer(Some(Fetched {
                final_url,
                content_type,
                partial,
                total,
                body,
                caching,
            })))),
            Err(BodyError::TooLarge) => Attempt::Done(Err(LookupError::too_large(format!(
                "the answer is larger than {} MB, more than any index page; not read further",
                MAX_BODY >> 20
            )))),
            Err(BodyError::Read(e, read)) => {
                Attempt::retry(LookupError::network(failure::broken_body(&e, read)), None)
            }
        }
    }

    /// pip sends an index's credentials to that index's host only; a request they do not cover gets its
    /// host's netrc entry, as requests adds one to any request without credentials.
    pub fn credentials_for(&self, url: &Url) -> Option<(String, Option<String>)> {
        self.indexes
            .iter()
            .find(|i| {
                i.url.host_str() == url.host_str()
                    && i.url.port_or_known_default() == url.port_or_known_default()
            })
            .and_then(|i| i.auth.clone())
            .or_else(|| self.netrc.as_ref()?.credentials(url.host_str()?))
    }
}

/// What one request asks for, besides its URL.
pub(super) struct Request<'a> {
    pub accept: &'a str,
    /// `Range`, for reading part of a wheel.
    pub range: Option<&'a str>,
    pub kind: Kind,
    /// Statuses that mean "not there" besides 404 and 410.
    pub absent: &'a [StatusCode],
}

enum Attempt {
    Done(Result<Reply, LookupError>),
    Retry {
        failure: LookupError,
        retry_after: Option<Duration>,
    },
}

impl Attempt {
    fn retry(failure: LookupError, retry_after: Option<Duration>) -> Self {
        Attempt::Retry {
            failure,
            retry_after,
        }
    }
}

enum BodyError {
    TooLarge,
    /// The transfer broke off after this many bytes.
    Read(reqwest::Error, usize),
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    // A declared length over the limit is refused before a byte of the body is read.
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(BodyError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(BodyError::Read(e, body.len())),
        }
    }
}

/// The validators and freshness headers of an answer, for the cache.
fn caching(response: &reqwest::Response) -> Caching {
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Caching {
        etag: header(ETAG),
        last_modified: header(LAST_MODIFIED),
        cache_control: header(CACHE_CONTROL),
        age: header(AGE).and_then(|a| a.parse().ok()),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests;
