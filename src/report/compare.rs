//! The current image against the proposed one: per package, what changes from one side's target to its pair
//! on the other side (wheel → build, wheel → fail …), the download sizes of both, and one summary line a
//! reviewer can paste into a pull request.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Download, Package, format_mb};
use crate::verdict::Outcome;

#[derive(Debug, Clone, Serialize)]
pub struct Compare {
    /// The current image (`python:3.12-slim`).
    pub from: String,
    /// The proposed image (`python:3.12-alpine`).
    pub to: String,
    pub pairs: Vec<Pair>,
    /// Every package whose outcome differs between the two targets of a pair, in input order.
    pub changes: Vec<Change>,
    /// How many packages get worse (or better) on at least one pair.
    pub counts: Counts,
    /// One line for a pull request: what switching does.
    pub summary: String,
}

/// One target of the current image and its counterpart on the proposed one.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub from: String,
    pub to: String,
    /// Like for like: the wheels of the packages that install a wheel on both targets. A package
    /// that fails on one side downloads nothing there, so the totals alone would flatter that side.
    pub download_from: Download,
    pub download_to: Download,
    /// How many packages `download_from` and `download_to` cover.
    pub packages_compared: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// PEP 503 normalized name, or the requirement text when it names no project.
    pub name: String,
    pub requirement: String,
    pub from_target: String,
    pub to_target: String,
    pub from: Outcome,
    pub to: Outcome,
    pub from_file: Option<String>,
    pub to_file: Option<String>,
    /// Why the proposed side ends as it does.
    pub reason: String,
}

/// Packages, each counted once under its worst change over the pairs.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// From a wheel (or a skip) to building from source.
    pub to_build: usize,
    /// To fail or missing: `pip install` errors out on the proposed image.
    pub to_fail: usize,
    /// To unknown: the index could not be asked for the proposed side.
    pub to_unknown: usize,
    /// From build, fail or missing to a wheel (or a skip).
    pub improved: usize,
    /// Installed on the current image, but only failing projects need it on the proposed one: pip never gets
    /// to it there. Neither a failure nor an improvement.
    pub not_installed: usize,
}

/// The changes of one package that go the same way (`wheel → fail`), with the short labels of the proposed
/// targets they happen on and the reason of the first.
pub struct ChangeGroup<'c> {
    pub name: &'c str,
    pub from: Outcome,
    pub to: Outcome,
    pub targets: Vec<String>,
    pub reason: &'c str,
}

impl Compare {
    /// `changes` grouped per package and direction, in the order they first occur; `labels` maps a target id
    /// to its short label.
    pub fn grouped_changes(&self, labels: &BTreeMap<&str, String>) -> Vec<ChangeGroup<'_>> {
        let mut grouped: Vec<ChangeGroup> = Vec::new();
        for change in &self.changes {
            let label = labels
                .get(change.to_target.as_str())
                .cloned()
                .unwrap_or_else(|| change.to_target.clone());
            match grouped
                .iter_mut()
                .find(|g| g.name == change.name && g.from == change.from && g.to == change.to)
            {
                Some(group) => group.targets.push(label),
                None => grouped.push(ChangeGroup {
                    name: &change.name,
                    from: change.from,
                    to: change.to,
                    targets: vec![label],
                    reason: &change.reason,
                }),
            }
        }
        grouped
    }
}

/// How bad an outcome is for a switch: a wheel or a skip installs without a compiler.
fn badness(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Wheel | Outcome::Skip => 0,
        Outcome::Build => 1,
        Outcome::Unknown => 2,
        Outcome::Fail | Outcome::Missing => 3,
    }
}

