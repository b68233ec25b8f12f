//! The report: a serde model (JSON is its serialisation, docs/design.md schema_version 1) and the renderers that
//! turn it into text. Nothing here computes a verdict, and nothing here prints.

mod build;
mod compare;
mod emit;
mod gate;
mod github;
mod html;
mod markdown;
mod sarif;
mod terminal;
mod visible;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use build::build as build_report;
pub use compare::{Compare, compare as compare_targets};
pub use emit::{apk as emit_apk, dockerfile as emit_dockerfile};
pub use gate::{FailOn, IgnoreEntry, exit_code, today};
pub use github::render as render_github;
pub use html::render as render_html;
pub use markdown::render as render_markdown;
pub use sarif::render as render_sarif;
pub use terminal::render as render_terminal;
pub use visible::no_workflow_commands;

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
        if !verdict.downloads() {
            return;
        }
        self.files += 1;
        match verdict.size {
            // Saturating: sizes come from the index, which may claim anything.
            Some(size) => self.bytes = self.bytes.saturating_add(size),
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

/// The outcomes a reviewer has to act on: pip builds from source, fails, finds nothing, or was not asked.
pub fn is_problem(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Fail | Outcome::Missing | Outcome::Build | Outcome::Unknown
    )
}

/// A compact symbol and word for a table cell.
pub fn outcome_cell(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Wheel => "✓ wheel",
        Outcome::Build => "⚙ build",
        Outcome::Fail => "✗ fail",
        Outcome::Missing => "✗ missing",
        Outcome::Unknown => "? unknown",
        Outcome::Skip => "· skip",
    }
}

/// What pip does, as a sentence reads it: `torch 2.5.1 fails on …`.
pub fn outcome_verb(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Build => "builds from source",
        Outcome::Fail => "fails",
        Outcome::Missing => "is missing from the index",
        Outcome::Unknown => "could not be checked",
        Outcome::Wheel => "installs a wheel",
        Outcome::Skip => "is skipped",
    }
}

impl Package {
    /// The project name, or the requirement text for a line that names no project.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| self.requirement.clone())
    }

    /// The chosen version when every target chose the same one, `varies` when they differ, `-` for none.
    pub fn version_text(&self) -> String {
        let versions: std::collections::BTreeSet<&str> = self
            .targets
            .values()
            .filter_map(|v| v.version.as_deref())
            .collect();
        match versions.len() {
            0 => "-".to_string(),
            1 => versions.into_iter().next().unwrap_or("-").to_string(),
            _ => "varies".to_string(),
        }
    }

    /// The package's worst outcome over all targets, as a sort key (problems first).
    pub fn worst_rank(&self) -> u8 {
        self.targets
            .values()
            .map(|v| v.outcome.severity_rank())
            .min()
            .unwrap_or(u8::MAX)
    }

    pub fn has_problem(&self) -> bool {
        self.targets.values().any(|v| is_problem(v.outcome))
    }

    /// Where the requirement comes from: `path:line`, or for a project only the dependency tree names, the
    /// shortest chain that pulled it in (`← thinc ← spacy`).
    pub fn at(&self) -> String {
        match self.via() {
            Some(chain) => format!("← {chain}"),
            None => format!("{}:{}", self.source.path, self.source.line),
        }
    }

    /// The first chain, on the first target that has one, that brought in a project of the dependency tree.
    pub fn via(&self) -> Option<String> {
        self.targets
            .values()
            .find_map(|v| v.via.first())
            .map(|chain| chain.join(" ← "))
    }
}

impl ErrorEntry {
    /// `path:line:column`, as far as the parser knew.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.path),
            (Some(l), None) => format!("{}:{l}", self.path),
            _ => self.path.clone(),
        }
    }
}

/// The verdicts of one package that say the same thing (outcome, version, reason and advice), with the
/// targets they hold on, as indexes into `Report::targets`.
pub struct ProblemGroup<'r> {
    pub verdict: &'r Verdict,
    pub targets: Vec<usize>,
    /// The advice of the group's verdicts, each line once: a line that only some of the targets give is
    /// followed by their labels.
    pub advice: Vec<String>,
}

impl Report {
    /// Every package, problems first (by the worst outcome over the targets), input order within.
    pub fn packages_by_severity(&self) -> Vec<&Package> {
        let mut packages: Vec<(usize, &Package)> = self.packages.iter().enumerate().collect();
        packages.sort_by_key(|(i, package)| (package.worst_rank(), *i));
        packages.into_iter().map(|(_, p)| p).collect()
    }

