//! Why pip installs no file, or no wheel, on the target: the verdict when no file can be installed, the class
//! of files a release ships as seen from the target, why a release has no wheel for it, and the advice that
//! points at the nearest release with one.

use std::collections::{BTreeSet, HashMap};

use super::{Catalog, Entry, Policy, SDIST_ONLY};
use crate::dist::{DistFile, WheelName};
use crate::pep::{Version, VersionSpecifiers, filter_versions};
use crate::target::{Arch, Libc};
use crate::verdict::{Class, Outcome, Verdict};

impl<'p> Catalog<'p> {
    /// No file can be installed: the project lacks a matching release (`missing`), or pip fails.
    pub(super) fn nothing(
        &self,
        specifiers: &VersionSpecifiers,
        policy: Policy,
        rejected: &HashMap<String, String>,
    ) -> Verdict {
        let all: BTreeSet<&Version> = self.entries.iter().map(|e| e.dist.version()).collect();
        let Some(wanted) = filter_versions(specifiers, all.iter().copied(), policy.allow_pre)
            .into_iter()
            .max()
        else {
            let reason = if all.is_empty() {
                format!("{} has no files on the index", self.project)
            } else if specifiers.is_empty() {
                format!("no release of {} matches", self.project)
            } else {
                format!("no release of {} matches {specifiers}", self.project)
            };
            let mut verdict = Verdict::bare(Outcome::Missing, reason);
            // The releases there are, newest first, so the pin can be fixed without a look at the index.
            let newest: Vec<String> = all.iter().rev().take(3).map(|v| v.to_string()).collect();
            if !newest.is_empty() {
                verdict.advice.push(format!(
                    "the newest releases on the index: {}",
                    newest.join(", ")
                ));
            }
            return verdict;
        };
        let files: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.dist.version() == wanted)
            .collect();
        let reason = if let Some(why) = files.iter().find_map(|e| rejected.get(e.file.filename())) {
            format!("{why}; pip skips {wanted} and no other release fits")
        } else if files.iter().all(|e| e.file.yanked().is_some()) {
            format!("every file of {wanted} is yanked{}", yank_note_of(&files))
        } else if files
            .iter()
            .any(|e| !e.python_ok && self.fits_ignoring_python(e, policy))
        {
            let rp = files
                .iter()
                .find_map(|e| e.file.requires_python().map(str::to_string))
                .unwrap_or_default();
            format!(
                "requires-python {rp} excludes Python {}; pip fails",
                self.target.python
            )
        } else {
            let has_sdist = files
                .iter()
                .any(|e| matches!(e.dist, DistFile::Sdist { .. }));
            let sdist = if has_sdist {
                "--only-binary excludes the sdist"
            } else {
                "no sdist"
            };
            let wheel = self.why_no_wheel(wanted, policy);
            if files.is_empty() {
                format!("{wanted} has no files; pip fails")
            } else if wheel == SDIST_ONLY {
                format!("{sdist} and no wheels; pip fails")
            } else {
                format!("{sdist} and {wheel}; pip fails")
            }
        };
        let mut verdict = Verdict::bare(Outcome::Fail, reason);
        verdict.class = Some(self.classify(wanted));
        verdict.version = Some(wanted.to_string());
        verdict.advice = self.wheel_advice(wanted, specifiers);
        verdict
    }

    /// The `class` of docs/design.md for one release.
    pub(super) fn classify(&self, version: &Version) -> Class {
        let wheels = self.wheels_of(version);
        let compatible = || wheels.iter().filter(|w| w.best_rank(self.ranks).is_some());
        let on = |prefixes: &[&str]| {
            wheels.iter().any(|w| {
                w.platforms()
                    .any(|p| prefixes.iter().any(|x| p.starts_with(x)))
            })
        };
        // A plain `linux_` wheel (private indexes only) is built against the builder's own C library: on a
        // glibc target it counts with the manylinux ones, on musl with the other Linux wheels.
        let (own, other, other_class): (&[&str], &[&str], Class) = match self.target.libc {
            Libc::Musl(_) => (
                &["musllinux"],
                &["manylinux", "linux"],
                Class::ManylinuxOnly,
            ),
            Libc::Glibc(_) => (
                &["manylinux", "linux"],
                &["musllinux"],
                Class::MusllinuxOnly,
            ),
        };
        if compatible().any(|w| w.best_tag(self.ranks).is_some_and(|t| t.2 == "any")) {
            Class::PurePython
        } else if compatible().next().is_some() {
            self.binary_class()
        } else if on(own) {
            match self.target.libc {
                Libc::Musl(_) => Class::MusllinuxOther,
                Libc::Glibc(_) => Class::ManylinuxOther,
            }
        } else if on(other) {
            other_class
        } else if !wheels.is_empty() {
            Class::NoLinux
        } else if self.entries.iter().any(|e| e.dist.version() == version) {
            Class::SdistOnly
        } else {
            Class::NoFiles
        }
    }

    /// The class of a compatible binary wheel on this target's C library.
    pub(super) fn binary_class(&self) -> Class {
        match self.target.libc {
            Libc::Musl(_) => Class::Musllinux,
            Libc::Glibc(_) => Class::Manylinux,
        }
    }

    /// Why no wheel of `version` fits the target: the closest miss, in a few words.
    pub(super) fn why_no_wheel(&self, version: &Version, policy: Policy) -> String {
        let arch = self.target.arch.as_str();
        let family = self.target.libc.family();
        let wheels = self.wheels_of(version);
        if !policy.allow_wheel {
            return "--no-binary excludes wheels".to_string();
        }
        if wheels.is_empty() {
            return SDIST_ONLY.to_string();
        }
        let is_own = |w: &&WheelName| w.platforms().any(|p| p.starts_with(family));
        let own: Vec<&WheelName> = wheels.iter().copied().filter(is_own).collect();
        if !own.is_empty() {
            let for_arch: Vec<&WheelName> = own
                .iter()
                .copied()
                .filter(|w| w.platforms().any(|p| platform_arch(p) == Some(arch)))
                .collect();
            if for_arch.is_empty() {
                let arches = summarize(own.iter().flat_map(|w| {
                    w.platforms()
                        .filter(|p| p.starts_with(family))
                        .filter_map(platform_arch)
                        .map(str::to_string)
                }));
                return format!("no {family} wheel for {arch} (only {arches})");
            }
            let pythons = summarize(
                for_arch
                    .iter()
                    .map(|w| format!("{}-{}", w.python(), w.abi())),
            );
            // The Python fits but the C library is too old for every wheel (manylinux_2_39 on glibc 2.36): the
            // wheel's interpreter and ABI would be taken on the target's own best platform.
            let best_platform = self.target.platforms().swap_remove(0);
            let python_fits = for_arch.iter().any(|w| {
                w.tags()
                    .any(|(py, abi, _)| self.ranks.rank(py, abi, &best_platform).is_some())
            });
            if python_fits {
                let needs = summarize(
                    for_arch
                        .iter()
                        .flat_map(|w| w.platforms().map(platform_family)),
                );
                return format!("no {family} wheel for {} (only {needs})", self.target.libc);
            }
            return format!(
                "no {family} wheel for {} on {} (only {pythons})",
                self.target.interpreter(),
                self.target.libc
            );
        }
        // Only pure-Python wheels, none for this Python (`py2-none-any`): no platform is missing.
        if wheels.iter().all(|w| w.platforms().all(|p| p == "any")) {
            let pythons = summarize(wheels.iter().map(|w| w.python().to_string()));
            return format!(
                "no wheel for {} (pure-Python wheels for {pythons} only)",
                self.target.interpreter()
            );
        }
        let families = summarize(
            wheels
                .iter()
                .flat_map(|w| w.platforms().map(platform_family)),
        );
        let linux = wheels.iter().any(|w| {
            w.platforms().any(|p| {
                p.starts_with("manylinux") || p.starts_with("musllinux") || p.starts_with("linux")
            })
        });
        if linux {
            format!("no {family} wheel ({families} wheels only)")
        } else {
            format!("no Linux wheel ({families} wheels only)")
        }
    }

    /// The wheels of one release, in page order.
    fn wheels_of(&self, version: &Version) -> Vec<&WheelName> {
        self.entries
            .iter()
            .filter(|e| e.dist.version() == version)
            .filter_map(|e| match &e.dist {
                DistFile::Wheel(w) => Some(w),
                DistFile::Sdist { .. } => None,
            })
            .collect()
    }

    /// Where a wheel for this target can be had instead: the first release after `version` that ships one
    /// (and whether the requirement admits it), the oldest and newest that do, and whether the newest release
    /// of all still ships none. Pre-releases count only when `version` is one.
    pub(super) fn wheel_advice(
        &self,
        version: &Version,
        specifiers: &VersionSpecifiers,
    ) -> Vec<String> {
        let counts = |v: &Version| !v.any_prerelease() || version.any_prerelease();
        let with_wheel: BTreeSet<&Version> = self
            .entries
            .iter()
            .filter(|e| e.rank.is_some() && e.python_ok && e.file.yanked().is_none())
            .map(|e| e.dist.version())
            .filter(|v| counts(v))
            .collect();
        let project = &self.project;
        let family = self.target.libc.family();
        let (Some(oldest), Some(newest)) = (with_wheel.first(), with_wheel.last()) else {
            return vec![format!(
                "no release of {project} listed on the index has a {family} or pure-Python wheel for this \
                 target"
            )];
        };
        let span = if oldest == newest {
            format!("only {oldest} has one")
        } else {
            format!("oldest with one: {oldest}, newest: {newest}")
        };
        let mut advice = Vec::new();
        match with_wheel.iter().find(|v| **v > version) {
            Some(first) => {
                let mut line = format!(
                    "{project} {first} is the first release after {version} with a wheel for this target \
                     ({span})"
                );
                if !specifiers.is_empty() && !specifiers.contains(first) {
                    line.push_str(&format!(
                        "; the requirement {project}{specifiers} excludes it"
                    ));
                }
                advice.push(line);
            }
            None if newest < &version => advice.push(format!(
                "{project} {newest} (older) is the newest release with a wheel for this target ({span})"
            )),
            // This very release has one that pip would not take (yanked, or excluded by an option).
            None => {}
        }
        let newest_release = self
            .entries
            .iter()
            .filter(|e| e.file.yanked().is_none())
            .map(|e| e.dist.version())
            .filter(|v| counts(v))
            .max();
        if let Some(latest) = newest_release.filter(|v| !with_wheel.contains(v) && *v != version) {
            advice.push(format!(
                "the newest release, {project} {latest}, still has no wheel for this target"
            ));
        }
        advice
    }
}

