//! The report: a serde model (JSON is its serialisation, DESIGN.md schema_version 1) and the renderers that
//! turn it into text. Nothing here computes a verdict, and nothing here prints.

mod compare;
mod emit;
mod terminal;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use compare::{Compare, compare as compare_targets};
pub use emit::dockerfile as emit_dockerfile;
pub use terminal::render as render_terminal;

use crate::input::InputError;
use crate::target::Target;
use crate::verdict::{Outcome, Verdict};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The index asked, credentials removed.
    pub index: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_index_urls: Vec<String>,
    pub targets: Vec<TargetInfo>,
    pub packages: Vec<Package>,
    pub errors: Vec<ErrorEntry>,
    pub summary: BTreeMap<String, Summary>,
    /// Per target, the summed size of the files pip would download (the chosen wheel or sdist of each package).
    pub download: BTreeMap<String, Download>,
    /// The current image against the proposed one, when the run compares two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
    /// The Alpine packages that building the `build` verdicts needs, when any package builds from source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apk: Option<ApkPlan>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// How the inputs and the target were chosen (files read, the Python taken from requires-python).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "muslcheck",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub id: String,
    pub python: String,
    pub libc: &'static str,
    pub libc_version: String,
    pub arch: &'static str,
    /// The image this target stands for, when an image or a Dockerfile named it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl TargetInfo {
    pub fn new(t: &Target, image: Option<String>) -> Self {
        TargetInfo {
            id: t.id(),
            python: t.python.to_string(),
            libc: t.libc.name(),
            libc_version: t.libc.version(),
            arch: t.arch.as_str(),
            image,
        }
    }
}

/// What to `apk add` on Alpine so that every package that builds from source can: one build-time line (a
/// virtual package removed after `pip install`) and one run-time line.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ApkPlan {
    /// Packages installed only while building (`gcc`, `musl-dev`, `postgresql-dev` …), sorted.
    pub build: Vec<String>,
    /// Packages the built extensions need at run time (`libpq` …), sorted.
    pub run: Vec<String>,
    /// `apk add --no-cache --virtual .build-deps gcc musl-dev …`
    pub build_command: String,
    /// `apk add --no-cache libpq …` (empty when nothing is needed at run time).
    pub run_command: String,
    /// The packages (PEP 503 names) that build from source on some target and are covered.
    pub covers: Vec<String>,
    /// Packages that build from source but that muslcheck's knowledge base does not know: their build
    /// dependencies are not in the lines above.
    pub unknown: Vec<String>,
}

/// Short column labels for several targets: only the parts that differ between them (`3.12 x86_64`,
/// `glibc aarch64`), with more parts added until no two are alike; the whole id when they are all alike.
/// One part of a label: the Python, the C library, the architecture.
type Part<'a> = &'a dyn Fn(&TargetInfo) -> String;

pub fn short_labels(targets: &[TargetInfo]) -> Vec<String> {
    let varies = |f: &dyn Fn(&TargetInfo) -> String| targets.iter().any(|t| f(t) != f(&targets[0]));
    let python = |t: &TargetInfo| t.python.clone();
    let libc = |t: &TargetInfo| t.libc.to_string();
    let libc_version = |t: &TargetInfo| format!("{} {}", t.libc, t.libc_version);
    let arch = |t: &TargetInfo| t.arch.to_string();
    // Coarse to fine: the libc name alone, then with its version when that is what tells two apart.
    let candidates: [Vec<Part>; 2] = [
        vec![&python, &libc, &arch],
        vec![&python, &libc_version, &arch],
    ];
    for parts in candidates {
        let used: Vec<&Part> = parts.iter().filter(|f| varies(**f)).collect();
        if used.is_empty() {
            break;
        }
        let labels: Vec<String> = targets
            .iter()
            .map(|t| used.iter().map(|f| f(t)).collect::<Vec<_>>().join(" "))
            .collect();
        let unique: BTreeSet<&String> = labels.iter().collect();
        if unique.len() == labels.len() {
            return labels;
        }
    }
    targets.iter().map(|t| t.id.clone()).collect()
}