    /// The problem verdicts of one package grouped by what they say (outcome, version, reason, ignore), in
    /// target order: one alert for a problem every target has, whatever advice each target adds.
    pub fn problem_groups<'r>(&'r self, package: &'r Package) -> Vec<ProblemGroup<'r>> {
        let mut groups: Vec<(ProblemGroup, Vec<&Verdict>)> = Vec::new();
        for (i, target) in self.targets.iter().enumerate() {
            let Some(v) = package.targets.get(&target.id) else {
                continue;
            };
            if !is_problem(v.outcome) {
                continue;
            }
            match groups.iter_mut().find(|(g, _)| {
                g.verdict.outcome == v.outcome
                    && g.verdict.reason == v.reason
                    && g.verdict.version == v.version
                    && g.verdict.ignored == v.ignored
            }) {
                Some((group, members)) => {
                    group.targets.push(i);
                    members.push(v);
                }
                None => groups.push((
                    ProblemGroup {
                        verdict: v,
                        targets: vec![i],
                        advice: Vec::new(),
                    },
                    vec![v],
                )),
            }
        }
        let labels = self.labels();
        groups
            .into_iter()
            .map(|(mut group, members)| {
                let mut lines: Vec<&String> = Vec::new();
                for line in members.iter().flat_map(|v| &v.advice) {
                    if !lines.contains(&line) {
                        lines.push(line);
                    }
                }
                group.advice = lines
                    .into_iter()
                    .map(|line| {
                        let given: Vec<&str> = group
                            .targets
                            .iter()
                            .zip(&members)
                            .filter(|(_, v)| v.advice.contains(line))
                            .map(|(i, _)| labels[*i].as_str())
                            .collect();
                        if given.len() == members.len() {
                            line.clone()
                        } else {
                            format!("{line} ({})", given.join(", "))
                        }
                    })
                    .collect();
                group
            })
            .collect()
    }

    /// The short label of each target (see `short_labels`), in target order.
    pub fn labels(&self) -> Vec<String> {
        short_labels(&self.targets)
    }

    /// Target id → short label.
    pub fn label_map(&self) -> BTreeMap<&str, String> {
        self.targets
            .iter()
            .map(|t| t.id.as_str())
            .zip(self.labels())
            .collect()
    }

    /// The index as a person reads it: the default one is named, not spelled out.
    pub fn index_text(&self) -> &str {
        if self.index == crate::index::DEFAULT_INDEX_URL {
            "PyPI (default)"
        } else {
            &self.index
        }
    }

    /// `N requirements: 40 wheel · 3 build · … · download 123.4 MB` for one target; `paint` decorates the
    /// count of each outcome (colour, bold), given the outcome and its text.
    pub fn summary_line(
        &self,
        id: &str,
        paint: impl Fn(Outcome, usize, String) -> String,
    ) -> String {
        let Some(summary) = self.summary.get(id) else {
            return String::new();
        };
        let counts: Vec<String> = Outcome::ALL
            .iter()
            .map(|o| {
                let n = summary.get(*o);
                paint(*o, n, format!("{n} {}", o.as_str()))
            })
            .collect();
        // A project the tree adds is one on every target, in it or not, so that the targets' counts agree.
        let pulled_in = self
            .packages
            .iter()
            .filter(|p| p.targets.values().any(|v| !v.via.is_empty()))
            .count();
        let what = if pulled_in > 0 {
            format!(
                "{} requirements + {pulled_in} dependencies",
                summary.total() - pulled_in
            )
        } else {
            format!("{} requirements", summary.total())
        };
        let mut line = format!("{what}: {}", counts.join(" · "));
        if let Some(download) = self.download.get(id) {
            line.push_str(&format!(" · download {}", download.text()));
        }
        line
    }

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

    /// Takes the credentials out of every URL the report quotes: requirement lines, reasons, advice, errors
    /// and warnings may repeat a URL the user wrote with `user:password@`, an index its own.
    pub fn redact(&mut self) {
        for text in self.texts_mut() {
            *text = crate::index::redact_text(text);
        }
    }

    /// Makes every text of the report show as text in a terminal, a CI log or Markdown: control characters
    /// that came from an index or a checkout are written as escapes (see [`visible`]). For every format but
    /// JSON and SARIF, which escape in their own way.
    pub fn make_visible(&mut self) {
        for text in self.texts_mut() {
            *text = visible::visible(text);
        }
    }

    /// Every text of the report that may hold what came from outside (an index, a checkout, the user).
    fn texts_mut(&mut self) -> Vec<&mut String> {
        let mut out: Vec<&mut String> = vec![&mut self.index];
        out.extend(&mut self.extra_index_urls);
        out.extend(self.targets.iter_mut().filter_map(|t| t.image.as_mut()));
        for package in &mut self.packages {
            out.extend(package.name.as_mut());
            out.extend(package.version.as_mut());
            out.push(&mut package.requirement);
            out.push(&mut package.source.path);
            out.extend(package.source.key.as_mut());
            for verdict in package.targets.values_mut() {
                out.extend(verdict.version.as_mut());
                out.extend(verdict.file.as_mut());
                out.push(&mut verdict.reason);
                out.extend(&mut verdict.advice);
                out.extend(verdict.via.iter_mut().flatten());
                out.extend(verdict.blocked_by.iter_mut().flatten());
                out.extend(&mut verdict.needed_only_by);
                out.extend(verdict.ignored.as_mut().map(|i| &mut i.reason));
            }
        }
        for error in &mut self.errors {
            out.push(&mut error.path);
            out.push(&mut error.message);
        }
        if let Some(compare) = &mut self.compare {
            for change in &mut compare.changes {
                out.push(&mut change.name);
                out.push(&mut change.requirement);
                out.extend(change.from_file.as_mut());
                out.extend(change.to_file.as_mut());
                out.push(&mut change.reason);
            }
            out.push(&mut compare.summary);
        }
        if let Some(apk) = &mut self.apk {
            out.extend(&mut apk.covers);
            out.extend(&mut apk.unknown);
        }
        out.extend(&mut self.warnings);
        out.extend(&mut self.notes);
        out
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
pub(crate) mod tests;

#[cfg(test)]
mod label_tests {
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
