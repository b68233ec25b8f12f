//! The report a person reads in a terminal: the targets, input errors, then the verdicts with the problems
//! first (fail, missing, build, unknown) and advice under each problem, and a summary line of counts and
//! download size per target. One target gets a line per requirement; several get a table with a compact cell
//! per target and the problems listed below it; a comparison adds what changes between the two images.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::{ApkPlan, Compare, Package, Report, TargetInfo, short_labels};
use crate::verdict::{Ignored, Outcome, Verdict};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Fail | Outcome::Missing => "\x1b[1;31m",
        Outcome::Build => "\x1b[1;33m",
        Outcome::Unknown => "\x1b[1;35m",
        Outcome::Wheel => "\x1b[32m",
        Outcome::Skip => DIM,
    }
}

/// Renders the report; `color` adds ANSI colours (the caller decides: a TTY, and no `NO_COLOR`).
pub fn render(report: &Report, color: bool) -> String {
    let paint = Painter(color);
    let mut out = String::new();
    header(&mut out, report, paint);
    if report.targets.len() == 1 {
        single_target(&mut out, report, paint);
    } else {
        matrix(&mut out, report, paint);
    }
    if let Some(apk) = &report.apk {
        apk_lines(&mut out, apk, paint);
    }
    if let Some(compare) = &report.compare {
        comparison(&mut out, report, compare, paint);
    }
    out
}

/// The `apk add` lines that building the `build` verdicts needs on Alpine.
fn apk_lines(out: &mut String, apk: &ApkPlan, p: Painter) {
    let mut names: Vec<&str> = apk.covers.iter().map(String::as_str).collect();
    names.extend(apk.unknown.iter().map(String::as_str));
    let _ = writeln!(
        out,
        "\n{}",
        p.paint(
            BOLD,
            &format!("to build from source on Alpine ({})", names.join(", "))
        )
    );
    if !apk.build_command.is_empty() {
        let _ = writeln!(out, "  {}", apk.build_command);
    }
    if !apk.run_command.is_empty() {
        let _ = writeln!(out, "  {}", apk.run_command);
    }
    if !apk.build_command.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            p.paint(DIM, "and after pip install: apk del .build-deps")
        );
    }
    if !apk.unknown.is_empty() {
        let _ = writeln!(
            out,
            "  build dependencies not known for {}: at least gcc and musl-dev for a C extension",
            apk.unknown.join(", ")
        );
    }
}

#[derive(Clone, Copy)]
struct Painter(bool);

impl Painter {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// The targets, the index, notes, warnings and input errors.
fn header(out: &mut String, report: &Report, p: Painter) {
    let name = p.paint(BOLD, "muslcheck");
    if let [target] = report.targets.as_slice() {
        let _ = writeln!(out, "{name} {} · {}", report.tool.version, describe(target));
    } else {
        let _ = writeln!(
            out,
            "{name} {} · {} targets",
            report.tool.version,
            report.targets.len()
        );
        let labels = short_labels(&report.targets);
        let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for (target, label) in report.targets.iter().zip(&labels) {
            let _ = writeln!(out, "  {label:<width$}  {}", describe(target));
        }
    }
    // The default index is named, not spelled out: the JSON report carries the URL.
    let index = if report.index == crate::index::DEFAULT_INDEX_URL {
        "PyPI (default)"
    } else {
        &report.index
    };
    let _ = writeln!(out, "index: {index}");
    for extra in &report.extra_index_urls {
        let _ = writeln!(out, "extra index: {extra}");
    }
    for note in &report.notes {
        let _ = writeln!(out, "{}", p.paint(DIM, note));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {warning}", p.paint("\x1b[33m", "warning:"));
    }
    if !report.errors.is_empty() {
        out.push('\n');
        for e in &report.errors {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", e.path),
                (Some(l), None) => format!("{}:{l}", e.path),
                _ => e.path.clone(),
            };
            let _ = writeln!(
                out,
                "{} {at}: {}",
                p.paint("\x1b[1;31m", "error:"),
                e.message
            );
        }
    }
}

/// `CPython 3.12 · musl 1.2 · x86_64  (cp312-musllinux_1_2_x86_64)  python:3.12-alpine`.
fn describe(target: &TargetInfo) -> String {
    let image = target
        .image
        .as_ref()
        .map_or(String::new(), |image| format!("  {image}"));
    format!(
        "CPython {} · {} {} · {}  ({}){image}",
        target.python, target.libc, target.libc_version, target.arch, target.id
    )
}

/// One line per requirement, problems first, advice under each problem, and the summary line.
fn single_target(out: &mut String, report: &Report, p: Painter) {
    let target = &report.targets[0];
    let rows = rows_for(report, &target.id);
    out.push('\n');
    let width = |f: fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let name_w = width(|r| r.name.chars().count());
    let version_w = width(|r| r.version.chars().count());
    let class_w = width(|r| r.class.len());
    for row in &rows {
        let label = format!("{:<7}", row.verdict.outcome.as_str().to_uppercase());
        let _ = writeln!(
            out,
            "{}  {:<name_w$}  {:<version_w$}  {:<class_w$}  {}  {}",
            p.paint(colour(row.verdict.outcome), &label),
            row.name,
            row.version,
            row.class,
            row.verdict.reason,
            p.paint(DIM, &row.source),
        );
        if let Some(ignored) = &row.verdict.ignored {
            let _ = writeln!(out, "{:7}  {}", "", p.paint(DIM, &ignored_text(ignored)));
        }
        if is_problem(row.verdict.outcome) {
            for advice in &row.verdict.advice {
                let _ = writeln!(out, "{:7}  ↳ {advice}", "");
            }
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(report, &target.id, p));
}

/// `N requirements: 40 wheel · 3 build · … · download 123.4 MB`.
fn summary_line(report: &Report, id: &str, p: Painter) -> String {
    let Some(summary) = report.summary.get(id) else {
        return String::new();
    };
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| {
            let text = format!("{} {}", summary.get(*o), o.as_str());
            if summary.get(*o) > 0 && is_problem(*o) {
                p.paint(colour(*o), &text)
            } else {
                text
            }
        })
        .collect();
    let mut line = format!("{} requirements: {}", summary.total(), counts.join(" · "));
    if let Some(download) = report.download.get(id) {
        let _ = write!(line, " · download {}", download.text());
    }
    line
}

/// A compact symbol and word per cell.
fn cell(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Wheel => "✓ wheel",
        Outcome::Build => "⚙ build",
        Outcome::Fail => "✗ fail",
        Outcome::Missing => "✗ missing",
        Outcome::Unknown => "? unknown",
        Outcome::Skip => "· skip",
    }
}

