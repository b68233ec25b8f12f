//! An HTTP cache on disk for the index's answers — project pages, core-metadata files and the range reads of
//! wheels — so that a second run asks the index only what may have changed, and `--offline` answers from what
//! earlier runs saw.
//!
//! One file per answer, named by a SHA-256 of the request: the URL without credentials, `Accept`, `Range`, and
//! the credentials sent with it, so two users' answers from a private index never mix. Credentials are never
//! written: only the redacted URL is stored, and the file name is a one-way hash.
//!
//! Freshness follows the answer's `Cache-Control` (`max-age` less `Age`, `no-cache`, `no-store`); a stale entry
//! is revalidated with `If-None-Match` / `If-Modified-Since` and a 304 refreshes it. An answer without freshness
//! information gets a documented default: a project page is fresh for 10 minutes (the max-age the public index
//! itself sends), a file for 30 days (a file URL names one immutable file, and so does its `.metadata`).
//!
//! An entry is written to a temporary file beside it and renamed into place, so a killed run never leaves half
//! an entry; each entry carries its lengths and a CRC-32, so a damaged one is found on reading and fetched
//! again. After a run that wrote entries, the least recently used go until the cache fits its size bound.
//!
//! A project page is stored decoded, as its file list in a compact form (`page.rs`): decoding the JSON of every
//! page again was a quarter of a cached run. Everything else is stored as the body came, after decompression.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

use super::answer::{Fetched, Kind, Reply};
use super::decode::decode_page;
use super::error::{FailureKind, LookupError};
use super::redact::redact;
use super::stored_page;

mod entry;
mod freshness;

use super::answer::Conditional;
#[cfg(test)]
use entry::HEADER_LEN;
pub(super) use entry::Key;
use entry::{Damaged, Entry};
use freshness::may_store;
#[cfg(test)]
use freshness::{Directives, expiry, parse_cache_control};

/// Decodes a stored entry's bytes, whatever they are (the fuzz targets): damage is an error, never a panic.
pub(super) fn decode_entry(bytes: Vec<u8>) -> bool {
    Entry::decode(bytes).is_ok()
}

/// The layout version: a change of entry format moves to a new directory instead of misreading old files.
const LAYOUT: &str = "http-v1";
/// Temporary files older than this were left by a killed run and are removed when the cache is trimmed.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// The default size bound, `--cache-max-mb`.
pub const DEFAULT_MAX_MB: u64 = 1024;

/// How the cache is used for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    /// Fresh entries are used as they are; stale ones are revalidated.
    Normal,
    /// `--refresh`: every entry is revalidated, however fresh.
    Refresh,
    /// `--offline`: entries are used however stale; the network is never asked.
    Offline,
}

#[derive(Debug, Clone)]
pub struct CacheOptions {
    pub dir: PathBuf,
    pub mode: CacheMode,
    pub max_bytes: u64,
}

/// How the cache served a run, for the report's notes.
#[derive(Debug, Default)]
struct Counts {
    fresh: AtomicUsize,
    /// Used by `--offline` although stale.
    stale: AtomicUsize,
    revalidated: AtomicUsize,
    fetched: AtomicUsize,
    stored: AtomicUsize,
    damaged: AtomicUsize,
    not_cached: AtomicUsize,
}

/// The cache of one run.
pub struct HttpCache {
    /// `<cache dir>/http-v1`.
    dir: PathBuf,
    mode: CacheMode,
    max_bytes: u64,
    counts: Counts,
    /// The first error met writing an entry: the run goes on, uncached, and says so once.
    write_error: Mutex<Option<String>>,
}

impl HttpCache {
    pub fn new(options: &CacheOptions) -> HttpCache {
        HttpCache {
            dir: options.dir.join(LAYOUT),
            mode: options.mode,
            max_bytes: options.max_bytes,
            counts: Counts::default(),
            write_error: Mutex::default(),
        }
    }

    /// Whether what was stored this run is answered again from disk, without asking the index: not with
    /// `--refresh` (every read asks), nor once an entry could not be written.
    pub(super) fn answers_again(&self) -> bool {
        self.mode != CacheMode::Refresh
            && self
                .write_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_none()
    }

