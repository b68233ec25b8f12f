//! What an index page says of one project, as every layer above the decoders sees it: the files it lists,
//! each with what the page says of it, and the page itself read as releases. These types depend on nothing
//! else in the index.

use std::collections::BTreeMap;

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

    /// The files of `project` (PEP 503 name) among `files`, each name read once. A file that is no
    /// distribution of the project is left out, as pip skips it: another project's file, an installer, or
    /// the junk a hostile page pads itself with, which would otherwise be kept for the whole run.
    pub fn of_project(files: Vec<IndexFile>, project: &str) -> Self {
        let mut versions = crate::dist::VersionTexts::default();
        let mut kept = Vec::with_capacity(files.len());
        let mut parsed = Vec::with_capacity(files.len());
        for file in files {
            if let Some(dist) = DistFile::parse_with(&file.filename, project, &mut versions) {
                kept.push(file);
                parsed.push(Some(dist));
            }
        }
        // Pages are kept for the whole run: no room to spare.
        kept.shrink_to_fit();
        parsed.shrink_to_fit();
        ProjectPage {
            files: kept,
            parsed: std::sync::OnceLock::from(parsed),
            releases: std::sync::OnceLock::new(),
        }
    }

    /// Each file's name as a distribution of `project` (PEP 503 name), in page order.
    pub fn parsed(&self, project: &str) -> &[Option<DistFile>] {
        self.parsed.get_or_init(|| {
            let mut versions = crate::dist::VersionTexts::default();
            self.files
                .iter()
                .map(|f| DistFile::parse_with(&f.filename, project, &mut versions))
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
pub(super) fn announcements(page: Result<ProjectPage, DecodeError>) -> Vec<MetadataFile> {
    page.unwrap()
        .files
        .into_iter()
        .map(|f| f.metadata)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projects_page_keeps_only_the_projects_distributions() {
        let junk = "x".repeat(10_000);
        let page = ProjectPage::of_project(
            vec![
                IndexFile::named("demo-1.0-py3-none-any.whl"),
                IndexFile::named(&format!("{junk}-1.0-py3-none-any.whl")),
                IndexFile::named("other-1.0.tar.gz"),
                IndexFile::named("demo-1.0.exe"),
                IndexFile::named("demo-1.1.tar.gz"),
            ],
            "demo",
        );
        let names: Vec<&str> = page.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["demo-1.0-py3-none-any.whl", "demo-1.1.tar.gz"]);
        assert_eq!(page.parsed("demo").len(), 2);
        assert_eq!(page.releases("demo").len(), 2);
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