/// Builds the comparison from the report's verdicts; `labels` maps a target id to its short label.
pub fn compare(
    from: &str,
    to: &str,
    pairs: &[(String, String)],
    packages: &[Package],
    labels: &BTreeMap<String, String>,
) -> Compare {
    let mut changes = Vec::new();
    // Per package: its worst change and on which pairs' proposed targets.
    let mut worst: Vec<(String, Outcome, Vec<String>)> = Vec::new();
    let mut improved = Vec::new();
    // Per failing project: the packages pip no longer gets to because of it.
    let mut dropped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in packages {
        let name = package
            .name
            .clone()
            .unwrap_or_else(|| package.requirement.clone());
        let mut package_worst: Option<(Outcome, Vec<String>)> = None;
        let mut better = false;
        for (f, t) in pairs {
            let (Some(a), Some(b)) = (package.targets.get(f), package.targets.get(t)) else {
                continue;
            };
            if a.outcome == b.outcome {
                continue;
            }
            // Its own verdict did not change: only what needs it did. Said on a line of its own.
            if !a.needed_only_by.is_empty() || !b.needed_only_by.is_empty() {
                if a.needed_only_by.is_empty() && a.outcome != Outcome::Skip {
                    let slot = dropped.entry(b.needed_only_by.join(", ")).or_default();
                    if !slot.contains(&name) {
                        slot.push(name.clone());
                    }
                }
                continue;
            }
            changes.push(Change {
                name: name.clone(),
                requirement: package.requirement.clone(),
                from_target: f.clone(),
                to_target: t.clone(),
                from: a.outcome,
                to: b.outcome,
                from_file: a.file.clone(),
                to_file: b.file.clone(),
                reason: b.reason.clone(),
            });
            if badness(b.outcome) > badness(a.outcome) {
                let label = labels.get(t).cloned().unwrap_or_else(|| t.clone());
                match &mut package_worst {
                    Some((o, at)) if badness(*o) == badness(b.outcome) => at.push(label),
                    Some((o, _)) if badness(*o) > badness(b.outcome) => {}
                    _ => package_worst = Some((b.outcome, vec![label])),
                }
            } else if badness(b.outcome) == 0 && badness(a.outcome) > 0 {
                // Only a change that ends in a wheel is an improvement worth the word; fail → build is not.
                better = true;
            }
        }
        match package_worst {
            Some((outcome, at)) => worst.push((name, outcome, at)),
            None if better => improved.push(name),
            None => {}
        }
    }
    let group = |level: u8| -> Vec<String> {
        worst
            .iter()
            .filter(|(_, o, _)| badness(*o) == level)
            .map(|(name, _, at)| {
                if at.len() == pairs.len() {
                    name.clone()
                } else {
                    format!("{name} on {}", at.join(", "))
                }
            })
            .collect()
    };
    let (builds, unknowns, fails) = (group(1), group(2), group(3));
    let counts = Counts {
        to_build: builds.len(),
        to_fail: fails.len(),
        to_unknown: unknowns.len(),
        improved: improved.len(),
        not_installed: dropped.values().map(Vec::len).sum(),
    };
    let pairs: Vec<Pair> = pairs
        .iter()
        .map(|(f, t)| like_for_like(f, t, packages))
        .collect();
    let mut summary = summary_line(to, &builds, &fails, &unknowns, &improved, &pairs, labels);
    for (needers, names) in &dropped {
        summary.push_str(&format!(
            "; {} no longer installed because {needers} cannot be ({})",
            names.len(),
            names.join(", ")
        ));
    }
    Compare {
        from: from.to_string(),
        to: to.to_string(),
        pairs,
        changes,
        counts,
        summary,
    }
}

fn like_for_like(from: &str, to: &str, packages: &[Package]) -> Pair {
    let mut pair = Pair {
        from: from.to_string(),
        to: to.to_string(),
        download_from: Download::default(),
        download_to: Download::default(),
        packages_compared: 0,
    };
    // Like for like: a wheel against a wheel, never a wheel against the sdist the other side builds.
    let installs = |v: &&crate::verdict::Verdict| v.downloads() && v.outcome == Outcome::Wheel;
    for package in packages {
        let a = package.targets.get(from).filter(installs);
        let b = package.targets.get(to).filter(installs);
        if let (Some(a), Some(b)) = (a, b) {
            pair.download_from.add(a);
            pair.download_to.add(b);
            pair.packages_compared += 1;
        }
    }
    pair
}

