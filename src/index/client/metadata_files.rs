//! Core metadata: the `.metadata` file the index serves beside a file (PEP 658/714), checked against what the
//! page announced, else the METADATA inside the wheel read with range requests; and the `Requires-Dist` an
//! index's JSON API declares for a release.

use std::sync::Arc;

use reqwest::StatusCode;
use url::Url;

use super::{IndexClient, memo_cell};
use crate::index::answer::Kind;
use crate::index::error::{FailureKind, Lookup, LookupError};
use crate::index::page::{IndexFile, MetadataFile};
use crate::index::redact::redact;
use crate::index::wheel_zip::{self, Found, TAIL_LEN};

impl IndexClient {
    /// The core metadata of a wheel: `<file url>.metadata` (PEP 658/714), or, where the index has none, the
    /// `.dist-info/METADATA` read from the wheel itself with range requests, as pip would read it after
    /// downloading the wheel. `Missing` only when neither exists.
    pub async fn core_metadata(&self, file: &IndexFile) -> Arc<Lookup<String>> {
        self.metadata_of(file, true).await
    }

    /// The core metadata the index declares for a file beside it (`<file url>.metadata`), without reading the
    /// file itself: for an sdist, whose metadata pip could only learn by building it. `Missing` when the
    /// index has none.
    pub async fn declared_metadata(&self, file: &IndexFile) -> Arc<Lookup<String>> {
        self.metadata_of(file, false).await
    }

    /// `<file url>.metadata` unless the page says there is none, checked against the SHA-256 the page gives
    /// for it, memoized per file; where the index has none and the page did not announce one, the wheel's own
    /// METADATA when `read_wheel`.
    async fn metadata_of(&self, file: &IndexFile, read_wheel: bool) -> Arc<Lookup<String>> {
        let file_url = match file.url.parse() {
            Ok(url) => url,
            Err(e) => {
                return Arc::new(Lookup::Failed(LookupError::new(
                    FailureKind::BadUrl,
                    format!("bad file URL: {e}"),
                )));
            }
        };
        let file_url = &file_url;
        let cell = memo_cell(&self.metadata, file_url.clone());
        cell.get_or_init(|| async {
            let mut url = file_url.clone();
            url.set_path(&format!("{}.metadata", file_url.path()));
            // Static indexes (object stores behind a CDN) answer 403 for a file that is not there.
            let absent = [StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED];
            let declared = match &file.metadata {
                MetadataFile::Absent => Ok(None),
                MetadataFile::Unsaid | MetadataFile::Present { .. } => {
                    self.get_or_absent(&url, "*/*", None, Kind::File, &absent)
                        .await
                }
            };
            let lookup = match declared {
                Ok(Some(f)) => match matches_announced(&file.metadata, &f.body) {
                    Ok(()) => Lookup::Found(kept(&String::from_utf8_lossy(&f.body))),
                    Err(e) => Lookup::Failed(e.at(&redact(&url))),
                },
                // pip reads an announced file and stops when it cannot: it does not fall back to the wheel.
                Ok(None) if matches!(file.metadata, MetadataFile::Present { .. }) => {
                    Lookup::Failed(LookupError::new(
                        FailureKind::Status(404),
                        format!(
                            "{}: the index page announces this core-metadata file, but the index \
                             does not serve it (pip stops there)",
                            redact(&url)
                        ),
                    ))
                }
                Ok(None) if read_wheel => self.metadata_from_wheel(file_url).await,
                Ok(None) => Lookup::Missing,
                Err(e) => Lookup::Failed(e),
            };
            Arc::new(lookup)
        })
        .await
        .clone()
    }

