//! The HTTP side: one client (one connection pool) for the whole run, a bound on requests in flight, retries
//! with backoff, and a memo so that each project page and each metadata file is asked for once however many
//! requirements and targets need it. Below the memo, the cache on disk (`cache.rs`) answers what an earlier run
//! already asked. Core metadata is read in `client/metadata.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, AGE, CACHE_CONTROL, CONTENT_RANGE, CONTENT_TYPE, DATE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, RANGE, RETRY_AFTER,
};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::cache::{self, CacheOptions, Caching, Conditional, HttpCache, Key, Kind};
use super::failure::{self, describe};
use super::netrc::Netrc;
use super::retry_after;
use super::{ProjectPage, redact, simple_html, simple_json};

mod metadata;

/// PEP 691 content negotiation: JSON first, HTML for indexes that only speak PEP 503.
const ACCEPT_PAGE: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";
/// A page larger than this is refused rather than read into memory (the largest real pages are a few MB).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// The longest wait a server's `Retry-After` may impose on one retry; a request whose answer asks for more is
/// not retried.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

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
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Credentials for hosts whose URLs carry none (`~/.netrc`, as pip reads it through requests).
    pub netrc: Option<Netrc>,
    /// The cache on disk; `None` with `--no-cache`.
    pub cache: Option<CacheOptions>,
}

/// The answer to one lookup. `Failed` carries a message fit to print (no credentials).
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    Missing,
    Failed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "could not set up HTTPS: {0} (is SSL_CERT_FILE pointing at a readable PEM file of CA certificates?)"
    )]
    Tls(String),
    #[error("index URL '{0}' is not an absolute http(s) URL")]
    BadIndexUrl(String),
}

/// One index: its URL without credentials, and the credentials apart.
#[derive(Debug)]
struct Index {
    url: Url,
    auth: Option<(String, Option<String>)>,
}

type Memo<K, T> = Mutex<HashMap<K, Arc<OnceCell<Arc<Lookup<T>>>>>>;

pub struct IndexClient {
    http: reqwest::Client,
    indexes: Vec<Index>,
    page_permits: Semaphore,
    file_permits: Semaphore,
    retries: u32,
    backoff: Duration,
    timeout: Duration,
    netrc: Option<Netrc>,
    pages: Memo<String, ProjectPage>,
    metadata: Memo<Url, String>,
    cache: Option<HttpCache>,
}

