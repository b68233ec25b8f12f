//! Choosing the file pip installs for one requirement on one target, and saying why.
//!
//! This follows pip's `PackageFinder` and resolver as docs/design.md fixes them: files are candidates when their
//! wheel tags (or sdist-ness) and `requires-python` fit the target; the specifier picks versions among those
//! with PEP 440's pre-release rule; yanked files count only for an exact pin with nothing else left (PEP 592);
//! the newest version wins, then wheels over the sdist, the best tag, the higher build tag, and among files
//! still equal the one listed last on the page. Pure logic: no I/O.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use crate::dist::DistFile;
use crate::index::{PageFile, ProjectPage};
use crate::pep::{Version, VersionSpecifiers, filter_versions, is_pinned};
use crate::target::{TagRanks, Target};
use crate::verdict::{Class, Outcome, Verdict};

mod why_not;

use why_not::{platform_family, yank_note};

const SDIST_ONLY: &str = "sdist only";

/// pip options that change which files may be used.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `--pre`: pre-releases always count.
    pub allow_pre: bool,
    /// False under `--only-binary` for this project.
    pub allow_sdist: bool,
    /// False under `--no-binary` for this project.
    pub allow_wheel: bool,
    /// `--prefer-binary`: any compatible wheel beats any sdist, whatever their versions.
    pub prefer_binary: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_pre: false,
            allow_sdist: true,
            allow_wheel: true,
            prefer_binary: false,
        }
    }
}

/// A file of the page as seen from one target.
struct Entry<'p> {
    file: PageFile<'p>,
    dist: &'p DistFile,
    python_ok: bool,
    rank: Option<usize>,
}

/// One project's page read for one target: the files pip would consider, in page order.
pub struct Catalog<'p> {
    project: String,
    target: Target,
    ranks: &'p TagRanks,
    entries: Vec<Entry<'p>>,
}

/// A version a resolver may choose, as one target sees its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateVersion {
    pub version: Version,
    /// At least one compatible wheel (`--prefer-binary` favours these).
    pub has_wheel: bool,
    /// Every installable file of the version is yanked.
    pub yanked: bool,
}

/// What the choice needs fetched next: pip reads the chosen wheel's core metadata and drops the version when
/// it does not parse (docs/design.md, "Choosing the file").
pub struct Choice<'p> {
    pub verdict: Verdict,
    /// The chosen wheel and its version, for the metadata check.
    pub wheel: Option<(PageFile<'p>, Version)>,
}

impl<'p> Catalog<'p> {
    pub fn new(page: &'p ProjectPage, project: &str, target: &Target, ranks: &'p TagRanks) -> Self {
        Self::with_files(page, project, target, ranks, None)
    }

    /// The catalog of one release only: enough to choose its file for an exact pin, at a fraction of the
    /// cost on a page of thousands of files (a resolver asks this for every version it tries). Its
    /// explanations know nothing of other releases.
    pub fn of_release(
        page: &'p ProjectPage,
        project: &str,
        target: &Target,
        ranks: &'p TagRanks,
        version: &Version,
    ) -> Self {
        Self::with_files(page, project, target, ranks, Some(version))
    }

