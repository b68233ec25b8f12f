//! What an index page says of one project: each file as a decoder reads it (`IndexFile`, or borrowed,
//! `FileFacts`), and the page as the run keeps it (`ProjectPage`, built by `PageBuilder`): only the project's
//! distributions, compactly, read as releases and handed out by reference (`PageFile`), within a bound on
//! the memory all pages may take at once (`PageBudget`). These types depend on nothing else in the index.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use url::Url;

use crate::dist::DistFile;
use crate::pep::Version;

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
pub struct FileUrl(pub(super) String);

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

/// What an index page says of one project: its files, kept for the run in a compact form. Every text of the
/// page sits in one buffer and each file is a record of positions in it; a file's URL keeps only what it does
/// not share with the page's first URL, less the file name it ends with. The files are handed out by
/// reference (`PageFile`). A run may hold a few hundred thousand files; kept as separate strings, they took
/// more than twice the memory.
#[derive(Debug, Default)]
pub struct ProjectPage {
    text: String,
    /// The first file's URL, which the other URLs share a prefix with.
    base_url: Span,
    records: Vec<Record>,
    /// Each file's name read as a distribution of the project, one per record.
    dists: Vec<DistFile>,
    /// The positions of each release's files, by version ascending: a resolver reads one release at a time,
    /// often hundreds of a project's releases while backtracking.
    releases: Vec<(Version, Vec<u32>)>,
    /// The page's share of the run's `PageBudget`, given back when the page goes.
    held: Option<Held>,
}

/// The bound on the memory a run's pages may take at once. Pages are kept while something may still ask for
/// them, and an index may send many pages of valid file names up to the size bound of an answer: past this
/// bound a page is not kept, and what needs it is unknown.
#[derive(Debug, Clone)]
pub struct PageBudget {
    held: Arc<AtomicUsize>,
    max: usize,
}

/// A page's share of a `PageBudget`.
#[derive(Debug)]
struct Held {
    held: Arc<AtomicUsize>,
    bytes: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.held.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

impl PageBudget {
    pub fn new(max: usize) -> Self {
        PageBudget {
            held: Arc::default(),
            max,
        }
    }

    /// Counts `page` against the budget for as long as it lives; `Err` with the bytes already held when the
    /// page would take the run past the bound.
    pub fn hold(&self, page: &mut ProjectPage) -> Result<(), usize> {
        let bytes = page.bytes();
        self.held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                held.checked_add(bytes).filter(|&total| total <= self.max)
            })
            .map(|_| {
                page.held = Some(Held {
                    held: self.held.clone(),
                    bytes,
                });
            })
    }

    /// The bytes the pages alive now take.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

/// A piece of a page's text; `NONE` where the page says nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    const NONE: Span = Span {
        start: 0,
        len: u32::MAX,
    };
}

/// One file of a page, as positions in the page's text.
#[derive(Debug, Clone)]
struct Record {
    name: Span,
    /// The URL is the first `url_shared` bytes of the page's first URL, then `url_tail`, then the file name
    /// when `URL_ENDS_WITH_NAME` is set.
    url_tail: Span,
    url_shared: u32,
    requires_python: Span,
    yanked: Span,
    /// The SHA-256 announced for the file's core metadata.
    sha256: Span,
    size: u64,
    flags: u8,
}

const HAS_SIZE: u8 = 1;
const URL_ENDS_WITH_NAME: u8 = 2;
/// Two bits: what the page says of the file's core metadata (`MetadataFile`).
const METADATA_SHIFT: u8 = 2;
const METADATA_UNSAID: u8 = 0;
const METADATA_ABSENT: u8 = 1;
const METADATA_PRESENT: u8 = 2;

/// One file of a page, borrowed from it.
#[derive(Clone, Copy)]
pub struct PageFile<'p> {
    page: &'p ProjectPage,
    record: &'p Record,
    dist: &'p DistFile,
}

impl std::fmt::Debug for PageFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PageFile").field(&self.filename()).finish()
    }
}