impl IndexClient {
    pub fn new(options: &IndexOptions) -> Result<Self, ClientError> {
        let indexes = options
            .indexes
            .iter()
            .map(|url| index_from_url(url.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("muslcheck/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(15)))
            .redirect(failure::redirect_policy())
            .build()
            .map_err(|e| ClientError::Tls(error_chain(&e)))?;
        Ok(IndexClient {
            http,
            indexes,
            page_permits: Semaphore::new(options.concurrency.max(1)),
            file_permits: Semaphore::new(options.concurrency.max(1)),
            retries: options.retries,
            backoff: options.backoff,
            timeout: options.timeout,
            netrc: options.netrc.clone(),
            pages: Mutex::default(),
            metadata: Mutex::default(),
            cache: options.cache.as_ref().map(HttpCache::new),
        })
    }

    /// After the run: trims the cache to its bound and says how it served the run (a note, and a warning
    /// when entries could not be written). `None` without a cache.
    pub fn finish_cache(&self) -> Option<(String, Option<String>)> {
        self.cache.as_ref().map(HttpCache::finish)
    }

    /// The index URLs as they may be printed.
    pub fn shown_urls(&self) -> Vec<String> {
        self.indexes.iter().map(|i| redact(&i.url)).collect()
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

    async fn fetch_project(&self, name: &str) -> Lookup<ProjectPage> {
        let mut pooled = ProjectPage::default();
        let mut found = false;
        for index in &self.indexes {
            let url = match index.url.join(&format!("{name}/")) {
                Ok(u) => u,
                Err(e) => return Lookup::Failed(format!("bad project URL for {name}: {e}")),
            };
            match self.get(&url, ACCEPT_PAGE, None, Kind::Page).await {
                Ok(Some(fetched)) => {
                    let base = fetched.final_url.as_deref().unwrap_or(&url);
                    match decode_page(&fetched.content_type, &fetched.body, base) {
                        Ok(page) => {
                            found = true;
                            pooled.files.extend(page.files);
                        }
                        Err(e) => return Lookup::Failed(format!("{}: {e}", redact(&url))),
                    }
                }
                Ok(None) => {}
                Err(e) => return Lookup::Failed(e),
            }
        }
        if found {
            Lookup::Found(pooled)
        } else {
            Lookup::Missing
        }
    }

    /// GET with retries, optionally of a byte range. `Ok(None)` for 404/410; `Err` is a printable message.
    async fn get(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        kind: Kind,
    ) -> Result<Option<Fetched>, String> {
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
    ) -> Result<Option<Fetched>, String> {
        let permits = match kind {
            Kind::Page => &self.page_permits,
            Kind::File => &self.file_permits,
        };
        let send = async |conditional: &Conditional| {
            self.send(url, accept, range, permits, absent, conditional)
                .await
        };
        let Some(cache) = &self.cache else {
            return match send(&Conditional::default()).await? {
                Reply::Answer(fetched) => Ok(fetched),
                Reply::NotModified(_) => {
                    Err(format!("{}: HTTP 304 to a plain request", redact(url)))
                }
            };
        };
        let identity = self
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

    /// The request on the network, with retries; conditional when `conditional` holds validators.
    async fn send(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        permits: &Semaphore,
        absent: &[StatusCode],
        conditional: &Conditional,
    ) -> Result<Reply, String> {
        let shown = redact(url);
        let mut attempt = 0;
        let mut messages = Vec::new();
        loop {
            let outcome = {
                let _permit = permits.acquire().await.map_err(|e| e.to_string())?;
                self.get_once(url, accept, range, absent, conditional).await
            };
            let wait = match outcome {
                Attempt::Done(result) => return result.map_err(|e| format!("{shown}: {e}")),
                Attempt::Retry {
                    message,
                    retry_after,
                } => {
                    messages.push(message);
                    if let Some(asked) = retry_after.filter(|&a| a > MAX_RETRY_AFTER) {
                        let said = failure::gave_up(&messages);
                        return Err(format!(
                            "{shown}: {said}; it asked to be retried after {} s, longer than \
                             muslcheck waits ({} s)",
                            asked.as_secs(),
                            MAX_RETRY_AFTER.as_secs()
                        ));
                    }
                    if attempt >= self.retries {
                        return Err(format!("{shown}: {}", failure::gave_up(&messages)));
                    }
                    retry_after.unwrap_or(self.backoff * 2u32.pow(attempt))
                }
            };
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    async fn get_once(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        absent: &[StatusCode],
        conditional: &Conditional,
    ) -> Attempt {
        let mut request = self.http.get(url.clone()).header(ACCEPT, accept);
        if let Some(range) = range {
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
            Err(e) if e.is_redirect() => return Attempt::Done(Err(describe(&e, self.timeout))),
            Err(e) => return Attempt::retry(describe(&e, self.timeout), None),
        };
        let status = response.status();
        if status == StatusCode::NOT_FOUND || status == StatusCode::GONE || absent.contains(&status)
        {
            return Attempt::Done(Ok(Reply::Answer(None)));
        }
        if status == StatusCode::NOT_MODIFIED {
            return Attempt::Done(Ok(Reply::NotModified(caching(&response))));
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
            let retry_after = header(RETRY_AFTER).and_then(|v| retry_after::wait(v, header(DATE)));
            return Attempt::retry(failure::status(status), retry_after);
        }
        if !status.is_success() {
            return Attempt::Done(Err(failure::status(status)));
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
            Err(BodyError::TooLarge) => Attempt::Done(Err(format!(
                "the answer is larger than {} MB, more than any index page; not read further",
                MAX_BODY >> 20
            ))),
            Err(BodyError::Read(e, read)) => Attempt::retry(failure::broken_body(&e, read), None),
        }
    }

    /// pip sends an index's credentials to that index's host only; a request they do not cover gets its
    /// host's netrc entry, as requests adds one to any request without credentials.
    fn credentials_for(&self, url: &Url) -> Option<(String, Option<String>)> {
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

/// A successful answer.
pub(super) struct Fetched {
    /// Where the answer came from after redirects, when not the URL asked: relative links resolve against
    /// it, as pip resolves them.
    pub final_url: Option<Box<Url>>,
    pub content_type: String,
    /// 206: `body` is the requested range, of a file `total` bytes long.
    pub partial: bool,
    pub total: Option<u64>,
    pub body: Vec<u8>,
    pub caching: Caching,
}

/// What the network said: an answer (`None`: not there), or 304 to a conditional request.
pub(super) enum Reply {
    Answer(Option<Fetched>),
    NotModified(Caching),
}

enum Attempt {
    Done(Result<Reply, String>),
    Retry {
        message: String,
        retry_after: Option<Duration>,
    },
}

impl Attempt {
    fn retry(message: String, retry_after: Option<Duration>) -> Self {
        Attempt::Retry {
            message,
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

pub(super) fn decode_page(
    content_type: &str,
    body: &[u8],
    url: &Url,
) -> Result<ProjectPage, super::DecodeError> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if content_type == cache::PAGE_CONTENT_TYPE {
        cache::decode_stored_page(body)
    } else if essence.contains("html") {
        simple_html::decode(body, url)
    } else if essence.ends_with("json") {
        simple_json::decode(body, url)
    } else {
        // Servers that send PEP 691 JSON under a generic type still work; anything else (an image, a
        // plain-text error page) is named, never read as a list of files.
        simple_json::decode(body, url).map_err(|_| {
            let shown = if essence.is_empty() { "none" } else { essence };
            super::DecodeError(format!(
                "the index answered with content type {shown}, not a Simple API page \
                 (PEP 691 JSON or PEP 503 HTML)"
            ))
        })
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

fn index_from_url(mut url: Url) -> Result<Index, ClientError> {
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ClientError::BadIndexUrl(redact(&url)));
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
mod tests {
    use super::*;

    #[test]
    fn index_urls_lose_credentials_and_gain_a_slash() {
        let index = index_from_url(Url::parse("https://me:p%40ss@example.invalid/simple").unwrap())
            .unwrap();
        assert_eq!(index.url.as_str(), "https://example.invalid/simple/");
        assert_eq!(
            index.auth,
            Some(("me".to_string(), Some("p@ss".to_string())))
        );
        assert!(index_from_url(Url::parse("ftp://example.invalid/").unwrap()).is_err());
    }

    #[test]
    fn content_type_picks_the_decoder() {
        let url = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let html = decode_page(
            "text/html; charset=utf-8",
            b"<a href='demo-1.0.tar.gz'>demo-1.0.tar.gz</a>",
            &url,
        );
        assert_eq!(html.unwrap().files.len(), 1);
        let json = decode_page(
            "application/vnd.pypi.simple.v1+json",
            br#"{"files":[]}"#,
            &url,
        );
        assert!(json.unwrap().files.is_empty());
        assert!(decode_page("application/json", b"<a>", &url).is_err());
        let image = decode_page("image/png", b"\x89PNG", &url).unwrap_err();
        assert!(
            image.to_string().contains("content type image/png"),
            "{image}"
        );
        let generic = decode_page("application/octet-stream", br#"{"files":[]}"#, &url);
        assert!(generic.unwrap().files.is_empty());
    }
}
