//! Choosing the file pip installs for one requirement on one target, and saying why.
//!
//! This follows pip's `PackageFinder` and resolver as DESIGN.md fixes them: files are candidates when their
//! wheel tags (or sdist-ness) and `requires-python` fit the target; the specifier picks versions among those
//! with PEP 440's pre-release rule; yanked files count only for an exact pin with nothing else left (PEP 592);
//! the newest version wins, then wheels over the sdist, the best tag, the higher build tag, and among files
//! still equal the one listed last on the page. Pure logic: no I/O.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use crate::dist::DistFile;
use crate::index::{IndexFile, ProjectPage};
use crate::pep::{Version, VersionSpecifiers, filter_versions, is_pinned};
use crate::target::{TagRanks, Target};
use crate::verdict::{Class, Outcome, Verdict};

/// pip options that change which files may be used.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `--pre`: pre-releases always count.
    pub allow_pre: bool,
    /// False under `--only-binary` for this project.
    pub allow_sdist: bool,
    /// False under `--no-binary` for this project.
    pub allow_wheel: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { allow_pre: false, allow_sdist: true, allow_wheel: true }
    }
}

/// A file of the page as seen from one target.
struct Entry<'p> {
    file: &'p IndexFile,
    dist: DistFile,
    python_ok: bool,
    rank: Option<usize>,
}

/// One project's page read for one target: the files pip would consider, in page order.
pub struct Catalog<'p> {
    project: String,
    target: Target,
    entries: Vec<Entry<'p>>,
}

/// What the choice needs fetched next: pip reads the chosen wheel's core metadata and drops the version when
/// it does not parse (DESIGN.md, "Choosing the file").
pub struct Choice<'p> {
    pub verdict: Verdict,
    /// The chosen wheel and its version, for the metadata check.
    pub wheel: Option<(&'p IndexFile, Version)>,
}

impl<'p> Catalog<'p> {
    pub fn new(page: &'p ProjectPage, project: &str, target: &Target, ranks: &TagRanks) -> Self {
        let python = Version::from_str(&target.python.to_string()).expect("a CPython version parses");
        let mut python_ok_memo: HashMap<&str, bool> = HashMap::new();
        let entries = page
            .files
            .iter()
            .filter_map(|file| {
                let dist = DistFile::parse(&file.filename, project)?;
                let python_ok = match file.requires_python.as_deref() {
                    None => true,
                    Some(rp) => *python_ok_memo.entry(rp).or_insert_with(|| {
                        // pip ignores a requires-python it cannot parse: the file stays a candidate.
                        VersionSpecifiers::from_str(rp).map_or(true, |s| s.contains(&python))
                    }),
                };
                let rank = match &dist {
                    DistFile::Wheel(w) => w.best_rank(ranks),
                    DistFile::Sdist { .. } => None,
                };
                Some(Entry { file, dist, python_ok, rank })
            })
            .collect();
        Catalog { project: project.to_string(), target: *target, entries }
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

    /// The file pip installs for `specifiers`, skipping versions in `rejected` (version → why pip rejects it).
    pub fn choose(
        &self,
        specifiers: &VersionSpecifiers,
        policy: Policy,
        rejected: &HashMap<Version, String>,
    ) -> Choice<'p> {
        let installable_versions: BTreeSet<&Version> = self
            .entries
            .iter()
            .filter(|e| self.installable(e, policy))
            .map(|e| e.dist.version())
            .collect();
        let applicable: BTreeSet<&Version> =
            filter_versions(specifiers, installable_versions, policy.allow_pre).into_iter().collect();
        let mut pool: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| self.installable(e, policy) && applicable.contains(e.dist.version()))
            .collect();
        // PEP 592 as pip applies it: yanked files only for an exact pin that nothing unyanked satisfies.
        let all_yanked = !pool.is_empty() && pool.iter().all(|e| e.file.yanked.is_some());
        if !(all_yanked && is_pinned(specifiers)) {
            pool.retain(|e| e.file.yanked.is_none());
        }
        pool.retain(|e| !rejected.contains_key(e.dist.version()));