impl<'p> PageFile<'p> {
    pub fn filename(self) -> &'p str {
        self.page.span(self.record.name).unwrap_or_default()
    }

    /// The file's name read as a distribution of the page's project.
    pub fn dist(self) -> &'p DistFile {
        self.dist
    }

    /// `requires-python` as the index gives it.
    pub fn requires_python(self) -> Option<&'p str> {
        self.page.span(self.record.requires_python)
    }

    /// PEP 592: `Some(reason)` when yanked (the reason may be empty).
    pub fn yanked(self) -> Option<&'p str> {
        self.page.span(self.record.yanked)
    }

    pub fn size(self) -> Option<u64> {
        (self.record.flags & HAS_SIZE != 0).then_some(self.record.size)
    }

    /// The file's absolute URL, put together again.
    pub fn url(self) -> FileUrl {
        let record = self.record;
        let base = self.page.span(self.page.base_url).unwrap_or_default();
        let mut url = String::new();
        url.push_str(base.get(..record.url_shared as usize).unwrap_or_default());
        url.push_str(self.page.span(record.url_tail).unwrap_or_default());
        if record.flags & URL_ENDS_WITH_NAME != 0 {
            url.push_str(self.filename());
        }
        FileUrl(url)
    }

    /// What the page says of the file's core metadata.
    pub fn metadata(self) -> MetadataFile {
        match (self.record.flags >> METADATA_SHIFT) & 3 {
            METADATA_ABSENT => MetadataFile::Absent,
            METADATA_PRESENT => MetadataFile::Present {
                sha256: self.page.span(self.record.sha256).map(str::to_string),
            },
            _ => MetadataFile::Unsaid,
        }
    }

    /// The file as the decoders give it, for the lookups that fetch it.
    pub fn to_index_file(self) -> IndexFile {
        IndexFile {
            filename: self.filename().to_string(),
            url: self.url(),
            requires_python: self.requires_python().map(str::to_string),
            yanked: self.yanked().map(str::to_string),
            size: self.size(),
            metadata: self.metadata(),
        }
    }
}

/// A page whose text does not fit the compact form (more than 4 GiB).
#[derive(Debug, thiserror::Error)]
#[error("the page lists more than 4 GiB of text")]
pub struct PageTooLarge;

/// A file as a decoder reads it, borrowed from the answer: what `PageBuilder::push` takes.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts<'a> {
    pub filename: &'a str,
    /// Absolute.
    pub url: &'a str,
    pub requires_python: Option<&'a str>,
    pub yanked: Option<&'a str>,
    pub size: Option<u64>,
    pub metadata: Announced<'a>,
}

/// `MetadataFile`, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Announced<'a> {
    Unsaid,
    Absent,
    Present { sha256: Option<&'a str> },
}

impl FileFacts<'_> {
    pub fn to_index_file(self) -> IndexFile {
        IndexFile {
            filename: self.filename.to_string(),
            url: FileUrl(self.url.to_string()),
            requires_python: self.requires_python.map(str::to_string),
            yanked: self.yanked.map(str::to_string),
            size: self.size,
            metadata: match self.metadata {
                Announced::Unsaid => MetadataFile::Unsaid,
                Announced::Absent => MetadataFile::Absent,
                Announced::Present { sha256 } => MetadataFile::Present {
                    sha256: sha256.map(str::to_string),
                },
            },
        }
    }
}

impl IndexFile {
    pub fn facts(&self) -> FileFacts<'_> {
        FileFacts {
            filename: &self.filename,
            url: self.url.as_str(),
            requires_python: self.requires_python.as_deref(),
            yanked: self.yanked.as_deref(),
            size: self.size,
            metadata: match &self.metadata {
                MetadataFile::Unsaid => Announced::Unsaid,
                MetadataFile::Absent => Announced::Absent,
                MetadataFile::Present { sha256 } => Announced::Present {
                    sha256: sha256.as_deref(),
                },
            },
        }
    }
}

/// A project's page put together file by file, from one index's answer or several. A file that is no
/// distribution of the project is left out, as pip skips it: another project's file, an installer, or the
/// junk a hostile page pads itself with, which would otherwise be kept for the whole run.
pub struct PageBuilder {
    project: String,
    names: crate::dist::SharedParts,
    page: ProjectPage,
    /// The last `requires-python` and yank reason stored: a release's files mostly repeat them.
    last_requires_python: Span,
    last_yanked: Span,
}

impl PageBuilder {
    /// A page of `project` (PEP 503 name).
    pub fn new(project: &str) -> Self {
        PageBuilder {
            project: project.to_string(),
            names: crate::dist::SharedParts::default(),
            page: ProjectPage::default(),
            last_requires_python: Span::NONE,
            last_yanked: Span::NONE,
        }
    }