/// "switching to python:3.12-alpine: 3 packages would compile from source (a, b, c), 1 would fail (torch);
/// download 812.4 MB → 640.2 MB (saves 172.2 MB)".
fn summary_line(
    to: &str,
    builds: &[String],
    fails: &[String],
    unknowns: &[String],
    improved: &[String],
    pairs: &[Pair],
    labels: &BTreeMap<String, String>,
) -> String {
    let packages = |n: usize| if n == 1 { "package" } else { "packages" };
    let list = |names: &[String]| names.join(", ");
    let mut parts = Vec::new();
    if !builds.is_empty() {
        parts.push(format!(
            "{} {} would compile from source ({})",
            builds.len(),
            packages(builds.len()),
            list(builds)
        ));
    }
    if !fails.is_empty() {
        parts.push(format!("{} would fail ({})", fails.len(), list(fails)));
    }
    if !unknowns.is_empty() {
        parts.push(format!(
            "{} could not be checked ({})",
            unknowns.len(),
            list(unknowns)
        ));
    }
    if !improved.is_empty() {
        parts.push(format!(
            "{} would get a wheel ({})",
            improved.len(),
            list(improved)
        ));
    }
    if parts.is_empty() {
        parts.push("no package changes".to_string());
    }
    let downloads: Vec<String> = pairs
        .iter()
        .filter(|p| p.packages_compared > 0)
        .map(|p| download_clause(p, pairs.len() > 1, labels))
        .collect();
    let mut line = format!("switching to {to}: {}", parts.join(", "));
    if !downloads.is_empty() {
        line.push_str("; ");
        line.push_str(&downloads.join("; "));
    }
    line
}