        // Best first by (version, wheel over sdist, tag rank, build tag); `>=` lets a later equal file win.
        let mut best: Option<&Entry> = None;
        for e in pool {
            if best.is_none_or(|b| sort_key(e) >= sort_key(b)) {
                best = Some(e);
            }
        }
        match best {
            Some(e) => self.chosen(e, policy),
            None => Choice { verdict: self.nothing(specifiers, policy, rejected), wheel: None },
        }
    }

    fn chosen(&self, e: &Entry<'p>, policy: Policy) -> Choice<'p> {
        let version = e.dist.version().clone();
        let (class, mut reason, wheel) = match &e.dist {
            DistFile::Wheel(w) => {
                let ranks = TagRanks::new(&self.target);
                let (py, abi, platform) = w.best_tag(&ranks).unwrap_or_default();
                if platform == "any" {
                    (Class::PurePython, format!("pure-Python wheel ({py}-{abi}-any)"), Some((e.file, version.clone())))
                } else {
                    let family = platform_family(&platform);
                    (Class::Musllinux, format!("{family} wheel for {py}-{abi}"), Some((e.file, version.clone())))
                }
            }
            DistFile::Sdist { .. } => {
                let class = self.classify(&version);
                (class, format!("{}; builds from sdist", self.why_no_wheel(&version, policy)), None)
            }
        };
        if let Some(why) = &e.file.yanked {
            reason.push_str(&yank_note(why));
        }
        let outcome = if wheel.is_some() { Outcome::Wheel } else { Outcome::Build };
        let mut verdict = Verdict {
            outcome,
            class: Some(class),
            version: Some(version.to_string()),
            file: Some(e.file.filename.clone()),
            yanked: e.file.yanked.is_some(),
            reason,
            advice: Vec::new(),
            size: e.file.size,
        };
        if outcome == Outcome::Build {
            verdict.advice = self.wheel_advice(&version);
        }
        Choice { verdict, wheel }
    }

    /// No file can be installed: the project lacks a matching release (`missing`), or pip fails.
    fn nothing(&self, specifiers: &VersionSpecifiers, policy: Policy, rejected: &HashMap<Version, String>) -> Verdict {
        let all: BTreeSet<&Version> = self.entries.iter().map(|e| e.dist.version()).collect();
        let Some(wanted) = filter_versions(specifiers, all.iter().copied(), policy.allow_pre).into_iter().max()
        else {
            let reason = if all.is_empty() {
                format!("{} has no files on the index", self.project)
            } else if specifiers.is_empty() {
                format!("no release of {} matches", self.project)
            } else {
                format!("no release of {} matches {specifiers}", self.project)
            };
            return Verdict::bare(Outcome::Missing, reason);
        };
        let files: Vec<&Entry> = self.entries.iter().filter(|e| e.dist.version() == wanted).collect();
        let reason = if let Some(why) = rejected.get(wanted) {
            format!("{why}; pip skips {wanted} and no other release fits")
        } else if files.iter().all(|e| e.file.yanked.is_some()) {
            format!("every file of {wanted} is yanked{}", yank_note_of(&files))
        } else if files.iter().any(|e| !e.python_ok && self.fits_ignoring_python(e, policy)) {
            let rp = files.iter().find_map(|e| e.file.requires_python.clone()).unwrap_or_default();
            format!("requires-python {rp} excludes Python {}; pip fails", self.target.python)
        } else {
            format!("{}; pip fails", self.why_no_wheel(wanted, policy).replacen("no ", "no sdist and no ", 1))
        };
        let mut verdict = Verdict::bare(Outcome::Fail, reason);
        verdict.class = Some(self.classify(wanted));
        verdict.version = Some(wanted.to_string());
        verdict.advice = self.wheel_advice(wanted);
        verdict
    }

    /// The `class` of DESIGN.md for one release.
    fn classify(&self, version: &Version) -> Class {
        let files: Vec<&Entry> = self.entries.iter().filter(|e| e.dist.version() == version).collect();
        let wheels: Vec<&crate::dist::WheelName> = files
            .iter()
            .filter_map(|e| match &e.dist {
                DistFile::Wheel(w) => Some(w),
                DistFile::Sdist { .. } => None,
            })
            .collect();
        let compatible = || files.iter().filter(|e| e.rank.is_some());
        let ranks = TagRanks::new(&self.target);
        if compatible().any(|e| matches!(&e.dist, DistFile::Wheel(w) if w.best_tag(&ranks).is_some_and(|t| t.2 == "any")))
        {
            Class::PurePython
        } else if compatible().next().is_some() {
            Class::Musllinux
        } else if wheels.iter().any(|w| w.platforms().any(|p| p.starts_with("musllinux"))) {
            Class::MusllinuxOther
        } else if wheels.iter().any(|w| w.platforms().any(|p| p.starts_with("manylinux") || p.starts_with("linux"))) {
            Class::ManylinuxOnly
        } else if !wheels.is_empty() {
            Class::NoLinux
        } else if files.iter().any(|e| matches!(e.dist, DistFile::Sdist { .. })) {
            Class::SdistOnly
        } else {
            Class::NoFiles
        }
    }

    /// Why no wheel of `version` fits the target: the closest miss, in a few words.
    fn why_no_wheel(&self, version: &Version, policy: Policy) -> String {
        let arch = self.target.arch.as_str();
        let wheels: Vec<&crate::dist::WheelName> = self
            .entries
            .iter()
            .filter(|e| e.dist.version() == version)
            .filter_map(|e| match &e.dist {
                DistFile::Wheel(w) => Some(w),
                DistFile::Sdist { .. } => None,
            })
            .collect();
        if !policy.allow_wheel {
            return "--no-binary excludes wheels".to_string();
        }
        if wheels.is_empty() {
            return "no wheels, sdist only".to_string();
        }
        let musl: Vec<&&crate::dist::WheelName> =
            wheels.iter().filter(|w| w.platforms().any(|p| p.starts_with("musllinux"))).collect();
        if !musl.is_empty() {
            let same_arch: Vec<&&&crate::dist::WheelName> =
                musl.iter().filter(|w| w.platforms().any(|p| p.ends_with(arch))).collect();
            if same_arch.is_empty() {
                let arches = summarize(musl.iter().flat_map(|w| w.platforms().filter_map(|p| p.strip_prefix("musllinux_")).map(|p| p.splitn(3, '_').nth(2).unwrap_or(p).to_string())));
                return format!("no musllinux wheel for {arch} (only {arches})");
            }
            let pythons = summarize(same_arch.iter().map(|w| format!("{}-{}", w.python, w.abi)));
            return format!(
                "no musllinux wheel for {} on {arch} or its musl 1.{} (only {pythons})",
                self.target.interpreter(),
                self.target.musl.minor
            );
        }
        let families = summarize(wheels.iter().flat_map(|w| w.platforms().map(platform_family)));
        let linux = wheels.iter().any(|w| w.platforms().any(|p| p.starts_with("manylinux") || p.starts_with("linux")));
        if linux {
            format!("no musllinux wheel ({families} wheels only)")
        } else {
            format!("no Linux wheel ({families} wheels only)")
        }
    }

    /// Where a wheel for this target can be had instead: the newest release that ships one.
    fn wheel_advice(&self, version: &Version) -> Vec<String> {
        let with_wheel = self
            .entries
            .iter()
            .filter(|e| e.rank.is_some() && e.python_ok && e.file.yanked.is_none() && !e.dist.version().any_prerelease())
            .map(|e| e.dist.version())
            .max();
        let target = self.target.id();
        match with_wheel {
            Some(v) if v > version => {
                vec![format!("{} {v} has a wheel for {target}: upgrading avoids this", self.project)]
            }
            Some(v) => vec![format!("{} {v} (older) has a wheel for {target}", self.project)],
            None => vec![format!("no release of {} listed on the index has a wheel for {target}", self.project)],
        }
    }
}

