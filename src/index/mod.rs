//! Asking a package index which files a project ships: the HTTP client, and decoders for the two page formats
//! of the Simple Repository API (PEP 691 JSON, PEP 503 HTML), and the cache on disk of the index's answers.

mod cache;
mod client;
mod failure;
mod netrc;
mod retry_after;
mod simple_html;
mod simple_json;
mod wheel_zip;

pub use cache::{CacheMode, CacheOptions, DEFAULT_MAX_MB, default_dir as default_cache_dir};
pub use client::{ClientError, IndexClient, IndexOptions, Lookup};
pub use netrc::{Netrc, locate as locate_netrc};

use std::collections::BTreeMap;

use url::Url;

use crate::dist::DistFile;
use crate::pep::Version;

/// The index asked when neither `--index-url`, `PIP_INDEX_URL` nor an `-i` line names one: PyPI's Simple API.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple/";

/// One file listed on a project's page, in page order.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFile {
    pub filename: String,
    /// Absolute: relative links are resolved against the page URL when the page is read.
    pub url: FileUrl,
    /// `requires-python` as the index gives it (PEP 503 `data-requires-python`, PEP 691 `requires-python`).
    pub requires_python: Option<String>,
    /// PEP 592: `Some(reason)` when yanked (the reason may be empty).
    pub yanked: Option<String>,
    pub size: Option<u64>,
    /// What the page says of the file's core metadata beside it (PEP 658/714).
    pub metadata: MetadataFile,
}

/// Whether a page announces `<file url>.metadata`, the file's core metadata served on its own (PEP 658, named
/// `core-metadata` since PEP 714, `dist-info-metadata` before it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MetadataFile {
    /// The page does not say. The file is asked for all the same: mirrors serve it without announcing it.
    #[default]
    Unsaid,
    /// The page says there is none (PEP 691 `false`), so the wheel's own METADATA is read straight away.
    Absent,
    /// Announced, with the SHA-256 the page gives for it (lower-case hex), which the file must match.
    Present { sha256: Option<String> },
}

/// A file's absolute URL, kept as text until the file is fetched: a page lists thousands of files and a run
/// fetches a few of them, and parsing every URL of every page was a fifth of a cached run's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUrl(String);

