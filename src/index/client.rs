//! The HTTP side: one client (one connection pool) for the whole run, a bound on requests in flight, retries
//! with backoff, and a memo so that each project page and each metadata file is asked for once however many
//! requirements and targets need it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_RANGE, CONTENT_TYPE, RANGE, RETRY_AFTER};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::wheel_zip::{self, Found, TAIL_LEN};
use super::{ProjectPage, redact, simple_html, simple_json};

/// PEP 691 content negotiation: JSON first, HTML for indexes that only speak PEP 503.
const ACCEPT_PAGE: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";
/// A page larger than this is refused rather than read into memory (the largest real pages are a few MB).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// The longest wait a server's `Retry-After` may impose on one retry.
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
    pages: Memo<String, ProjectPage>,
    metadata: Memo<Url, String>,
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
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| ClientError::Tls(error_chain(&e)))?;
        Ok(IndexClient {
            http,
            indexes,
            page_permits: Semaphore::new(options.concurrency.max(1)),
            file_permits: Semaphore::new(options.concurrency.max(1)),
            retries: options.retries,
            backoff: options.backoff,
            pages: Mutex::default(),
            metadata: Mutex::default(),
        })
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

    /// The core metadata of a wheel: `<file url>.metadata` (PEP 658/714), or, where the index has none, the
    /// `.dist-info/METADATA` read from the wheel itself with range requests, as pip would read it after
    /// downloading the wheel. `Missing` only when neither exists.
    pub async fn core_metadata(&self, file_url: &Url) -> Arc<Lookup<String>> {
        let cell = memo_cell(&self.metadata, file_url.clone());
        cell.get_or_init(|| async {
            let mut url = file_url.clone();
            url.set_path(&format!("{}.metadata", file_url.path()));
            // Static indexes (object stores behind a CDN) answer 403 for a file that is not there.
            let absent = [StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED];
            let lookup = match self
                .get_or_absent(&url, "*/*", None, &self.file_permits, &absent)
                .await
            {
                Ok(Some(f)) => Lookup::Found(String::from_utf8_lossy(&f.body).into_owned()),
                Ok(None) => self.metadata_from_wheel(file_url).await,
                Err(e) => Lookup::Failed(e),
            };
            Arc::new(lookup)
        })
        .await
        .clone()
    }

    /// Reads METADATA out of the wheel: its tail (the zip directory), then the entry's bytes. A server that
    /// ignores `Range` sends the whole file once, which is used as it is.
    async fn metadata_from_wheel(&self, url: &Url) -> Lookup<String> {
        let shown = redact(url);
        let fetch = |range: String| async move {
            match self.get(url, "*/*", Some(&range), &self.file_permits).await {
                Ok(Some(f)) => Ok(f),
                Ok(None) => Err(format!("{}: not found", redact(url))),
                Err(e) => Err(e),
            }
        };
        let result = async {
            let tail = fetch(format!("bytes=-{TAIL_LEN}")).await?;
            let total = if tail.partial {
                tail.total.ok_or("no Content-Range in a 206 answer")?
            } else {
                tail.body.len() as u64
            };
            let tail_start = total
                .checked_sub(tail.body.len() as u64)
                .ok_or("Content-Range does not fit the body")?;
            let entry = match wheel_zip::find_in_tail(&tail.body, tail_start, total)? {
                Found::Entry(entry) => entry,
                Found::NeedCentralDirectory(range) => {
                    let cd = fetch(format!("bytes={}-{}", range.start, range.end - 1)).await?;
                    wheel_zip::find_in_central_directory(&cd.body)?
                }
            };
            let range = entry.range();
            let end = range.end.min(total);
            if range.start >= end {
                return Err("the METADATA entry points outside the file".to_string());
            }
            // Wheel builders write the .dist-info files last, so METADATA is usually in the tail already.
            let bytes = if range.start >= tail_start {
                slice(&tail.body, range.start - tail_start, end - tail_start)?
            } else {
                fetch(format!("bytes={}-{}", range.start, end - 1))
                    .await?
                    .body
            };
            wheel_zip::extract(&entry, &bytes)
        };
        match result.await {
            Ok(text) => Lookup::Found(text),
            Err::<_, String>(e) if e.starts_with(&shown) => Lookup::Failed(e),
            Err(e) => Lookup::Failed(format!("{shown}: {e}")),
        }
    }

    async fn fetch_project(&self, name: &str) -> Lookup<ProjectPage> {
        let mut pooled = ProjectPage::default();
        let mut found = false;
        for index in &self.indexes {
            let url = match index.url.join(&format!("{name}/")) {
                Ok(u) => u,
                Err(e) => return Lookup::Failed(format!("bad project URL for {name}: {e}")),
            };
            match self.get(&url, ACCEPT_PAGE, None, &self.page_permits).await {
                Ok(Some(fetched)) => {
                    match decode_page(&fetched.content_type, &fetched.body, &url) {
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
        permits: &Semaphore,
    ) -> Result<Option<Fetched>, String> {
        self.get_or_absent(url, accept, range, permits, &[]).await
    }

    /// `get`, with more statuses that mean "not there" (`Ok(None)`) besides 404 and 410.
    async fn get_or_absent(
        &self,
        url: &Url,
        accept: &str,
        range: Option<&str>,
        permits: &Semaphore,
        absent: &[StatusCode],
    ) -> Result<Option<Fetched>, String> {
        let shown = redact(url);
        let mut attempt = 0;
        loop {
            let outcome = {
                let _permit = permits.acquire().await.map_err(|e| e.to_string())?;
                self.get_once(url, accept, range, absent).await
            };
            let wait = match outcome {
                Attempt::Done(result) => return result.map_err(|e| format!("{shown}: {e}")),
                Attempt::Retry {
                    message,
                    retry_after,
                } => {
                    if attempt >= self.retries {
                        let tries = attempt + 1;
                        return Err(format!(
                            "{shown}: {message} (gave up after {tries} attempts)"
                        ));
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
    ) -> Attempt {
        let mut request = self.http.get(url.clone()).header(ACCEPT, accept);
        if let Some(range) = range {
            request = request.header(RANGE, range);
        }
        if let Some((user, password)) = self.credentials_for(url) {
            request = request.basic_auth(user, password.as_deref());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::retry(describe(&e), None),
        };
        let status = response.status();
        if status == StatusCode::NOT_FOUND || status == StatusCode::GONE || absent.contains(&status)
        {
            return Attempt::Done(Ok(None));
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
            return Attempt::retry(format!("HTTP {status}"), retry_after);
        }
        if !status.is_success() {
            return Attempt::Done(Err(format!("HTTP {status}")));
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
        match read_body(response).await {
            Ok(body) => Attempt::Done(Ok(Some(Fetched {
                content_type,
                partial,
                total,
                body,
            }))),
            Err(BodyError::TooLarge) => {
                Attempt::Done(Err(format!("response larger than {} MB", MAX_BODY >> 20)))
            }
            Err(BodyError::Read(message)) => Attempt::retry(message, None),
        }
    }

    /// pip sends an index's credentials to that index's host only.
    fn credentials_for(&self, url: &Url) -> Option<&(String, Option<String>)> {
        self.indexes
            .iter()
            .find(|i| {
                i.url.host_str() == url.host_str()
                    && i.url.port_or_known_default() == url.port_or_known_default()
            })
            .and_then(|i| i.auth.as_ref())
    }
}

/// A successful answer.
struct Fetched {
    content_type: String,
    /// 206: `body` is the requested range, of a file `total` bytes long.
    partial: bool,
    total: Option<u64>,
    body: Vec<u8>,
}

enum Attempt {
    Done(Result<Option<Fetched>, String>),
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
    Read(String),
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    let mut body =
        Vec::with_capacity(response.content_length().unwrap_or(0).min(MAX_BODY as u64) as usize);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(BodyError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(BodyError::Read(describe(&e))),
        }
    }
}

/// Bytes `start..end` of a whole file, or an error when the archive's numbers point outside it.
fn slice(all: &[u8], start: u64, end: u64) -> Result<Vec<u8>, String> {
    all.get(start as usize..end as usize)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| "the zip directory points outside the file".to_string())
}

fn decode_page(
    content_type: &str,
    body: &[u8],
    url: &Url,
) -> Result<ProjectPage, super::DecodeError> {
    if content_type.contains("html") {
        simple_html::decode(body, url)
    } else {
        // PEP 691 JSON; also the fallback for servers that send JSON under a generic content type.
        simple_json::decode(body, url)
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

/// A transport error in a few words, without the URL (the caller adds the redacted one).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "response body could not be read"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = None;
    while let Some(s) = source {
        detail = Some(s.to_string());
        source = s.source();
    }
    match detail {
        Some(d) if !d.contains('@') => format!("{kind}: {d}"),
        _ => kind.to_string(),
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
    }
}