/// `download on aarch64 905.0 MB → 3.0 MB (saves 902.0 MB, the 3 packages both install as a wheel)`; no difference is
/// claimed when a side lacks some sizes, since both totals are then lower bounds.
fn download_clause(pair: &Pair, name_target: bool, labels: &BTreeMap<String, String>) -> String {
    let (a, b) = (pair.download_from, pair.download_to);
    let on = if name_target {
        format!(" on {}", labels.get(&pair.to).unwrap_or(&pair.to))
    } else {
        String::new()
    };
    let covered = match pair.packages_compared {
        1 => "the 1 package both install as a wheel".to_string(),
        n => format!("the {n} packages both install as a wheel"),
    };
    let delta = if a.files_without_size > 0 || b.files_without_size > 0 {
        covered
    } else if b.bytes <= a.bytes {
        format!("saves {}, {covered}", format_mb(a.bytes - b.bytes))
    } else {
        format!("adds {}, {covered}", format_mb(b.bytes - a.bytes))
    };
    format!("download{on} {} → {} ({delta})", a.text(), b.text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_package as package;
    use crate::verdict::Verdict;

    fn verdict(outcome: Outcome, file: Option<&str>, size: Option<u64>) -> Verdict {
        let mut v = Verdict::bare(outcome, format!("{} reason", outcome.as_str()));
        v.file = file.map(str::to_string);
        v.size = size;
        v
    }

    #[test]
    fn what_a_blocker_leaves_uninstalled_is_neither_an_improvement_nor_a_failure() {
        use Outcome::*;
        let pairs = vec![("slim".to_string(), "alpine".to_string())];
        let whl = |n| verdict(Wheel, Some("a.whl"), Some(n));
        let mut dropped = Verdict::bare(Skip, "not installed: only ml needs it");
        dropped.needed_only_by = vec!["ml".to_string()];
        let mut blocked = whl(1_000);
        blocked.blocked_by = vec![vec!["torch".to_string()]];
        let packages = vec![
            package(
                "torch",
                &[
                    ("slim", whl(900_000_000)),
                    ("alpine", verdict(Fail, None, None)),
                ],
            ),
            package("ml", &[("slim", whl(1_000)), ("alpine", blocked)]),
            package("helper", &[("slim", whl(2_000)), ("alpine", dropped)]),
            package(
                "llvmlite",
                &[
                    ("slim", whl(60_000_000)),
                    (
                        "alpine",
                        verdict(Build, Some("llvmlite.tar.gz"), Some(200_000)),
                    ),
                ],
            ),
        ];
        let c = compare("slim", "alpine", &pairs, &packages, &BTreeMap::new());
        assert_eq!(
            c.counts,
            Counts {
                to_build: 1,
                to_fail: 1,
                to_unknown: 0,
                improved: 0,
                not_installed: 1,
            }
        );
        assert_eq!(c.changes.len(), 2, "torch and llvmlite: {:?}", c.changes);
        assert!(
            c.summary
                .contains("; 1 no longer installed because ml cannot be (helper)"),
            "{}",
            c.summary
        );
        // A wheel against a wheel: only ml installs a wheel on both sides.
        assert_eq!(c.pairs[0].packages_compared, 1);
        assert!(!c.summary.contains("would get a wheel"), "{}", c.summary);
    }

    #[test]
    fn counts_each_package_once_under_its_worst_change() {
        use Outcome::*;
        let pairs = vec![
            ("slim-x86".to_string(), "alpine-x86".to_string()),
            ("slim-arm".to_string(), "alpine-arm".to_string()),
        ];
        let whl = |n| verdict(Wheel, Some("a.whl"), Some(n));
        let packages = vec![
            package(
                "lxml",
                &[
                    ("slim-x86", whl(5_000_000)),
                    (
                        "alpine-x86",
                        verdict(Build, Some("lxml.tar.gz"), Some(3_000_000)),
                    ),
                    ("slim-arm", whl(5_000_000)),
                    (
                        "alpine-arm",
                        verdict(Build, Some("lxml.tar.gz"), Some(3_000_000)),
                    ),
                ],
            ),
            package(
                "spacy",
                &[
                    ("slim-x86", whl(1)),
                    ("alpine-x86", whl(1)),
                    ("slim-arm", whl(1)),
                    ("alpine-arm", verdict(Build, Some("spacy.tar.gz"), None)),
                ],
            ),
            package(
                "torch",
                &[
                    ("slim-x86", whl(900_000_000)),
                    ("alpine-x86", verdict(Fail, None, None)),
                    ("slim-arm", whl(900_000_000)),
                    ("alpine-arm", verdict(Fail, None, None)),
                ],
            ),
            package(
                "psycopg2",
                &[
                    ("slim-x86", verdict(Build, Some("p.tar.gz"), Some(1))),
                    ("alpine-x86", verdict(Build, Some("p.tar.gz"), Some(1))),
                    ("slim-arm", verdict(Build, Some("p.tar.gz"), Some(1))),
                    ("alpine-arm", verdict(Build, Some("p.tar.gz"), Some(1))),
                ],
            ),
        ];
        let labels: BTreeMap<String, String> =
            [("alpine-x86", "x86_64"), ("alpine-arm", "aarch64")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let c = compare(
            "python:3.12-slim",
            "python:3.12-alpine",
            &pairs,
            &packages,
            &labels,
        );
        assert_eq!(
            c.counts,
            Counts {
                to_build: 2,
                to_fail: 1,
                to_unknown: 0,
                improved: 0,
                not_installed: 0,
            }
        );
        assert_eq!(c.changes.len(), 5, "lxml ×2, spacy ×1, torch ×2");
        assert!(
            c.summary.starts_with(
                "switching to python:3.12-alpine: 2 packages would compile from source \
                 (lxml, spacy on aarch64), 1 would fail (torch)"
            ),
            "{}",
            c.summary
        );
        assert!(
            c.summary.contains(
                "download on x86_64 0.0 kB → 0.0 kB (saves 0.0 kB, the 1 package both install as a wheel)"
            ),
            "{}",
            c.summary
        );
        // On aarch64 no package installs a wheel on both sides: no download figure is claimed.
        assert_eq!(c.pairs[1].packages_compared, 0);
        assert!(!c.summary.contains("download on aarch64"), "{}", c.summary);
    }

    #[test]
    fn nothing_changes() {
        let c = compare(
            "a",
            "b",
            &[("x".to_string(), "y".to_string())],
            &[],
            &BTreeMap::new(),
        );
        assert_eq!(c.summary, "switching to b: no package changes");
    }
}