    fn with_files(
        page: &'p ProjectPage,
        project: &str,
        target: &Target,
        ranks: &'p TagRanks,
        only: Option<&Version>,
    ) -> Self {
        let python =
            Version::from_str(&target.python.to_string()).expect("a CPython version parses");
        let mut python_ok_memo: HashMap<&str, bool> = HashMap::new();
        let files: Box<dyn Iterator<Item = PageFile<'p>>> = match only {
            Some(version) => Box::new(page.release_files(version).iter().map(|&i| page.file(i))),
            None => Box::new(page.files()),
        };
        let entries = files
            .map(|file| {
                let dist = file.dist();
                let python_ok = match file.requires_python() {
                    None => true,
                    Some(rp) => *python_ok_memo.entry(rp).or_insert_with(|| {
                        // pip ignores a requires-python it cannot parse: the file stays a candidate.
                        crate::pep::parse_requires_python(rp).map_or(true, |s| s.contains(&python))
                    }),
                };
                let rank = match dist {
                    DistFile::Wheel(w) => w.best_rank(ranks),
                    DistFile::Sdist { .. } => None,
                };
                Entry {
                    file,
                    dist,
                    python_ok,
                    rank,
                }
            })
            .collect();
        Catalog {
            project: project.to_string(),
            target: *target,
            ranks,
            entries,
        }
    }

    fn installable(&self, e: &Entry, policy: Policy) -> bool {
        e.python_ok && self.fits_ignoring_python(e, policy)
    }

    /// A compatible wheel, or an sdist pip may build, whatever its `requires-python` says.
    fn fits_ignoring_python(&self, e: &Entry, policy: Policy) -> bool {
        match e.dist {
            DistFile::Wheel(_) => policy.allow_wheel && e.rank.is_some(),
            DistFile::Sdist { .. } => policy.allow_sdist,
        }
    }

    /// Every version with at least one file pip could install on the target, ascending: what a resolver may
    /// choose among. A version whose installable files are all yanked is marked, since pip takes it only for
    /// an exact pin.
    pub fn candidate_versions(&self, policy: Policy) -> Vec<CandidateVersion> {
        let mut versions: std::collections::BTreeMap<&Version, CandidateVersion> =
            std::collections::BTreeMap::new();
        for e in self.entries.iter().filter(|e| self.installable(e, policy)) {
            let slot = versions
                .entry(e.dist.version())
                .or_insert_with(|| CandidateVersion {
                    version: e.dist.version().clone(),
                    has_wheel: false,
                    yanked: true,
                });
            slot.has_wheel |= matches!(e.dist, DistFile::Wheel(_));
            slot.yanked &= e.file.yanked().is_some();
        }
        versions.into_values().collect()
    }

    /// The file pip installs for `specifiers`, skipping the files in `rejected` (filename → why pip rejects its
    /// metadata). pip then tries the next file of the same version (another wheel, then the sdist), then
    /// older versions.
    pub fn choose(
        &self,
        specifiers: &VersionSpecifiers,
        policy: Policy,
        rejected: &HashMap<String, String>,
    ) -> Choice<'p> {
        let installable_versions: BTreeSet<&Version> = self
            .entries
            .iter()
            .filter(|e| self.installable(e, policy))
            .map(|e| e.dist.version())
            .collect();
        let applicable: BTreeSet<&Version> =
            filter_versions(specifiers, installable_versions, policy.allow_pre)
                .into_iter()
                .collect();
        let mut pool: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| self.installable(e, policy) && applicable.contains(e.dist.version()))
            .collect();
        // PEP 592 as pip applies it: yanked files only for an exact pin that nothing unyanked satisfies.
        let all_yanked = !pool.is_empty() && pool.iter().all(|e| e.file.yanked().is_some());
        if !(all_yanked && is_pinned(specifiers)) {
            pool.retain(|e| e.file.yanked().is_none());
        }
        pool.retain(|e| !rejected.contains_key(e.file.filename()));

        // Best by `sort_key`; `>=` lets a later equal file win (pip's resolver takes the last listed).
        let mut best: Option<&Entry> = None;
        for e in pool {
            if best.is_none_or(|b| sort_key(e, policy) >= sort_key(b, policy)) {
                best = Some(e);
            }
        }
        match best {
            Some(e) => self.chosen(e, policy, specifiers),
            None => Choice {
                verdict: self.nothing(specifiers, policy, rejected),
                wheel: None,
            },
        }
    }

    fn chosen(&self, e: &Entry<'p>, policy: Policy, specifiers: &VersionSpecifiers) -> Choice<'p> {
        let version = e.dist.version().clone();
        let (class, mut reason, wheel) = match &e.dist {
            DistFile::Wheel(w) => {
                let (py, abi, platform) = w.best_tag(self.ranks).unwrap_or_default();
                if platform == "any" {
                    (
                        Class::PurePython,
                        format!("pure-Python wheel ({py}-{abi}-any)"),
                        Some((e.file, version.clone())),
                    )
                } else {
                    let family = platform_family(&platform);
                    (
                        self.binary_class(),
                        format!("{family} wheel for {py}-{abi}"),
                        Some((e.file, version.clone())),
                    )
                }
            }
            DistFile::Sdist { .. } => {
                let why = self.why_no_wheel(&version, policy);
                let how = if why == SDIST_ONLY {
                    "builds from source"
                } else {
                    "builds from sdist"
                };
                (self.classify(&version), format!("{why}; {how}"), None)
            }
        };
        if let Some(why) = e.file.yanked() {
            reason.push_str(&yank_note(why));
        }
        let outcome = if wheel.is_some() {
            Outcome::Wheel
        } else {
            Outcome::Build
        };
        let mut verdict = Verdict {
            outcome,
            class: Some(class),
            version: Some(version.to_string()),
            file: Some(e.file.filename().to_string()),
            yanked: e.file.yanked().is_some(),
            reason,
            advice: Vec::new(),
            size: e.file.size(),
            via: Vec::new(),
            blocked_by: Vec::new(),
            needed_only_by: Vec::new(),
            ignored: None,
        };
        if outcome == Outcome::Build {
            verdict.advice = self.wheel_advice(&version, specifiers);
        }
        Choice { verdict, wheel }
    }
}

