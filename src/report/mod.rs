//! The report: a serde model (JSON is its serialisation, DESIGN.md schema_version 1) and the renderers that
//! turn it into text. Nothing here computes a verdict, and nothing here prints.

mod terminal;

use std::collections::BTreeMap;

use serde::Serialize;

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

#[derive(Debug, Serialize)]
pub struct TargetInfo {
    pub id: String,
    pub python: String,
    pub libc: &'static str,
    pub libc_version: String,
    pub arch: &'static str,
}

impl From<&Target> for TargetInfo {
    fn from(t: &Target) -> Self {
        TargetInfo {
            id: t.id(),
            python: t.python.to_string(),
            libc: t.libc.name(),
            libc_version: t.libc.version(),
            arch: t.arch.as_str(),
        }
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
        for package in &self.packages {
            for (id, verdict) in &package.targets {
                summary.entry(id.clone()).or_default().add(verdict.outcome);
            }
        }
        self.summary = summary;
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