/// What pip would download on one target: the chosen file of every package that installs or builds.
#[derive(Debug, Default, Serialize, Clone, Copy, PartialEq, Eq)]
pub struct Download {
    /// Summed size in bytes of the files whose size the index gives.
    pub bytes: u64,
    pub files: usize,
    /// Files the index gives no size for (PEP 503 pages may not): `bytes` is then a lower bound.
    pub files_without_size: usize,
}

impl Download {
    pub fn add(&mut self, verdict: &Verdict) {
        if verdict.file.is_none() || !matches!(verdict.outcome, Outcome::Wheel | Outcome::Build) {
            return;
        }
        self.files += 1;
        match verdict.size {
            Some(size) => self.bytes += size,
            None => self.files_without_size += 1,
        }
    }

    /// `123.4 MB`, or `≥ 123.4 MB` when some files had no size.
    pub fn text(&self) -> String {
        let mb = format_mb(self.bytes);
        if self.files_without_size > 0 {
            format!("≥ {mb}")
        } else {
            mb
        }
    }
}

/// Decimal megabytes with one decimal, as pip prints download sizes (kilobytes below 0.1 MB).
pub fn format_mb(bytes: u64) -> String {
    if bytes < 100_000 {
        format!("{:.1} kB", bytes as f64 / 1_000.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

#[derive(Debug, Serialize)]
pub struct Package {
    /// PEP 503 normalized; null for a path or URL requirement that names no project.
    pub name: Option<String>,
    /// The chosen version on the first target (null when none).
    pub version: Option<String>,
    pub requirement: String,
    pub source: Source,
    pub targets: BTreeMap<String, Verdict>,
}

#[derive(Debug, Serialize)]
pub struct Source {
    pub path: String,
    pub line: usize,
    /// The TOML key path, for TOML and lock files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ErrorEntry {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl From<&InputError> for ErrorEntry {
    fn from(e: &InputError) -> Self {
        ErrorEntry {
            path: e.path.clone(),
            line: e.line,
            column: e.column,
            message: e.message.clone(),
        }
    }
}

/// Counts of each outcome on one target, every outcome present.
#[derive(Debug, Default, Serialize, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub wheel: usize,
    pub build: usize,
    pub fail: usize,
    pub skip: usize,
    pub missing: usize,
    pub unknown: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: Outcome) {
        *self.slot(outcome) += 1;
    }

    pub fn get(&self, outcome: Outcome) -> usize {
        let mut copy = *self;
        *copy.slot(outcome)
    }

    fn slot(&mut self, outcome: Outcome) -> &mut usize {
        match outcome {
            Outcome::Wheel => &mut self.wheel,
            Outcome::Build => &mut self.build,
            Outcome::Fail => &mut self.fail,
            Outcome::Skip => &mut self.skip,
            Outcome::Missing => &mut self.missing,
            Outcome::Unknown => &mut self.unknown,
        }
    }

    pub fn total(&self) -> usize {
        Outcome::ALL.iter().map(|o| self.get(*o)).sum()
    }
}

impl Report {
    /// Fills `summary` from the packages' verdicts.
    pub fn summarize(&mut self) {
        let mut summary: BTreeMap<String, Summary> = self
            .targets
            .iter()
            .map(|t| (t.id.clone(), Summary::default()))
            .collect();
        let mut download: BTreeMap<String, Download> = self
            .targets
            .iter()
            .map(|t| (t.id.clone(), Download::default()))
            .collect();
        for package in &self.packages {
            for (id, verdict) in &package.targets {
                summary.entry(id.clone()).or_default().add(verdict.outcome);
                download.entry(id.clone()).or_default().add(verdict);
            }
        }
        self.summary = summary;
        self.download = download;
    }

    /// Marks the problem verdicts (build, fail, missing) of every package an unexpired ignore entry names, so
    /// the gate passes over them; returns a warning for each entry that expired or names no package.
    pub fn apply_ignores(
        &mut self,
        entries: &[crate::config::IgnoreEntry],
        today: &str,
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        for entry in entries {
            let named = self
                .packages
                .iter()
                .any(|p| p.name.as_deref() == Some(entry.name.as_str()));
            if entry.expired(today) {
                warnings.push(format!(
                    "the ignore entry for {} ({}) expired on {}: its problems count again",
                    entry.name,
                    entry.at,
                    entry.expires.as_deref().unwrap_or_default()
                ));
                continue;
            }
            if !named {
                warnings.push(format!(
                    "the ignore entry for {} ({}) names no package of the input",
                    entry.name, entry.at
                ));
                continue;
            }
            let packages = self
                .packages
                .iter_mut()
                .filter(|p| p.name.as_deref() == Some(entry.name.as_str()));
            for verdict in packages.flat_map(|p| p.targets.values_mut()) {
                if matches!(
                    verdict.outcome,
                    Outcome::Build | Outcome::Fail | Outcome::Missing
                ) {
                    verdict.ignored = Some(crate::verdict::Ignored {
                        reason: entry.reason.clone(),
                        expires: entry.expires.clone(),
                    });
                }
            }
        }
        warnings
    }

    /// Takes the credentials out of every URL the report quotes: requirement lines, reasons, advice, errors
    /// and warnings may repeat a URL the user wrote with `user:password@`.
    pub fn redact(&mut self) {
        let redact = crate::index::redact_text;
        for package in &mut self.packages {
            package.requirement = redact(&package.requirement);
            for verdict in package.targets.values_mut() {
                verdict.reason = redact(&verdict.reason);
                verdict.advice.iter_mut().for_each(|a| *a = redact(a));
            }
        }
        self.errors
            .iter_mut()
            .for_each(|e| e.message = redact(&e.message));
        self.warnings.iter_mut().for_each(|w| *w = redact(w));
        self.notes.iter_mut().for_each(|n| *n = redact(n));
    }

    pub fn to_json(&self) -> String {
        // The model holds only strings, numbers and maps with string keys: serialisation cannot fail.
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

/// A package named `name` from `requirements.txt:1` with the given verdict per target id (unit tests).
#[cfg(test)]
pub fn test_package(name: &str, cells: &[(&str, Verdict)]) -> Package {
    Package {
        name: Some(name.to_string()),
        version: None,
        requirement: name.to_string(),
        source: Source {
            path: "requirements.txt".into(),
            line: 1,
            key: None,
        },
        targets: cells
            .iter()
            .map(|(id, v)| (id.to_string(), v.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::{Libc, Target};

    fn info(python: &str, libc: Libc, arch: &str) -> TargetInfo {
        let target = Target {
            python: python.parse().unwrap(),
            libc,
            arch: arch.parse().unwrap(),
        };
        TargetInfo::new(&target, None)
    }

    #[test]
    fn short_labels_name_what_differs_and_never_collide() {
        let musl = |v: &str| Libc::Musl(v.parse().unwrap());
        let glibc = |v: &str| Libc::Glibc(v.parse().unwrap());
        let matrix = [
            info("3.11", musl("1.2"), "x86_64"),
            info("3.11", musl("1.2"), "aarch64"),
            info("3.12", musl("1.2"), "x86_64"),
        ];
        assert_eq!(
            short_labels(&matrix),
            ["3.11 x86_64", "3.11 aarch64", "3.12 x86_64"]
        );
        let mixed = [
            info("3.11", musl("1.1"), "x86_64"),
            info("3.11", musl("1.2"), "x86_64"),
            info("3.11", glibc("2.36"), "x86_64"),
        ];
        assert_eq!(short_labels(&mixed), ["musl 1.1", "musl 1.2", "glibc 2.36"]);
        let one = [info("3.12", musl("1.2"), "x86_64")];
        assert_eq!(short_labels(&one), ["cp312-musllinux_1_2_x86_64"]);
    }

    #[test]
    fn sizes_in_megabytes_or_kilobytes() {
        assert_eq!(format_mb(60_812_345), "60.8 MB");
        assert_eq!(format_mb(45_000), "45.0 kB");
    }
}