/// (binary preference, version, is a wheel, tag rank reversed, build tag): the larger, the better.
type SortKey<'a> = (
    bool,
    &'a Version,
    bool,
    Reverse<usize>,
    Option<&'a (u64, Box<str>)>,
);

/// pip's candidate order: the binary preference (under `--prefer-binary`), the version, wheel over sdist, the
/// tag's rank, the build tag.
fn sort_key<'a>(e: &'a Entry, policy: Policy) -> SortKey<'a> {
    let preferred = policy.prefer_binary && matches!(e.dist, DistFile::Wheel(_));
    match &e.dist {
        DistFile::Wheel(w) => (
            preferred,
            &w.version,
            true,
            Reverse(e.rank.unwrap_or(usize::MAX)),
            w.build.as_deref(),
        ),
        DistFile::Sdist { version } => (preferred, version, false, Reverse(usize::MAX), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexFile;
    use crate::target::{Arch, Libc};
    use url::Url;

    /// A page from (filename, requires-python, yanked) triples, in page order, of the first file's project.
    fn page(files: &[(&str, Option<&str>, Option<&str>)]) -> ProjectPage {
        let base = Url::parse("http://127.0.0.1:9/files/").unwrap();
        let files: Vec<IndexFile> = files
            .iter()
            .map(|(name, rp, yanked)| IndexFile {
                filename: name.to_string(),
                url: base.join(name).unwrap().into(),
                requires_python: rp.map(str::to_string),
                yanked: yanked.map(str::to_string),
                size: Some(100),
                metadata: crate::index::MetadataFile::Unsaid,
            })
            .collect();
        // The project is the first file's: each test names one.
        let project = files.first().map_or("demo".to_string(), |f| {
            crate::pep::normalize(f.filename.split('-').next().unwrap_or(""))
        });
        ProjectPage::of_project(&files, &project).unwrap()
    }

    fn plain(names: &[&'static str]) -> ProjectPage {
        page(&names.iter().map(|n| (*n, None, None)).collect::<Vec<_>>())
    }

    #[test]
    fn a_release_is_read_from_its_own_files() {
        let page = plain(&[
            "demo-2.0.tar.gz",
            "demo-1.0-py3-none-any.whl",
            "other-1.0.tar.gz",
            "demo-1.0.0.tar.gz",
            "demo-2.0-py3-none-any.whl",
        ]);
        let one = crate::pep::parse_version("1.0").unwrap();
        // 1.0 and 1.0.0 are one release; the file of another project is left out of the page.
        assert_eq!(page.len(), 4);
        assert_eq!(page.release_files(&one), &[1, 2]);
        let two = crate::pep::parse_version("2").unwrap();
        assert_eq!(page.release_files(&two), &[0, 3]);
        let three = crate::pep::parse_version("3.0").unwrap();
        assert!(page.release_files(&three).is_empty());
        let versions: Vec<String> = page.releases().iter().map(|(v, _)| v.to_string()).collect();
        assert_eq!(versions, ["1.0", "2.0"]);
        let ranks = TagRanks::new(&target(Arch::X86_64));
        let catalog = Catalog::of_release(&page, "demo", &target(Arch::X86_64), &ranks, &one);
        let choice = catalog.choose(
            &crate::pep::exactly(&one),
            Policy::default(),
            &HashMap::new(),
        );
        assert_eq!(
            choice.verdict.file.as_deref(),
            Some("demo-1.0-py3-none-any.whl")
        );
    }

    fn target(arch: Arch) -> Target {
        Target {
            python: "3.12".parse().unwrap(),
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
            arch,
        }
    }

    fn choose_with(page: &ProjectPage, spec: &str, policy: Policy, arch: Arch) -> Verdict {
        let t = target(arch);
        let ranks = TagRanks::new(&t);
        let catalog = Catalog::new(page, "pkg", &t, &ranks);
        catalog
            .choose(
                &VersionSpecifiers::from_str(spec).unwrap(),
                policy,
                &HashMap::new(),
            )
            .verdict
    }

    fn choose(page: &ProjectPage, spec: &str) -> Verdict {
        choose_with(page, spec, Policy::default(), Arch::X86_64)
    }

    #[test]
    fn a_release_with_python_2_wheels_only_says_so() {
        let p = plain(&["futures-3.0.5-py2-none-any.whl", "futures-3.0.5.tar.gz"]);
        let v = choose(&p, "==3.0.5");
        assert_eq!(v.outcome, Outcome::Build);
        assert!(
            v.reason
                .starts_with("no wheel for cp312 (pure-Python wheels for py2 only); builds from"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn among_equal_files_the_last_listed_wins() {
        let p = plain(&[
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.musllinux_1_1_x86_64.whl",
        ]);
        assert_eq!(
            choose(&p, "").file.unwrap(),
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.musllinux_1_1_x86_64.whl"
        );
    }

    #[test]
    fn the_better_tag_wins_over_page_order() {
        let p = plain(&[
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "pkg-1.0-cp39-abi3-musllinux_1_2_x86_64.whl",
            "pkg-1.0-py2.py3-none-any.whl",
            "pkg-1.0.tar.gz",
        ]);
        let v = choose(&p, "==1.0");
        assert_eq!(
            v.file.as_deref(),
            Some("pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl")
        );
        assert_eq!(
            (v.outcome, v.class),
            (Outcome::Wheel, Some(Class::Musllinux))
        );
        let abi3 = plain(&[
            "pkg-1.0-py2.py3-none-any.whl",
            "pkg-1.0-cp39-abi3-musllinux_1_1_x86_64.whl",
        ]);
        let v = choose(&abi3, "");
        assert_eq!(
            v.file.as_deref(),
            Some("pkg-1.0-cp39-abi3-musllinux_1_1_x86_64.whl")
        );
        assert_eq!(v.reason, "musllinux_1_1 wheel for cp39-abi3");
        // A native `linux_` wheel (private indexes) ranks first, as in packaging 26 and pip 26.
        let native = plain(&[
            "pkg-1.0-cp312-cp312-linux_x86_64.whl",
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        ]);
        let v = choose(&native, "");
        assert_eq!(
            v.file.as_deref(),
            Some("pkg-1.0-cp312-cp312-linux_x86_64.whl")
        );
    }

    #[test]
    fn prefer_binary_takes_an_older_wheel_over_a_newer_sdist() {
        let p = plain(&[
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "pkg-2.0.tar.gz",
        ]);
        assert_eq!(choose(&p, "").file.as_deref(), Some("pkg-2.0.tar.gz"));
        let prefer = Policy {
            prefer_binary: true,
            ..Policy::default()
        };
        let v = choose_with(&p, "", prefer, Arch::X86_64);
        assert_eq!(
            v.file.as_deref(),
            Some("pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl")
        );
    }

    #[test]
    fn the_higher_build_tag_wins() {
        let p = plain(&[
            "pkg-1.0-2-py3-none-any.whl",
            "pkg-1.0-10-py3-none-any.whl",
            "pkg-1.0-py3-none-any.whl",
        ]);
        assert_eq!(
            choose(&p, "").file.as_deref(),
            Some("pkg-1.0-10-py3-none-any.whl")
        );
    }

    #[test]
    fn compressed_pure_python_tags() {
        let p = plain(&["pkg-1.0-py2.py3-none-any.whl"]);
        let v = choose(&p, "");
        assert_eq!(
            (v.outcome, v.class),
            (Outcome::Wheel, Some(Class::PurePython))
        );
        assert_eq!(v.reason, "pure-Python wheel (py3-none-any)");
    }

    #[test]
    fn the_newest_installable_version_wins_even_when_it_must_build() {
        let p = plain(&[
            "pkg-1.0-cp312-cp312-musllinux_1_1_x86_64.whl",
            "pkg-1.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "pkg-1.1.tar.gz",
            "pkg-1.2-cp312-cp312-manylinux_2_28_x86_64.whl",
        ]);
        let v = choose(&p, "");
        assert_eq!(
            (v.outcome, v.class),
            (Outcome::Build, Some(Class::ManylinuxOnly))
        );
        assert_eq!(v.file.as_deref(), Some("pkg-1.1.tar.gz"));
        assert!(v.reason.contains("manylinux_2_17"), "{}", v.reason);
        assert!(v.advice[0].contains("1.0 (older)"), "{:?}", v.advice);
        assert_eq!(
            v.advice[1],
            "the newest release, pkg 1.2, still has no wheel for this target"
        );
        let pinned = choose(&p, "==1.2");
        assert_eq!(
            (pinned.outcome, pinned.class),
            (Outcome::Fail, Some(Class::ManylinuxOnly))
        );
        assert_eq!(pinned.version.as_deref(), Some("1.2"));
        assert!(
            pinned.reason.starts_with("no sdist and no musllinux wheel"),
            "{}",
            pinned.reason
        );
    }

    #[test]
    fn advice_gives_the_upgrade_path_and_whether_the_requirement_admits_it() {
        let p = plain(&[
            "pkg-1.0.tar.gz",
            "pkg-1.1-cp312-cp312-musllinux_1_2_x86_64.whl",
            "pkg-1.1.tar.gz",
            "pkg-1.2-cp312-cp312-manylinux_2_28_x86_64.whl",
            "pkg-1.2.tar.gz",
            "pkg-1.3-cp39-abi3-musllinux_1_1_x86_64.whl",
            "pkg-1.3.tar.gz",
            "pkg-1.4rc1.tar.gz",
        ]);
        let pinned = choose(&p, "==1.0");
        assert_eq!(pinned.outcome, Outcome::Build);
        assert_eq!(
            pinned.advice,
            [
                "pkg 1.1 is the first release after 1.0 with a wheel for this target (oldest with one: 1.1, \
              newest: 1.3); the requirement pkg==1.0 excludes it"
            ]
        );
        let capped = choose(&p, "<1.3");
        assert_eq!(capped.version.as_deref(), Some("1.2"));
        assert!(
            capped.advice[0].starts_with("pkg 1.3 is the first release after 1.2")
                && capped.advice[0].ends_with("the requirement pkg<1.3 excludes it"),
            "{:?}",
            capped.advice
        );
        assert_eq!(
            capped.advice.len(),
            1,
            "the newest final release has a wheel"
        );
        let none = choose(&plain(&["pkg-1.0.tar.gz", "pkg-2.0.tar.gz"]), "");
        assert_eq!(
            none.advice,
            [
                "no release of pkg listed on the index has a musllinux or pure-Python wheel for this target"
            ]
        );
    }

    #[test]
    fn yanked_files_only_for_an_exact_pin() {
        let p = page(&[
            ("pkg-1.0-py3-none-any.whl", None, None),
            ("pkg-1.1-py3-none-any.whl", None, Some("broken metadata")),
        ]);
        assert_eq!(choose(&p, "").version.as_deref(), Some("1.0"));
        assert_eq!(choose(&p, ">=1.0").version.as_deref(), Some("1.0"));
        let pinned = choose(&p, "==1.1");
        assert_eq!(pinned.outcome, Outcome::Wheel);
        assert!(pinned.yanked);
        assert!(
            pinned.reason.ends_with("; yanked: broken metadata"),
            "{}",
            pinned.reason
        );
        let wildcard = choose(&p, "==1.1.*");
        assert_eq!(wildcard.outcome, Outcome::Fail);
        assert!(wildcard.reason.contains("yanked"), "{}", wildcard.reason);
    }

    #[test]
    fn requires_python_excludes_files() {
        let p = page(&[
            ("pkg-1.0.tar.gz", Some(">=3.8"), None),
            ("pkg-2.0-py3-none-any.whl", Some(">=3.13"), None),
            ("pkg-2.0.tar.gz", Some(">=3.13"), None),
            ("pkg-0.9-py3-none-any.whl", Some(">=3.6.*"), None),
            ("pkg-0.8-py3-none-any.whl", Some(">=3.7,<3.12,"), None),
        ]);
        assert_eq!(choose(&p, "").version.as_deref(), Some("1.0"));
        let pinned = choose(&p, "==2.0");
        assert_eq!(pinned.outcome, Outcome::Fail);
        assert_eq!(
            pinned.reason,
            "requires-python >=3.13 excludes Python 3.12; pip fails"
        );
        // A requires-python that does not parse is ignored, as pip ignores it; an empty item is dropped.
        assert_eq!(choose(&p, "==0.9").outcome, Outcome::Wheel);
        assert_eq!(choose(&p, "==0.8").outcome, Outcome::Fail);
    }

    #[test]
    fn pre_releases_follow_pep_440() {
        let only_pre = plain(&["pkg-1.0b1-py3-none-any.whl", "pkg-1.0rc1-py3-none-any.whl"]);
        assert_eq!(choose(&only_pre, "").version.as_deref(), Some("1.0rc1"));
        let mixed = plain(&["pkg-1.0-py3-none-any.whl", "pkg-2.0b1-py3-none-any.whl"]);
        assert_eq!(choose(&mixed, "").version.as_deref(), Some("1.0"));
        assert_eq!(choose(&mixed, ">=2.0b1").version.as_deref(), Some("2.0b1"));
        let pre = Policy {
            allow_pre: true,
            ..Policy::default()
        };
        assert_eq!(
            choose_with(&mixed, "", pre, Arch::X86_64)
                .version
                .as_deref(),
            Some("2.0b1")
        );
        // The fallback looks only at versions with an installable file.
        let uninstallable_final = plain(&[
            "pkg-1.0-cp312-cp312-win_amd64.whl",
            "pkg-0.9b1-py3-none-any.whl",
        ]);
        assert_eq!(
            choose(&uninstallable_final, "").version.as_deref(),
            Some("0.9b1")
        );
    }

    #[test]
    fn classes_seen_from_the_target() {
        let spacy = plain(&[
            "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "pkg-1.0.tar.gz",
        ]);
        let arm = choose_with(&spacy, "", Policy::default(), Arch::Aarch64);
        assert_eq!(
            (arm.outcome, arm.class),
            (Outcome::Build, Some(Class::MusllinuxOther))
        );
        assert!(
            arm.reason.contains("no musllinux wheel for aarch64"),
            "{}",
            arm.reason
        );
        let windows = plain(&["pkg-1.0-cp312-cp312-win_amd64.whl", "pkg-1.0.tar.gz"]);
        assert_eq!(choose(&windows, "").class, Some(Class::NoLinux));
        let sdist = plain(&["pkg-1.0.tar.gz"]);
        assert_eq!(choose(&sdist, "").class, Some(Class::SdistOnly));
        let glibc = Target {
            libc: Libc::Glibc("2.36".parse().unwrap()),
            ..target(Arch::X86_64)
        };
        let foreign_linux = plain(&["pkg-1.0-cp312-cp312-linux_aarch64.whl", "pkg-1.0.tar.gz"]);
        let ranks = TagRanks::new(&glibc);
        let catalog = Catalog::new(&foreign_linux, "pkg", &glibc, &ranks);
        let v = catalog
            .choose(
                &VersionSpecifiers::empty(),
                Policy::default(),
                &HashMap::new(),
            )
            .verdict;
        assert_eq!(
            (v.outcome, v.class),
            (Outcome::Build, Some(Class::ManylinuxOther))
        );
        let other_python = plain(&["pkg-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"]);
        let v = choose(&other_python, "");
        assert_eq!(
            (v.outcome, v.class),
            (Outcome::Fail, Some(Class::MusllinuxOther))
        );
    }

    #[test]
    fn missing_versions_and_empty_pages() {
        let p = plain(&["pkg-1.0-py3-none-any.whl"]);
        let v = choose(&p, "==9.9");
        assert_eq!(v.outcome, Outcome::Missing);
        assert_eq!(v.reason, "no release of pkg matches ==9.9");
        assert_eq!(choose(&plain(&[]), "").outcome, Outcome::Missing);
        // Files of other projects and kinds pip skips do not count.
        let odd = plain(&[
            "pkg-1.0-py3.8.egg",
            "other-1.0-py3-none-any.whl",
            "pkg-1.0.exe",
        ]);
        assert_eq!(choose(&odd, "").outcome, Outcome::Missing);
    }

    #[test]
    fn only_binary_turns_a_build_into_a_failure() {
        let p = plain(&[
            "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "pkg-1.0.tar.gz",
        ]);
        let only_binary = Policy {
            allow_sdist: false,
            ..Policy::default()
        };
        let v = choose_with(&p, "", only_binary, Arch::X86_64);
        assert_eq!(v.outcome, Outcome::Fail);
        let no_binary = Policy {
            allow_wheel: false,
            ..Policy::default()
        };
        let wheels = plain(&["pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"]);
        assert_eq!(
            choose_with(&wheels, "", no_binary, Arch::X86_64).outcome,
            Outcome::Build
        );
    }

    #[test]
    fn a_rejected_file_gives_way_to_the_next_file_then_the_next_version() {
        let p = plain(&[
            "pkg-1.0-py3-none-any.whl",
            "pkg-1.1-py3-none-any.whl",
            "pkg-1.1-cp312-cp312-musllinux_1_2_x86_64.whl",
        ]);
        let t = target(Arch::X86_64);
        let ranks = TagRanks::new(&t);
        let catalog = Catalog::new(&p, "pkg", &t, &ranks);
        let any = VersionSpecifiers::from_str("").unwrap();
        let mut rejected = HashMap::from([(
            "pkg-1.1-cp312-cp312-musllinux_1_2_x86_64.whl".to_string(),
            "pip rejects it".to_string(),
        )]);
        // The same version's other wheel first, as pip's candidate list goes.
        let v = catalog.choose(&any, Policy::default(), &rejected).verdict;
        assert_eq!(v.file.as_deref(), Some("pkg-1.1-py3-none-any.whl"));
        rejected.insert("pkg-1.1-py3-none-any.whl".into(), "pip rejects it".into());
        assert_eq!(
            catalog
                .choose(&any, Policy::default(), &rejected)
                .verdict
                .version
                .as_deref(),
            Some("1.0")
        );
        let pin = VersionSpecifiers::from_str("==1.1").unwrap();
        let v = catalog.choose(&pin, Policy::default(), &rejected).verdict;
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(v.reason.starts_with("pip rejects it"), "{}", v.reason);
        // An sdist of the rejected version comes before older versions: pip builds it.
        let with_sdist = plain(&[
            "pkg-1.0-py3-none-any.whl",
            "pkg-1.1-py3-none-any.whl",
            "pkg-1.1.tar.gz",
        ]);
        let catalog = Catalog::new(&with_sdist, "pkg", &t, &ranks);
        let v = catalog.choose(&any, Policy::default(), &rejected).verdict;
        assert_eq!(
            (v.outcome, v.file.as_deref()),
            (Outcome::Build, Some("pkg-1.1.tar.gz"))
        );
    }
}