    pub fn push(&mut self, file: FileFacts<'_>) -> Result<(), PageTooLarge> {
        let Some(dist) = DistFile::parse_with(file.filename, &self.project, &mut self.names) else {
            return Ok(());
        };
        let page = &mut self.page;
        if page.records.is_empty() {
            page.base_url = page.push_text(file.url)?;
        }
        let url = file.url;
        let base = page.span(page.base_url).unwrap_or_default();
        let mut shared = url
            .bytes()
            .zip(base.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !url.is_char_boundary(shared) {
            shared -= 1;
        }
        let rest = &url[shared..];
        let (tail, ends_with_name) = match rest.strip_suffix(file.filename) {
            Some(tail) if !file.filename.is_empty() => (tail, true),
            _ => (rest, false),
        };
        let requires_python =
            page.push_repeated(file.requires_python, &mut self.last_requires_python)?;
        let yanked = page.push_repeated(file.yanked, &mut self.last_yanked)?;
        let (metadata, sha256) = match file.metadata {
            Announced::Unsaid => (METADATA_UNSAID, Span::NONE),
            Announced::Absent => (METADATA_ABSENT, Span::NONE),
            Announced::Present { sha256 } => (
                METADATA_PRESENT,
                match sha256 {
                    Some(hex) => page.push_text(hex)?,
                    None => Span::NONE,
                },
            ),
        };
        let record = Record {
            name: page.push_text(file.filename)?,
            url_tail: page.push_text(tail)?,
            url_shared: shared as u32,
            requires_python,
            yanked,
            sha256,
            size: file.size.unwrap_or(0),
            flags: (u8::from(file.size.is_some()) * HAS_SIZE)
                | (u8::from(ends_with_name) * URL_ENDS_WITH_NAME)
                | (metadata << METADATA_SHIFT),
        };
        page.records.push(record);
        page.dists.push(dist);
        Ok(())
    }

    /// The page, with its releases indexed.
    pub fn finish(self) -> ProjectPage {
        let mut page = self.page;
        // Pages are kept for the whole run: no room to spare.
        page.text.shrink_to_fit();
        page.records.shrink_to_fit();
        page.dists.shrink_to_fit();
        let mut by_version: BTreeMap<&Version, Vec<u32>> = BTreeMap::new();
        for (i, dist) in page.dists.iter().enumerate() {
            by_version.entry(dist.version()).or_default().push(i as u32);
        }
        let releases = by_version
            .into_iter()
            .map(|(v, files)| (v.clone(), files))
            .collect();
        page.releases = releases;
        page
    }
}

impl ProjectPage {
    /// The files of `project` (PEP 503 name) among `files`, kept compactly (`PageBuilder`): the tests' pages.
    #[cfg(test)]
    pub fn of_project(files: &[IndexFile], project: &str) -> Result<Self, PageTooLarge> {
        let mut builder = PageBuilder::new(project);
        for file in files {
            builder.push(file.facts())?;
        }
        Ok(builder.finish())
    }

    fn push_text(&mut self, text: &str) -> Result<Span, PageTooLarge> {
        let start = u32::try_from(self.text.len()).map_err(|_| PageTooLarge)?;
        let len = u32::try_from(text.len()).map_err(|_| PageTooLarge)?;
        if start.checked_add(len).is_none_or(|end| end == u32::MAX) {
            return Err(PageTooLarge);
        }
        self.text.push_str(text);
        Ok(Span { start, len })
    }

    /// `text` stored, or the span of `last` when it says the same.
    fn push_repeated(&mut self, text: Option<&str>, last: &mut Span) -> Result<Span, PageTooLarge> {
        let Some(text) = text else {
            return Ok(Span::NONE);
        };
        if self.span(*last) != Some(text) {
            *last = self.push_text(text)?;
        }
        Ok(*last)
    }

    fn span(&self, span: Span) -> Option<&str> {
        if span == Span::NONE {
            return None;
        }
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize)
    }

    /// How many files the page lists (of its project).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The file at `position`, in page order.
    pub fn file(&self, position: u32) -> PageFile<'_> {
        let i = position as usize;
        PageFile {
            page: self,
            record: &self.records[i],
            dist: &self.dists[i],
        }
    }

    /// Every file, in page order.
    pub fn files(&self) -> impl Iterator<Item = PageFile<'_>> {
        self.records
            .iter()
            .zip(&self.dists)
            .map(|(record, dist)| PageFile {
                page: self,
                record,
                dist,
            })
    }

    /// The positions of the files of `version`, in page order.
    pub fn release_files(&self, version: &Version) -> &[u32] {
        self.releases
            .binary_search_by(|(v, _)| v.cmp(version))
            .map_or(&[], |i| &self.releases[i].1)
    }

    /// Every release the page lists files of, ascending, with the positions of its files.
    pub fn releases(&self) -> &[(Version, Vec<u32>)] {
        &self.releases
    }

    /// About how many bytes the page takes in memory.
    pub fn bytes(&self) -> usize {
        self.text.capacity()
            + self.records.capacity() * std::mem::size_of::<Record>()
            + self.dists.capacity() * std::mem::size_of::<DistFile>()
            + self
                .releases
                .iter()
                .map(|(_, files)| 64 + files.capacity() * 4)
                .sum::<usize>()
    }
}