    /// The `Requires-Dist` an index declares for a release in its JSON API (`<root>/pypi/<name>/<version>/json`
    /// beside a `<root>/simple/` index), for an sdist whose dependencies pip would learn only by building
    /// it. `Missing` when the index has no such API or declares nothing.
    pub async fn declared_requires_dist(&self, name: &str, version: &str) -> Lookup<Vec<String>> {
        let Some(index) = self.transport.index_urls().next() else {
            return Lookup::Missing;
        };
        let Some(root) = index.path().strip_suffix("simple/") else {
            return Lookup::Missing;
        };
        let mut url = index.clone();
        url.set_path(&format!("{root}pypi/{name}/{version}/json"));
        #[derive(serde::Deserialize)]
        struct Release {
            info: Info,
        }
        #[derive(serde::Deserialize)]
        struct Info {
            requires_dist: Option<Vec<String>>,
        }
        match self.get(&url, "application/json", None, Kind::File).await {
            Ok(Some(f)) => match serde_json::from_slice::<Release>(&f.body) {
                Ok(Release {
                    info:
                        Info {
                            requires_dist: Some(list),
                        },
                }) => Lookup::Found(list),
                Ok(_) => Lookup::Missing,
                Err(e) => Lookup::Failed(LookupError::decode(e.to_string()).at(&redact(&url))),
            },
            Ok(None) => Lookup::Missing,
            Err(e) => Lookup::Failed(e),
        }
    }

    /// Reads METADATA out of the wheel: its tail (the zip directory), then the entry's bytes. A server that
    /// ignores `Range` sends the whole file once, which is used as it is.
    async fn metadata_from_wheel(&self, url: &Url) -> Lookup<String> {
        let shown = redact(url);
        let fetch = |range: String| async move {
            match self.get(url, "*/*", Some(&range), Kind::File).await {
                Ok(Some(f)) => Ok(f),
                Ok(None) => Err(LookupError::new(
                    FailureKind::Status(404),
                    format!("{}: not found", redact(url)),
                )),
                Err(e) => Err(e),
            }
        };
        let result = async {
            let tail = fetch(format!("bytes=-{TAIL_LEN}")).await?;
            let total = if tail.partial {
                tail.total
                    .ok_or_else(|| LookupError::decode("no Content-Range in a 206 answer"))?
            } else {
                tail.body.len() as u64
            };
            let tail_start = total
                .checked_sub(tail.body.len() as u64)
                .ok_or_else(|| LookupError::decode("Content-Range does not fit the body"))?;
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
                return Err(LookupError::decode(
                    "the METADATA entry points outside the file",
                ));
            }
            // Wheel builders write the .dist-info files last, so METADATA is usually in the tail already.
            let bytes = if range.start >= tail_start {
                slice(&tail.body, range.start - tail_start, end - tail_start)?
            } else {
                fetch(format!("bytes={}-{}", range.start, end - 1))
                    .await?
                    .body
            };
            Ok(kept(&wheel_zip::extract(&entry, &bytes)?))
        };
        match result.await {
            Ok(text) => Lookup::Found(text),
            Err::<_, LookupError>(e) => Lookup::Failed(e.at(&shown)),
        }
    }
}

/// What is kept of core metadata for the run: its header section. The description after it is often most of
/// the file, and nothing reads it.
fn kept(text: &str) -> String {
    crate::core_metadata::header_section(text).to_string()
}

/// Bytes `start..end` of a whole file, or an error when the archive's numbers point outside it.
fn slice(all: &[u8], start: u64, end: u64) -> Result<Vec<u8>, LookupError> {
    all.get(start as usize..end as usize)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| LookupError::decode("the zip directory points outside the file"))
}

/// A metadata file whose page gives its SHA-256 must have it: pip refuses one that does not (a hash mismatch).
fn matches_announced(announced: &MetadataFile, body: &[u8]) -> Result<(), LookupError> {
    let MetadataFile::Present {
        sha256: Some(expected),
    } = announced
    else {
        return Ok(());
    };
    let actual = crate::index::hex(ring::digest::digest(&ring::digest::SHA256, body).as_ref());
    if &actual == expected {
        Ok(())
    } else {
        Err(LookupError::new(
            FailureKind::HashMismatch,
            format!(
                "the core metadata does not match the SHA-256 the index page gives for it \
                 ({expected}, got {actual})"
            ),
        ))
    }
}