/// The architecture a platform tag ends with (`manylinux2014_x86_64` → `x86_64`), when it is one muslcheck
/// knows.
fn platform_arch(platform: &str) -> Option<&'static str> {
    Arch::ALL.iter().map(|a| a.as_str()).find(|a| {
        platform
            .strip_suffix(a)
            .is_some_and(|head| head.ends_with('_'))
    })
}

/// A platform tag without its architecture: `musllinux_1_2_x86_64` → `musllinux_1_2`,
/// `manylinux2014_x86_64` → `manylinux2014`; every `macosx_*` is `macosx` and every `win*` is `win`.
pub(super) fn platform_family(platform: &str) -> String {
    const ARCHES: [&str; 10] = [
        "x86_64",
        "aarch64",
        "armv7l",
        "i686",
        "ppc64le",
        "s390x",
        "amd64",
        "arm64",
        "universal2",
        "win32",
    ];
    if platform.starts_with("macosx") {
        return "macosx".to_string();
    }
    if platform.starts_with("win") {
        return "win".to_string();
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

pub(super) fn yank_note(why: &str) -> String {
    if why.trim().is_empty() {
        "; yanked".to_string()
    } else {
        format!("; yanked: {}", why.trim())
    }
}

fn yank_note_of(files: &[&Entry]) -> String {
    files
        .iter()
        .find_map(|e| e.file.yanked().filter(|w| !w.trim().is_empty()))
        .map_or(String::new(), |w| format!(" ({})", w.trim()))
}