/// A page could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub(super) String);

/// A file as the tests list it: at `https://files.example.invalid/<filename>`, nothing else said of it.
#[cfg(test)]
impl IndexFile {
    pub fn named(filename: &str) -> IndexFile {
        let url = Url::parse("https://files.example.invalid/")
            .and_then(|base| base.join(filename))
            .expect("a test file name makes a URL");
        IndexFile {
            filename: filename.to_string(),
            url: FileUrl::from(url),
            requires_python: None,
            yanked: None,
            size: None,
            metadata: MetadataFile::Unsaid,
        }
    }
}

/// What a decoded page announces of each file's core metadata, in page order (the decoders' tests).
#[cfg(test)]
pub(super) fn announcements(files: Result<Vec<IndexFile>, DecodeError>) -> Vec<MetadataFile> {
    files.unwrap().into_iter().map(|f| f.metadata).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projects_page_keeps_only_the_projects_distributions() {
        let junk = "x".repeat(10_000);
        let page = ProjectPage::of_project(
            &[
                IndexFile::named("demo-1.0-py3-none-any.whl"),
                IndexFile::named(&format!("{junk}-1.0-py3-none-any.whl")),
                IndexFile::named("other-1.0.tar.gz"),
                IndexFile::named("demo-1.0.exe"),
                IndexFile::named("demo-1.1.tar.gz"),
            ],
            "demo",
        )
        .unwrap();
        let names: Vec<&str> = page.files().map(|f| f.filename()).collect();
        assert_eq!(names, ["demo-1.0-py3-none-any.whl", "demo-1.1.tar.gz"]);
        assert_eq!(page.releases().len(), 2);
    }

    #[test]
    fn pages_past_the_budget_are_not_kept_until_room_is_given_back() {
        let page = || {
            ProjectPage::of_project(&[IndexFile::named("demo-1.0-py3-none-any.whl")], "demo")
                .unwrap()
        };
        let bytes = page().bytes();
        let budget = PageBudget::new(bytes * 2);
        let (mut first, mut second, mut third) = (page(), page(), page());
        assert_eq!(budget.hold(&mut first), Ok(()));
        assert_eq!(budget.hold(&mut second), Ok(()));
        assert_eq!(budget.held(), bytes * 2);
        assert_eq!(budget.hold(&mut third), Err(bytes * 2));
        drop(first);
        assert_eq!(budget.held(), bytes);
        assert_eq!(budget.hold(&mut third), Ok(()));
        drop((second, third));
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn a_kept_file_reads_back_as_the_page_gave_it() {
        let file = |name: &str, url: &str| IndexFile {
            url: FileUrl(url.to_string()),
            ..IndexFile::named(name)
        };
        let files = vec![
            IndexFile {
                requires_python: Some(">=3.8".into()),
                size: Some(10),
                metadata: MetadataFile::Present {
                    sha256: Some("ab12".into()),
                },
                ..file(
                    "demo-1.0-py3-none-any.whl",
                    "https://files.example.invalid/p/ab/demo-1.0-py3-none-any.whl",
                )
            },
            // The same requires-python (stored once), another directory, a URL that does not end with the name.
            IndexFile {
                requires_python: Some(">=3.8".into()),
                yanked: Some(String::new()),
                metadata: MetadataFile::Absent,
                ..file(
                    "demo-1.0.tar.gz",
                    "https://files.example.invalid/p/cd/demo-1.0.tar.gz#sha256=00",
                )
            },
            // Another host, a URL that shares a non-ASCII prefix only in part, a size of zero.
            IndexFile {
                yanked: Some("broken".into()),
                size: Some(0),
                metadata: MetadataFile::Present { sha256: None },
                ..file(
                    "demo-1.1.tar.gz",
                    "https://mirror.example.invalid/é/demo-1.1.tar.gz",
                )
            },
            file("demo-1.2.tar.gz", "https://files.example.invalid/p/é/x"),
            file("demo-1.3.tar.gz", ""),
        ];
        let page = ProjectPage::of_project(&files, "demo").unwrap();
        let read: Vec<IndexFile> = page.files().map(|f| f.to_index_file()).collect();
        assert_eq!(read, files);
        assert_eq!(page.file(1).requires_python(), Some(">=3.8"));
        assert_eq!(page.file(1).yanked(), Some(""));
        assert_eq!(page.file(0).yanked(), None);
        assert_eq!(page.file(2).size(), Some(0));
        assert_eq!(page.file(3).size(), None);
        assert_eq!(page.len(), 5);
        assert!(page.text.matches(">=3.8").count() == 1, "{}", page.text);
        assert!(page.bytes() > page.text.len());
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
}