fn sort_key<'a>(e: &'a Entry) -> (&'a Version, bool, std::cmp::Reverse<usize>, Option<&'a (u64, String)>) {
    match &e.dist {
        DistFile::Wheel(w) => (&w.version, true, std::cmp::Reverse(e.rank.unwrap_or(usize::MAX)), w.build.as_ref()),
        DistFile::Sdist { version } => (version, false, std::cmp::Reverse(usize::MAX), None),
    }
}

/// A platform tag without its architecture: `musllinux_1_2_x86_64` → `musllinux_1_2`,
/// `manylinux2014_x86_64` → `manylinux2014`; every `macosx_*` is `macosx` and every `win*` is `win`.
fn platform_family(platform: &str) -> String {
    const ARCHES: [&str; 10] =
        ["x86_64", "aarch64", "armv7l", "i686", "ppc64le", "s390x", "amd64", "arm64", "universal2", "win32"];
    if platform.starts_with("macosx") || platform.starts_with("win") {
        return platform.split('_').next().unwrap_or(platform).to_string();
    }
    ARCHES
        .iter()
        .find_map(|arch| platform.strip_suffix(arch))
        .map_or(platform, |head| head.trim_end_matches('_'))
        .to_string()
}

/// A short, sorted, de-duplicated list: `a, b, c` or `a, b, c and 4 more`.
fn summarize(items: impl Iterator<Item = String>) -> String {
    let set: BTreeSet<String> = items.filter(|s| !s.is_empty()).collect();
    let shown: Vec<&str> = set.iter().take(3).map(String::as_str).collect();
    let mut out = shown.join(", ");
    if set.len() > 3 {
        out.push_str(&format!(" and {} more", set.len() - 3));
    }
    out
}

fn yank_note(why: &str) -> String {
    if why.trim().is_empty() { "; yanked".to_string() } else { format!("; yanked: {}", why.trim()) }
}

fn yank_note_of(files: &[&Entry]) -> String {
    files.iter().find_map(|e| e.file.yanked.as_deref().filter(|w| !w.trim().is_empty())).map_or(String::new(), |w| format!(" ({})", w.trim()))
}