impl FileUrl {
    /// A link of a page, resolved against the page's URL. An absolute http(s) link is kept as it is: parsing
    /// it later gives the URL `Url::join` would have given.
    pub fn resolve(page: &Url, href: &str) -> Result<FileUrl, url::ParseError> {
        let absolute = ["https://", "http://"].iter().any(|scheme| {
            href.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        });
        // Anything that URL parsing would rewrite (spaces, controls, non-ASCII) takes the parsing path now.
        if absolute && href.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(FileUrl(href.to_string()))
        } else {
            page.join(href).map(FileUrl::from)
        }
    }

    pub fn parse(&self) -> Result<Url, url::ParseError> {
        Url::parse(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Url> for FileUrl {
    fn from(url: Url) -> Self {
        FileUrl(url.into())
    }
}

/// What an index page says of one project.
#[derive(Debug, Clone, Default)]
pub struct ProjectPage {
    pub files: Vec<IndexFile>,
    /// The files' names read as distributions (`None` for a name that is not one of this project's), once,
    /// by the first lookup that needs them: every target and every version the resolver tries reads the
    /// same page.
    parsed: std::sync::OnceLock<Vec<Option<DistFile>>>,
    /// The positions of each release's files, by version ascending, built once from `parsed`: a resolver
    /// reads one release at a time, often hundreds of a project's releases while backtracking.
    releases: std::sync::OnceLock<Vec<(Version, Vec<usize>)>>,
}

impl PartialEq for ProjectPage {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files
    }
}

impl ProjectPage {
    pub fn new(files: Vec<IndexFile>) -> Self {
        ProjectPage {
            files,
            parsed: std::sync::OnceLock::new(),
            releases: std::sync::OnceLock::new(),
        }
    }

    /// Each file's name as a distribution of `project` (PEP 503 name), in page order.
    pub fn parsed(&self, project: &str) -> &[Option<DistFile>] {
        self.parsed.get_or_init(|| {
            self.files
                .iter()
                .map(|f| DistFile::parse(&f.filename, project))
                .collect()
        })
    }

    /// The positions in `files` of the files of `project` `version`, in page order.
    pub fn release_files(&self, project: &str, version: &Version) -> &[usize] {
        let releases = self.releases(project);
        releases
            .binary_search_by(|(v, _)| v.cmp(version))
            .map_or(&[], |i| &releases[i].1)
    }

    /// Every release of `project` the page lists files of, ascending, with the positions of its files.
    pub fn releases(&self, project: &str) -> &[(Version, Vec<usize>)] {
        self.releases.get_or_init(|| {
            let mut by_version: BTreeMap<&Version, Vec<usize>> = BTreeMap::new();
            for (i, dist) in self.parsed(project).iter().enumerate() {
                if let Some(dist) = dist {
                    by_version.entry(dist.version()).or_default().push(i);
                }
            }
            by_version
                .into_iter()
                .map(|(v, files)| (v.clone(), files))
                .collect()
        })
    }
}

/// A page could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(String);

/// Every decoder of what an index, or the cache, hands back, on the same arbitrary bytes: PEP 691 JSON, PEP
/// 503 HTML, a stored page and a stored entry (the fuzz targets). None may panic or hang.
pub fn decode_any_answer(data: &[u8]) {
    let url = Url::parse("https://example.invalid/simple/demo/").expect("a fixed URL parses");
    let _ = simple_json::decode(data, &url);
    let _ = simple_html::decode(data, &url);
    let _ = cache::decode_stored_page(data);
    let _ = cache::decode_entry(data.to_vec());
}

/// A wheel's METADATA found and read from bytes that end the file (the fuzz targets): its zip directory,
/// then the entry it points at. `None` when the bytes hold no readable METADATA.
pub fn metadata_from_wheel_tail(data: &[u8]) -> Option<String> {
    let total = data.len() as u64;
    let entry = match wheel_zip::find_in_tail(data, 0, total).ok()? {
        wheel_zip::Found::Entry(entry) => entry,
        wheel_zip::Found::NeedCentralDirectory(range) => {
            let start = usize::try_from(range.start).ok()?;
            let end = usize::try_from(range.end).ok()?;
            wheel_zip::find_in_central_directory(data.get(start..end)?).ok()?
        }
    };
    let range = entry.range();
    let start = usize::try_from(range.start).ok()?;
    let end = usize::try_from(range.end)
        .unwrap_or(usize::MAX)
        .min(data.len());
    wheel_zip::extract(&entry, data.get(start..end)?).ok()
}

/// The index URL with any user name and password taken out: the only form that is ever printed.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    // Setting these fails only for URLs that cannot carry credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    // A URL that cannot carry credentials may still hold some as text (`user:pass@host/simple/` reads as
    // scheme `user`).
    redact_text(shown.as_str())
}

/// What a decoded page announces of each file's core metadata, in page order (the decoders' tests).
#[cfg(test)]
fn announcements(page: Result<ProjectPage, DecodeError>) -> Vec<MetadataFile> {
    page.unwrap()
        .files
        .into_iter()
        .map(|f| f.metadata)
        .collect()
}

/// Seconds since the Unix epoch by this machine's clock (0 for a clock set before it).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Lower-case hex, as hashes are written in cache keys and on index pages.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `%2B` → `+`: user names, passwords and file names in URLs are percent-encoded. A `%` not followed by two
/// hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Any text with the `user:password@` of its URLs taken out (pip's `redact_auth_from_url`, for every URL in
/// a line): requirement lines, reasons and errors may quote a URL the user wrote with credentials.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(['/', ' ', '\t', '"', '\'', '#', '?'])
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => rest = &tail[userinfo_end + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    if out.contains('@') {
        out = out
            .split_inclusive(char::is_whitespace)
            .map(redact_schemeless)
            .collect();
    }
    out
}