/// Several targets: one row per requirement with a cell per target (problems first), then each problem
/// with the targets it occurs on, its reason and advice, then a summary line per target.
fn matrix(out: &mut String, report: &Report, p: Painter) {
    let ids: Vec<&str> = report.targets.iter().map(|t| t.id.as_str()).collect();
    let labels = short_labels(&report.targets);
    let mut packages: Vec<(usize, &Package)> = report.packages.iter().enumerate().collect();
    packages.sort_by_key(|(i, package)| (worst(package), *i));
    let names: Vec<String> = packages.iter().map(|(_, pk)| display_name(pk)).collect();
    let versions: Vec<String> = packages.iter().map(|(_, pk)| version_of(pk)).collect();
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let version_w = versions
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let cell_w: Vec<usize> = labels.iter().map(|l| l.chars().count().max(9)).collect();
    out.push('\n');
    let mut head = format!("{:<name_w$}  {:<version_w$}", "package", "version");
    for (label, w) in labels.iter().zip(&cell_w) {
        let _ = write!(head, "  {label:<w$}");
    }
    let _ = writeln!(out, "{}", p.paint(BOLD, head.trim_end()));
    for (((_, package), name), version) in packages.iter().zip(&names).zip(&versions) {
        let mut line = format!("{name:<name_w$}  {version:<version_w$}");
        for (id, w) in ids.iter().zip(&cell_w) {
            let text = package.targets.get(*id).map_or("", |v| cell(v.outcome));
            let padded = format!("{text:<w$}");
            let shown = match package.targets.get(*id) {
                Some(v) if is_problem(v.outcome) || v.outcome == Outcome::Skip => {
                    p.paint(colour(v.outcome), &padded)
                }
                _ => padded,
            };
            let _ = write!(line, "  {shown}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    problems(out, report, &packages, &labels, p);
    out.push('\n');
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (id, label) in ids.iter().zip(&labels) {
        let _ = writeln!(out, "{label:<width$}  {}", summary_line(report, id, p));
    }
}

/// Each problem requirement once, its verdicts grouped by what they say, with the targets of each group.
fn problems(
    out: &mut String,
    report: &Report,
    packages: &[(usize, &Package)],
    labels: &[String],
    p: Painter,
) {
    let mut first = true;
    for (_, package) in packages {
        let mut groups: Vec<(&Verdict, Vec<&str>)> = Vec::new();
        for (target, label) in report.targets.iter().zip(labels) {
            let Some(v) = package.targets.get(&target.id) else {
                continue;
            };
            if !is_problem(v.outcome) {
                continue;
            }
            match groups.iter_mut().find(|(g, _)| {
                g.outcome == v.outcome
                    && g.reason == v.reason
                    && g.version == v.version
                    && g.advice == v.advice
            }) {
                Some((_, at)) => at.push(label),
                None => groups.push((v, vec![label])),
            }
        }
        if groups.is_empty() {
            continue;
        }
        if first {
            let _ = writeln!(out, "\n{}", p.paint(BOLD, "problems"));
            first = false;
        }
        let _ = writeln!(
            out,
            "{}  {}",
            display_name(package),
            p.paint(
                DIM,
                &format!("{}:{}", package.source.path, package.source.line)
            )
        );
        for (verdict, at) in groups {
            let version = verdict.version.as_deref().unwrap_or("-");
            let _ = writeln!(
                out,
                "  {} {version} on {}: {}",
                p.paint(colour(verdict.outcome), verdict.outcome.as_str()),
                at.join(", "),
                verdict.reason
            );
            if let Some(ignored) = &verdict.ignored {
                let _ = writeln!(out, "    {}", p.paint(DIM, &ignored_text(ignored)));
            }
            for advice in &verdict.advice {
                let _ = writeln!(out, "    ↳ {advice}");
            }
        }
    }
}

/// Per package of the comparison: `from → to` on which targets, then the summary line to paste.
fn comparison(out: &mut String, report: &Report, compare: &Compare, p: Painter) {
    let labels: BTreeMap<&str, String> = report
        .targets
        .iter()
        .map(|t| t.id.as_str())
        .zip(short_labels(&report.targets))
        .collect();
    let _ = writeln!(
        out,
        "\n{}",
        p.paint(
            BOLD,
            &format!("switching {} → {}", compare.from, compare.to)
        )
    );
    let mut grouped: Vec<(&str, Outcome, Outcome, Vec<&str>)> = Vec::new();
    for change in &compare.changes {
        let label = labels
            .get(change.to_target.as_str())
            .map_or(change.to_target.as_str(), String::as_str);
        match grouped
            .iter_mut()
            .find(|(n, f, t, _)| *n == change.name && *f == change.from && *t == change.to)
        {
            Some((_, _, _, at)) => at.push(label),
            None => grouped.push((&change.name, change.from, change.to, vec![label])),
        }
    }
    if grouped.is_empty() {
        let _ = writeln!(out, "  no package changes");
    }
    let name_w = grouped
        .iter()
        .map(|g| g.0.chars().count())
        .max()
        .unwrap_or(0);
    for (name, from, to, at) in &grouped {
        let arrow = format!("{} → {}", from.as_str(), to.as_str());
        let _ = writeln!(
            out,
            "  {name:<name_w$}  {}  {}",
            p.paint(colour(*to), &format!("{arrow:<17}")),
            p.paint(DIM, &format!("on {}", at.join(", ")))
        );
    }
    let _ = writeln!(out, "\n{}", compare.summary);
}

/// `ignored until 2027-06-30: built in the builder stage`.
fn ignored_text(ignored: &Ignored) -> String {
    match &ignored.expires {
        Some(date) => format!("ignored until {date}: {}", ignored.reason),
        None => format!("ignored: {}", ignored.reason),
    }
}

/// The package's worst outcome over all targets, as a sort key (problems first).
fn worst(package: &Package) -> u8 {
    package
        .targets
        .values()
        .map(|v| v.outcome.severity_rank())
        .min()
        .unwrap_or(u8::MAX)
}

fn display_name(package: &Package) -> String {
    package
        .name
        .clone()
        .unwrap_or_else(|| package.requirement.clone())
}

/// The chosen version when every target chose the same one, `varies` when they differ.
fn version_of(package: &Package) -> String {
    let versions: BTreeSet<&str> = package
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

fn is_problem(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Fail | Outcome::Missing | Outcome::Build | Outcome::Unknown
    )
}

struct Row<'r> {
    name: String,
    version: String,
    class: &'static str,
    source: String,
    verdict: &'r Verdict,
}

/// One row per requirement on one target, problems first, input order within each outcome.
fn rows_for<'r>(report: &'r Report, target: &str) -> Vec<Row<'r>> {
    let mut rows: Vec<Row> = report
        .packages
        .iter()
        .filter_map(|p: &Package| {
            let verdict = p.targets.get(target)?;
            Some(Row {
                name: p.name.clone().unwrap_or_else(|| p.requirement.clone()),
                version: verdict.version.clone().unwrap_or_else(|| "-".to_string()),
                class: verdict.class.map_or("-", |c| c.as_str()),
                source: format!("{}:{}", p.source.path, p.source.line),
                verdict,
            })
        })
        .collect();
    rows.sort_by_key(|r| r.verdict.outcome.severity_rank());
    rows
}
