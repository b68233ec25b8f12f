//! The report a person reads in a terminal: the targets, input errors, then the verdicts with the problems
//! first (fail, missing, build, unknown) and advice under each problem, and a summary line of counts and
//! download size per target. One target gets a line per requirement; several get a table with a compact cell
//! per target and the problems listed below it; a comparison adds what changes between the two images.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{ApkPlan, Compare, Package, Report, TargetInfo, is_problem, outcome_cell};
use crate::verdict::{Ignored, Outcome, Verdict};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const WARNING: Style = AnsiColor::Yellow.on_default();
const ERROR: Style = AnsiColor::Red.on_default().bold();

fn colour(outcome: Outcome) -> Style {
    match outcome {
        Outcome::Fail | Outcome::Missing => ERROR,
        Outcome::Build => AnsiColor::Yellow.on_default().bold(),
        Outcome::Unknown => AnsiColor::Magenta.on_default().bold(),
        Outcome::Wheel => AnsiColor::Green.on_default(),
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

#[derive(Clone, Copy)]
struct Painter(bool);

impl Painter {
    /// The text in `style`, then the reset (`{style:#}`), or the text alone without colour.
    fn paint(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
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
        let labels = report.labels();
        let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for (target, label) in report.targets.iter().zip(&labels) {
            let _ = writeln!(out, "  {label:<width$}  {}", describe(target));
        }
    }
    // The default index is named, not spelled out: the JSON report carries the URL.
    let _ = writeln!(out, "index: {}", report.index_text());
    for extra in &report.extra_index_urls {
        let _ = writeln!(out, "extra index: {extra}");
    }
    for note in &report.notes {
        let _ = writeln!(out, "{}", p.paint(DIM, note));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {warning}", p.paint(WARNING, "warning:"));
    }
    if !report.errors.is_empty() {
        out.push('\n');
        for e in &report.errors {
            let _ = writeln!(
                out,
                "{} {}: {}",
                p.paint(ERROR, "error:"),
                e.location(),
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

/// `ignored until 2027-06-30: built in the builder stage`.
fn ignored_text(ignored: &Ignored) -> String {
    match &ignored.expires {
        Some(date) => format!("ignored until {date}: {}", ignored.reason),
        None => format!("ignored: {}", ignored.reason),
    }
}

/// The `apk add` lines that building the `build` verdicts needs on Alpine.
fn apk_lines(out: &mut String, apk: &ApkPlan, p: Painter) {
    let mut names: Vec<&str> = apk.covers.iter().map(String::as_str).collect();
    names.extend(apk.unknown.iter().map(String::as_str));
    let title = format!("to build from source on Alpine ({})", names.join(", "));
    let _ = writeln!(out, "\n{}", p.paint(BOLD, &title));
    for line in [&apk.build_command, &apk.run_command] {
        if !line.is_empty() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !apk.build_command.is_empty() {
        let after = "and after pip install: apk del .build-deps";
        let _ = writeln!(out, "  {}", p.paint(DIM, after));
    }
    if !apk.unknown.is_empty() {
        let _ = writeln!(
            out,
            "  build dependencies not known for {}: at least gcc and musl-dev for a C extension",
            apk.unknown.join(", ")
        );
    }
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

/// The report's summary line for one target, problem counts coloured.
fn summary_line(report: &Report, id: &str, p: Painter) -> String {
    report.summary_line(id, |o, n, text| {
        if n > 0 && is_problem(o) {
            p.paint(colour(o), &text)
        } else {
            text
        }
    })
}

/// Several targets: one row per requirement with a cell per target (problems first), then each problem
/// with the targets it occurs on, its reason and advice, then a summary line per target.
fn matrix(out: &mut String, report: &Report, p: Painter) {
    let ids: Vec<&str> = report.targets.iter().map(|t| t.id.as_str()).collect();
    let labels = report.labels();
    let packages = report.packages_by_severity();
    let names: Vec<String> = packages
        .iter()
        .map(|pk| name_cell(pk.display_name()))
        .collect();
    let versions: Vec<String> = packages.iter().map(|pk| pk.version_text()).collect();
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
    for ((package, name), version) in packages.iter().zip(&names).zip(&versions) {
        let mut line = format!("{name:<name_w$}  {version:<version_w$}");
        for (id, w) in ids.iter().zip(&cell_w) {
            let text = package
                .targets
                .get(*id)
                .map_or("", |v| outcome_cell(v.outcome));
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
    packages: &[&Package],
    labels: &[String],
    p: Painter,
) {
    let mut first = true;
    for package in packages {
        let groups = report.problem_groups(package);
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
            package.display_name(),
            p.paint(DIM, &package.at())
        );
        for group in groups {
            let verdict = group.verdict;
            let at: Vec<&str> = group.targets.iter().map(|i| labels[*i].as_str()).collect();
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
            for advice in &group.advice {
                let _ = writeln!(out, "    ↳ {advice}");
            }
        }
    }
}

/// Per package of the comparison: `from → to` on which targets, then the summary line to paste.
fn comparison(out: &mut String, report: &Report, compare: &Compare, p: Painter) {
    let _ = writeln!(
        out,
        "\n{}",
        p.paint(
            BOLD,
            &format!("switching {} → {}", compare.from, compare.to)
        )
    );
    let grouped = compare.grouped_changes(&report.label_map());
    if grouped.is_empty() {
        let _ = writeln!(out, "  no package changes");
    }
    let name_w = grouped
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(0);
    for group in &grouped {
        let arrow = format!("{} → {}", group.from.as_str(), group.to.as_str());
        let _ = writeln!(
            out,
            "  {:<name_w$}  {}  {}",
            group.name,
            p.paint(colour(group.to), &format!("{arrow:<17}")),
            p.paint(DIM, &format!("on {}", group.targets.join(", ")))
        );
    }
    let _ = writeln!(out, "\n{}", compare.summary);
}

struct Row<'r> {
    name: String,
    version: String,
    class: &'static str,
    source: String,
    verdict: &'r Verdict,
}

/// The widest a name cell gets: a line named by its whole text (a URL with no project in it) would otherwise
/// set the width of every row. The reason still gives the line whole.
const NAME_COLUMN: usize = 40;

/// `name` as its column shows it, cut to `NAME_COLUMN` characters with an ellipsis.
fn name_cell(name: String) -> String {
    if name.chars().count() <= NAME_COLUMN {
        return name;
    }
    let mut cut: String = name.chars().take(NAME_COLUMN - 1).collect();
    cut.push('…');
    cut
}

/// One row per requirement on one target, problems first, input order within each outcome.
fn rows_for<'r>(report: &'r Report, target: &str) -> Vec<Row<'r>> {
    let mut rows: Vec<Row> = report
        .packages
        .iter()
        .filter_map(|p: &Package| {
            let verdict = p.targets.get(target)?;
            Some(Row {
                name: name_cell(p.display_name()),
                version: verdict.version.clone().unwrap_or_else(|| "-".to_string()),
                class: verdict.class.map_or("-", |c| c.as_str()),
                source: p.at(),
                verdict,
            })
        })
        .collect();
    rows.sort_by_key(|r| r.verdict.outcome.severity_rank());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escape sequences taken out: what a colour terminal shows as text.
    fn without_escapes(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('\x1b') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('m').expect("an SGR sequence ends in m");
            rest = &rest[at + end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn a_long_name_is_cut_and_sets_no_row_wider() {
        let mut report = super::super::tests::sample();
        let url = format!("https://example.invalid/{}/archive.zip", "x".repeat(200));
        report.packages[0].name = None;
        report.packages[0].requirement = url.clone();
        let text = render(&report, false);
        let cut = format!("{}…", &url[..NAME_COLUMN - 1]);
        assert!(text.contains(&cut), "{text}");
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("WHEEL") && l.contains(&url)),
            "{text}"
        );
        assert_eq!(name_cell("six".into()), "six");
        assert_eq!(name_cell("é".repeat(50)).chars().count(), NAME_COLUMN);
    }

    #[test]
    fn colour_changes_no_text_and_every_style_is_reset() {
        let report = super::super::tests::sample();
        let plain = render(&report, false);
        let coloured = render(&report, true);
        assert!(!plain.contains('\x1b'));
        // A coloured cell keeps its padding: the reset after it ends the line.
        let shown: Vec<String> = without_escapes(&coloured)
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect();
        assert_eq!(shown, plain.lines().collect::<Vec<_>>());
        assert!(
            coloured.contains(&format!("{ERROR}error:\x1b[0m")),
            "{coloured}"
        );
        assert!(
            coloured.contains(&format!("{BOLD}muslcheck\x1b[0m ")),
            "{coloured}"
        );
        for line in coloured.lines().filter(|l| l.contains('\x1b')) {
            assert!(line.rfind("\x1b[0m") > line.rfind("\x1b[1m"), "{line:?}");
        }
    }
}