/// One word without `://` that looks like an index address with credentials: `user:pass@host/simple/` (a
/// colon before the `@`) or `token@host.example/simple/` (a dotted host and a path after it). Other words
/// with an `@` (`pkg@1.0`, `name @ url`) are kept.
fn redact_schemeless(word: &str) -> String {
    if word.contains("://") {
        return word.to_string();
    }
    let lead = word.len() - word.trim_start_matches(['\'', '"', '(', '<']).len();
    let Some(at) = word.find('@').filter(|&at| at > lead) else {
        return word.to_string();
    };
    let (user, after) = (&word[lead..at], &word[at + 1..]);
    let host = after.split('/').next().unwrap_or("");
    let credentials = user.contains(':') || (after.contains('/') && host.contains('.'));
    if credentials && !user.contains('/') {
        format!("{}{after}", &word[..lead])
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_any_text() {
        assert_eq!(
            redact_text(
                "foo @ https://alice:s3cr3t@example.invalid/foo-1.0.tar.gz: not from the index"
            ),
            "foo @ https://example.invalid/foo-1.0.tar.gz: not from the index"
        );
        assert_eq!(
            redact_text("-e git+https://ghp_TOKEN123@example.invalid/x/y.git#egg=y"),
            "-e git+https://example.invalid/x/y.git#egg=y"
        );
        assert_eq!(
            redact_text("git+ssh://git@example.invalid/x.git@v1"),
            "git+ssh://example.invalid/x.git@v1"
        );
        assert_eq!(redact_text("numpy==2.1.3"), "numpy==2.1.3");
        // Without a scheme.
        assert_eq!(
            redact_text(
                "index URL 'user:pass@host.example/simple/' is not an absolute http(s) URL"
            ),
            "index URL 'host.example/simple/' is not an absolute http(s) URL"
        );
        assert_eq!(
            redact_text(
                "ghp_TOKEN@pkgs.example.invalid/simple/ and pkg@1.0, name @ https://x.invalid/a"
            ),
            "pkgs.example.invalid/simple/ and pkg@1.0, name @ https://x.invalid/a"
        );
        let url = Url::parse("user:pass@host.example/simple/").unwrap();
        assert_eq!(redact(&url), "host.example/simple/");
    }

    #[test]
    fn file_urls_parse_as_the_page_would_have_joined_them() {
        let page = Url::parse("https://example.invalid/simple/demo/").unwrap();
        for href in [
            "https://files.example.invalid/p/ab/demo-1.0-py3-none-any.whl#sha256=00",
            "HTTPS://Files.Example.invalid:443/p/demo-1.0.tar.gz",
            "../../files/demo-1.0.tar.gz",
            "https://files.example.invalid/p/demo 1.0.tar.gz",
            "https://files.example.invalid/p/démo-1.0.tar.gz",
        ] {
            let file = FileUrl::resolve(&page, href).unwrap();
            assert_eq!(file.parse().unwrap(), page.join(href).unwrap(), "{href}");
        }
        let kept = FileUrl::resolve(&page, "https://[::1/x.whl").unwrap();
        assert!(
            kept.parse().is_err(),
            "a bad absolute URL fails when it is used"
        );
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("demo-1.3%2Blocal"), "demo-1.3+local");
        assert_eq!(percent_decode("p%40ss%3a%zz%4"), "p@ss:%zz%4");
        assert_eq!(percent_decode("%C3%A9%FF"), "é\u{fffd}");
    }

    #[test]
    fn redact_drops_credentials() {
        let url = Url::parse("https://user:s3cret@example.invalid/simple/").unwrap();
        assert_eq!(redact(&url), "https://example.invalid/simple/");
        let token = Url::parse("https://__token__@example.invalid/simple/").unwrap();
        assert!(!redact(&token).contains("token"));
    }
}
