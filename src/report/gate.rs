//! The exit gate: which verdicts fail a run (`--fail-on`, less what the ignore list accepts) and the exit code
//! a finished report ends the run with.

use std::str::FromStr;

use super::Report;
use crate::exit::Exit;
use crate::verdict::{Ignored, Outcome};

/// The lowest outcome that makes the exit code 1 (`--fail-on`, `fail-on` in the settings file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// build, fail or missing.
    #[default]
    Build,
    /// fail or missing.
    Fail,
    Never,
}

/// `build`, `fail` or `never`, in any case (as the flag's values are matched).
impl FromStr for FailOn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        [
            ("build", FailOn::Build),
            ("fail", FailOn::Fail),
            ("never", FailOn::Never),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, gate)| gate)
        .ok_or_else(|| "expected build, fail or never".to_string())
    }
}

/// One ignore-list entry: a project whose problems are known and accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoreEntry {
    /// PEP 503 normalized.
    pub name: String,
    pub reason: String,
    /// `YYYY-MM-DD`; from that day on the entry no longer applies.
    pub expires: Option<String>,
    /// Where the entry is written: `muslcheck.toml:7`.
    pub at: String,
}

impl IgnoreEntry {
    /// Whether the entry has expired on `today` (`YYYY-MM-DD`, compared as text: the format sorts by date).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e <= today)
    }
}

impl Report {
    /// Marks the problem verdicts (build, fail, missing) of every package an unexpired ignore entry names, so
    /// the gate passes over them; returns a warning for each entry that expired or names no package.
    pub fn apply_ignores(&mut self, entries: &[IgnoreEntry], today: &str) -> Vec<String> {
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
                    verdict.ignored = Some(Ignored {
                        reason: entry.reason.clone(),
                        expires: entry.expires.clone(),
                    });
                }
            }
        }
        warnings
    }
}

/// docs/design.md: 2 (bad input) before 1 (the gate) before 3 (unknown lookups).
pub fn exit_code(report: &Report, fail_on: FailOn) -> Exit {
    let outcomes = || {
        report
            .packages
            .iter()
            .flat_map(|p| p.targets.values())
            .filter(|v| v.ignored.is_none())
            .map(|v| v.outcome)
    };
    let gate = |o: Outcome| match fail_on {
        FailOn::Build => matches!(o, Outcome::Build | Outcome::Fail | Outcome::Missing),
        FailOn::Fail => matches!(o, Outcome::Fail | Outcome::Missing),
        FailOn::Never => false,
    };
    if !report.errors.is_empty() {
        Exit::Usage
    } else if outcomes().any(gate) {
        Exit::Gate
    } else if outcomes().any(|o| o == Outcome::Unknown) {
        Exit::Unknown
    } else {
        Exit::Ok
    }
}

/// Today as `YYYY-MM-DD` (UTC), from the system clock: the civil date of the days since 1970-01-01
/// (Howard Hinnant's algorithm).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(20_780), "2026-11-23");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(today().len(), 10);
    }
}