    /// The answer to a request: from the cache when fresh (or when offline), else from `send`, asked
    /// conditionally when a stored entry has validators. `Ok(None)` means the index says it is not there.
    pub(super) async fn get(
        &self,
        key: &Key,
        url: &Url,
        kind: Kind,
        send: impl AsyncFnOnce(&Conditional) -> Result<Reply, LookupError>,
    ) -> Result<Option<Fetched>, LookupError> {
        let stored = self.load(key);
        let fresh = stored
            .as_ref()
            .is_some_and(|e| super::unix_now() < e.expires);
        let usable = match self.mode {
            CacheMode::Offline => stored.is_some(),
            CacheMode::Normal => fresh,
            CacheMode::Refresh => false,
        };
        if usable {
            let count = if fresh {
                &self.counts.fresh
            } else {
                &self.counts.stale
            };
            count.fetch_add(1, Ordering::Relaxed);
            return Ok(stored.and_then(Entry::into_fetched));
        }
        if self.mode == CacheMode::Offline {
            self.counts.not_cached.fetch_add(1, Ordering::Relaxed);
            return Err(LookupError::new(
                FailureKind::Offline,
                format!(
                    "{}: not in the cache (--offline never asks the index)",
                    redact(url)
                ),
            ));
        }
        let conditional = stored.as_ref().map(Entry::conditional).unwrap_or_default();
        let reply = send(&conditional).await?;
        self.keep(key, url, kind, stored, reply)
    }

    /// Stores what the index answered, or the stored entry a 304 confirmed, and returns it.
    fn keep(
        &self,
        key: &Key,
        url: &Url,
        kind: Kind,
        stored: Option<Entry>,
        reply: Reply,
    ) -> Result<Option<Fetched>, LookupError> {
        match reply {
            Reply::NotModified(caching) => match stored {
                Some(entry) => {
                    self.counts.revalidated.fetch_add(1, Ordering::Relaxed);
                    let entry = entry.refreshed(&caching, kind, super::unix_now());
                    self.store(key, &entry);
                    Ok(entry.into_fetched())
                }
                // Only a conditional request can be answered 304, and only a stored entry makes one.
                None => Err(LookupError::new(
                    FailureKind::Status(304),
                    format!("{}: HTTP 304 to a plain request", redact(url)),
                )),
            },
            Reply::Answer(fetched) => {
                self.counts.fetched.fetch_add(1, Ordering::Relaxed);
                if fetched.as_ref().is_some_and(|f| !may_store(&f.caching)) {
                    return Ok(fetched);
                }
                let fetched = match (kind, fetched) {
                    (Kind::Page, Some(f)) => Some(decoded_page(f, url)),
                    (_, other) => other,
                };
                let entry = Entry::from_reply(url, fetched, kind, super::unix_now());
                self.store(key, &entry);
                Ok(entry.into_fetched())
            }
        }
    }

