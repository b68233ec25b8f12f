//! The report a person reads in a terminal: the target, input errors, then one line per requirement with the
//! problems first (fail, missing, build, unknown), advice under each problem, and a summary line of counts.

use std::fmt::Write;

use super::{Package, Report};
use crate::verdict::{Outcome, Verdict};

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
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for target in &report.targets {
        let _ = writeln!(
            out,
            "{} {} · CPython {} · musl {} · {}  ({})",
            paint(BOLD, "muslcheck"),
            report.tool.version,
            target.python,
            target.libc_version,
            target.arch,
            target.id
        );
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
        let _ = writeln!(out, "{}", paint(DIM, note));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {warning}", paint("\x1b[33m", "warning:"));
    }
    if !report.errors.is_empty() {
        out.push('\n');
        for e in &report.errors {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", e.path),
                (Some(l), None) => format!("{}:{l}", e.path),
                _ => e.path.clone(),
            };
            let _ = writeln!(out, "{} {at}: {}", paint("\x1b[1;31m", "error:"), e.message);
        }
    }
    for target in &report.targets {
        let rows = rows_for(report, &target.id);
        if report.targets.len() > 1 {
            let _ = writeln!(out, "\n{}", paint(BOLD, &target.id));
        }
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
                paint(colour(row.verdict.outcome), &label),
                row.name,
                row.version,
                row.class,
                row.verdict.reason,
                paint(DIM, &row.source),
            );
            if is_problem(row.verdict.outcome) {
                for advice in &row.verdict.advice {
                    let _ = writeln!(out, "{:7}  ↳ {advice}", "");
                }
            }
        }
        if let Some(summary) = report.summary.get(&target.id) {
            let counts: Vec<String> = Outcome::ALL
                .iter()
                .map(|o| {
                    let text = format!("{} {}", summary.get(*o), o.as_str());
                    if summary.get(*o) > 0 && is_problem(*o) {
                        paint(colour(*o), &text)
                    } else {
                        text
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "\n{} requirements: {}",
                summary.total(),
                counts.join(" · ")
            );
        }
    }
    out
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