    /// The stored entry, if whole. Reading marks it used (its mtime) for the least-recently-used trim. A
    /// damaged entry is removed and counted; the caller then fetches the answer again.
    fn load(&self, key: &Key) -> Option<Entry> {
        let path = self.dir.join(&key.0);
        let bytes = match read_entry(&path)? {
            Ok(bytes) => bytes,
            Err(Damaged(_)) => {
                self.counts.damaged.fetch_add(1, Ordering::Relaxed);
                let _ = std::fs::remove_file(&path);
                return None;
            }
        };
        let file = std::fs::File::open(&path).ok();
        match Entry::decode(bytes) {
            Ok(entry) => {
                if self.mode != CacheMode::Offline
                    && let Some(file) = file
                {
                    let _ = file.set_modified(SystemTime::now());
                }
                Some(entry)
            }
            Err(Damaged(_)) => {
                self.counts.damaged.fetch_add(1, Ordering::Relaxed);
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Writes the entry whole or not at all: a temporary file beside it, renamed over it.
    fn store(&self, key: &Key, entry: &Entry) {
        if self.mode == CacheMode::Offline {
            return;
        }
        match self.write(key, entry) {
            Ok(()) => {
                self.counts.stored.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let mut first = self.write_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| {
                    format!(
                        "cannot write to the cache in {}: {e}; answers were not stored",
                        self.dir.display()
                    )
                });
            }
        }
    }

    fn write(&self, key: &Key, entry: &Entry) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        // Created exclusively under a random name: nothing planted in the directory is written through.
        // On an error it is removed when dropped.
        let mut temp = tempfile::Builder::new()
            .prefix(&format!("{}.", key.0))
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        std::io::Write::write_all(&mut temp, &entry.encode())?;
        temp.persist(self.dir.join(&key.0))
            .map(drop)
            .map_err(|e| e.error)
    }

    /// After the run: trims the cache to its bound when this run added to it, and sums up how it served.
    /// Returns (note, warning).
    pub fn finish(&self) -> (String, Option<String>) {
        let count = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        let c = &self.counts;
        if count(&c.stored) > 0 {
            trim(&self.dir, self.max_bytes, SystemTime::now());
        }
        let mut note = format!(
            "cache: {} fresh, {} revalidated, {} fetched",
            count(&c.fresh),
            count(&c.revalidated),
            count(&c.fetched)
        );
        if count(&c.stale) > 0 {
            note.push_str(&format!(", {} stale used offline", count(&c.stale)));
        }
        if count(&c.damaged) > 0 {
            note.push_str(&format!(
                ", {} damaged entries fetched again",
                count(&c.damaged)
            ));
        }
        if count(&c.not_cached) > 0 {
            note.push_str(&format!(
                ", {} not in the cache (offline)",
                count(&c.not_cached)
            ));
        }
        let warning = self
            .write_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        (note, warning)
    }
}

/// The largest entry read: an answer is at most 64 MB, and an entry holds one with its headers. Anything
/// larger was not written by muslcheck.
const MAX_ENTRY: u64 = 72 * 1024 * 1024;

/// The bytes of the entry at `path`: `None` when there is none, `Err` when it is not a regular file (a FIFO
/// that would block the read for ever, a link to a device) or larger than any entry muslcheck writes.
fn read_entry(path: &std::path::Path) -> Option<Result<Vec<u8>, Damaged>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return Some(Err(Damaged("not a regular file")));
    }
    if meta.len() > MAX_ENTRY {
        return Some(Err(Damaged("larger than any entry")));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Not followed if it became a link since, and never blocking if it became a FIFO.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path).ok()?;
    if !file.metadata().is_ok_and(|m| m.file_type().is_file()) {
        return Some(Err(Damaged("not a regular file")));
    }
    // Sized up front: growing the buffer while reading was a tenth of a cached run's time.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_ENTRY + 1), &mut bytes).ok()?;
    if bytes.len() as u64 > MAX_ENTRY {
        return Some(Err(Damaged("larger than any entry")));
    }
    Some(Ok(bytes))
}

/// A page is stored decoded, in the compact form of `page.rs`, so that a cached run does not decode JSON again.
/// A page that does not decode is stored as it came, and fails the same way when read.
fn decoded_page(fetched: Fetched, url: &Url) -> Fetched {
    let base = fetched.final_url.as_deref().unwrap_or(url);
    match decode_page(&fetched.content_type, &fetched.body, base) {
        Ok(files) => Fetched {
            content_type: stored_page::CONTENT_TYPE.to_string(),
            body: stored_page::encode(&files),
            ..fetched
        },
        Err(_) => fetched,
    }
}

/// Removes the least recently used entries (oldest mtime first) until the directory holds at most `max_bytes`,
/// and temporary files a killed run left behind. Errors are ignored: another run may be trimming too.
fn trim(dir: &Path, max_bytes: u64, now: SystemTime) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries = Vec::new();
    for item in listing.flatten() {
        let Ok(meta) = item.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let mtime = meta.modified().unwrap_or(UNIX_EPOCH);
        let path = item.path();
        if path.extension().is_some_and(|e| e == "tmp") {
            if now.duration_since(mtime).unwrap_or_default() > STALE_TEMP {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        }
        entries.push((mtime, meta.len(), path));
    }
    let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
    entries.sort();
    for (_, len, path) in entries {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

/// The cache directory is private: a private index's answers are the user's alone.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // Backup tools skip a directory tagged so (the Cache Directory Tagging Specification).
    if let Some(root) = dir.parent() {
        let _ = cachedir::ensure_tag(root);
    }
    Ok(())
}

/// The platform's cache directory for muslcheck: `$XDG_CACHE_HOME/muslcheck` or `~/.cache/muslcheck` (Linux
/// and other Unix; a relative XDG_CACHE_HOME is invalid under the XDG base directory spec and ignored),
/// `~/Library/Caches/muslcheck` (macOS), `%LOCALAPPDATA%\muslcheck\cache` (Windows). Without `HOME`, the home
/// directory is the user's in the password database, as pip's `expanduser` finds it; `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let base = dirs::cache_dir()?;
    if cfg!(windows) {
        Some(base.join("muslcheck").join("cache"))
    } else {
        Some(base.join("muslcheck"))
    }
}

#[cfg(test)]
mod tests;
