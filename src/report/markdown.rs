//! The report as GitHub-flavoured Markdown: a pull-request comment or a written audit. The targets, a
//! summary table (a row per target), then each problem package with its verdicts per target, reason, advice
//! and source; the comparison and the apk plan when the report has them; warnings and input errors; and every
//! package that is fine in a collapsed table.
//!
//! Everything that comes from the input or the index is escaped: ASCII punctuation that Markdown or inline
//! HTML gives a meaning to gets a backslash (CommonMark lets any ASCII punctuation be escaped so), and text
//! in code spans and blocks is fenced with more backticks than it contains.

use std::fmt::Write;

use super::{ApkPlan, Compare, Package, Report, is_problem, outcome_cell};
use crate::verdict::Outcome;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    summary(&mut out, report);
    problems(&mut out, report);
    if let Some(compare) = &report.compare {
        comparison(&mut out, report, compare);
    }
    if let Some(apk) = &report.apk {
        apk_plan(&mut out, apk);
    }
    if !report.warnings.is_empty() {
        out.push_str("\n## Warnings\n\n");
        for warning in &report.warnings {
            let _ = writeln!(out, "- {}", text(warning));
        }
    }
    if !report.errors.is_empty() {
        out.push_str("\n## Input errors\n\n");
        for e in &report.errors {
            let _ = writeln!(out, "- {}: {}", code(&e.location()), text(&e.message));
        }
    }
    fine(&mut out, report);
    out
}

/// The title, the tool and index, how the inputs were chosen, and the targets.
fn header(out: &mut String, report: &Report) {
    let _ = writeln!(out, "# muslcheck report\n");
    let _ = writeln!(
        out,
        "What `pip install` does on each target, by muslcheck {} · index: {}",
        text(report.tool.version),
        text(report.index_text())
    );
    for extra in &report.extra_index_urls {
        let _ = writeln!(out, "· extra index: {}", text(extra));
    }
    if !report.notes.is_empty() {
        out.push('\n');
        for note in &report.notes {
            let _ = writeln!(out, "- {}", text(note));
        }
    }
    out.push_str("\n## Targets\n\n");
    for (target, label) in report.targets.iter().zip(report.labels()) {
        let image = target
            .image
            .as_deref()
            .map_or(String::new(), |image| format!(" · image {}", code(image)));
        let label = if label == target.id {
            String::new()
        } else {
            format!("**{}**: ", text(&label))
        };
        let _ = writeln!(
            out,
            "- {label}{} — CPython {} · {} {} · {}{image}",
            code(&target.id),
            text(&target.python),
            target.libc,
            text(&target.libc_version),
            target.arch,
        );
    }
}

/// One row per target: the count of each outcome and the download size.
fn summary(out: &mut String, report: &Report) {
    out.push_str("\n## Summary\n\n| target |");
    for outcome in Outcome::ALL {
        let _ = write!(out, " {} |", outcome.as_str());
    }
    out.push_str(" download |\n|---|");
    out.push_str(&"--:|".repeat(Outcome::ALL.len() + 1));
    out.push('\n');
    for (target, label) in report.targets.iter().zip(report.labels()) {
        let _ = write!(out, "| {} |", cell(&label));
        let summary = report.summary.get(&target.id).copied().unwrap_or_default();
        for outcome in Outcome::ALL {
            let n = summary.get(outcome);
            if n > 0 && is_problem(outcome) {
                let _ = write!(out, " **{n}** |");
            } else {
                let _ = write!(out, " {n} |");
            }
        }
        let download = report
            .download
            .get(&target.id)
            .map_or("-".to_string(), |d| d.text());
        let _ = writeln!(out, " {} |", cell(&download));
    }
}

/// A section per problem package: each group of targets that says the same thing, its reason and advice.
fn problems(out: &mut String, report: &Report) {
    let labels = report.labels();
    let packages: Vec<&Package> = report
        .packages_by_severity()
        .into_iter()
        .filter(|p| p.has_problem())
        .collect();
    out.push_str("\n## Problems\n");
    if packages.is_empty() {
        out.push_str("\nNone: every requirement installs a wheel or is skipped on every target.\n");
        return;
    }
    for package in packages {
        let version = match package.version_text().as_str() {
            "-" => String::new(),
            v => format!(" {}", text(v)),
        };
        let _ = writeln!(out, "\n### {}{version}\n", text(&package.display_name()),);
        let _ = writeln!(
            out,
            "{}: {}\n",
            code(&package.at()),
            code(&package.requirement)
        );
        for group in report.problem_groups(package) {
            let verdict = group.verdict;
            let on: Vec<String> = group.targets.iter().map(|i| code(&labels[*i])).collect();
            let version = match &verdict.version {
                Some(v) if package.version_text() == "varies" => format!(" {}", text(v)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- **{}**{version} on {}: {}",
                verdict.outcome.as_str(),
                on.join(", "),
                text(&verdict.reason)
            );
            if let Some(file) = &verdict.file {
                let yanked = if verdict.yanked { " (yanked)" } else { "" };
                let _ = writeln!(out, "  - file: {}{yanked}", code(file));
            }
            for advice in &group.advice {
                let _ = writeln!(out, "  - {}", text(advice));
            }
            if let Some(ignored) = &verdict.ignored {
                let until = ignored
                    .expires
                    .as_deref()
                    .map_or(String::new(), |d| format!(" until {}", text(d)));
                let _ = writeln!(
                    out,
                    "  - ignored{until}: {} (does not count toward the exit code)",
                    text(&ignored.reason)
                );
            }
        }
    }
}

/// What changes per package between the two images, and the summary line to paste.
fn comparison(out: &mut String, report: &Report, compare: &Compare) {
    let _ = writeln!(
        out,
        "\n## Switching {} → {}\n",
        code(&compare.from),
        code(&compare.to)
    );
    let grouped = compare.grouped_changes(&report.label_map());
    if grouped.is_empty() {
        out.push_str("No package changes.\n");
    } else {
        out.push_str("| package | change | on | why |\n|---|---|---|---|\n");
        for group in &grouped {
            let on: Vec<String> = group.targets.iter().map(|l| cell(l)).collect();
            let _ = writeln!(
                out,
                "| {} | {} → **{}** | {} | {} |",
                cell(group.name),
                group.from.as_str(),
                group.to.as_str(),
                on.join(", "),
                cell(group.reason)
            );
        }
    }
    let _ = writeln!(out, "\n> {}", text(&compare.summary));
}

/// The Alpine packages that building from source needs, as the commands to run.
fn apk_plan(out: &mut String, apk: &ApkPlan) {
    out.push_str("\n## Alpine packages for building from source\n\n");
    if !apk.covers.is_empty() {
        let covers: Vec<String> = apk.covers.iter().map(|n| code(n)).collect();
        let _ = writeln!(out, "For {}:\n", covers.join(", "));
    }
    let mut commands = String::from("# while pip builds\n");
    let _ = writeln!(commands, "{}", apk.build_command);
    if !apk.run_command.is_empty() {
        let _ = writeln!(commands, "# at run time\n{}", apk.run_command);
    }
    out.push_str(&code_block("sh", &commands));
    if !apk.unknown.is_empty() {
        let unknown: Vec<String> = apk.unknown.iter().map(|n| code(n)).collect();
        let _ = writeln!(
            out,
            "\nNot covered (muslcheck does not know their build dependencies): {}",
            unknown.join(", ")
        );
    }
}

/// Every package that installs a wheel or is skipped on every target, collapsed.
fn fine(out: &mut String, report: &Report) {
    let packages: Vec<&Package> = report
        .packages
        .iter()
        .filter(|p| !p.has_problem())
        .collect();
    if packages.is_empty() {
        return;
    }
    let noun = if packages.len() == 1 {
        "package needs"
    } else {
        "packages need"
    };
    let _ = writeln!(
        out,
        "\n<details>\n<summary>{} {noun} nothing (a wheel or a skip on every target)</summary>\n",
        packages.len()
    );
    let labels = report.labels();
    out.push_str("| package | version |");
    for label in &labels {
        let _ = write!(out, " {} |", cell(label));
    }
    out.push_str(" source |\n|---|---|");
    out.push_str(&"---|".repeat(labels.len() + 1));
    out.push('\n');
    for package in packages {
        let _ = write!(
            out,
            "| {} | {} |",
            cell(&package.display_name()),
            cell(&package.version_text())
        );
        for target in &report.targets {
            let shown = package.targets.get(&target.id).map_or(String::new(), |v| {
                let class = v
                    .class
                    .map_or(String::new(), |c| format!(" ({})", c.as_str()));
                format!("{}{}", outcome_cell(v.outcome), cell(&class))
            });
            let _ = write!(out, " {shown} |");
        }
        let _ = writeln!(out, " {} |", table_code(&package.at()));
    }
    out.push_str("\n</details>\n");
}

/// Text with every character that Markdown or inline HTML could read as syntax escaped, on one line, safe in
/// a table cell. An `_` between two letters or digits stays as it is (GFM never reads an intraword `_` as
/// emphasis), so `musllinux_1_2` reads as written.
pub(crate) fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let intraword = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '_' if intraword(i.checked_sub(1)) && intraword(Some(i + 1)) => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text for a table cell: escaped, on one line.
fn cell(s: &str) -> String {
    text(s)
}

/// A code span that shows `s` literally: fenced with one backtick more than the longest run inside it,
/// padded with a space when it starts or ends with a backtick (CommonMark strips one space each side).
pub(crate) fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// A code span inside a table row: GFM splits cells at every unescaped `|`, code spans included, and
/// unescapes `\|` inside them.
fn table_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A fenced code block whose fence is longer than any backtick run in `body`.
fn code_block(lang: &str, body: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    format!("{fence}{lang}\n{body}{fence}\n")
}

fn longest_run(s: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn markdown_syntax_in_input_is_escaped() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("*x* _y_ [l](u)"), "\\*x\\* \\_y\\_ \\[l\\](u)");
        assert_eq!(text("musllinux_1_2 wheel"), "musllinux_1_2 wheel");
        assert_eq!(
            text("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(text("# not a heading\nnext"), "\\# not a heading next");
        assert_eq!(text("a\\b &amp;"), "a\\\\b \\&amp;");
    }

    #[test]
    fn code_spans_are_fenced_longer_than_their_content() {
        assert_eq!(code("numpy==2.1.3"), "`numpy==2.1.3`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(table_code("a|b"), "`a\\|b`");
        assert_eq!(code_block("sh", "echo ```\n"), "````sh\necho ```\n````\n");
    }

    #[test]
    fn renders_the_apk_plan_advice_and_ignores() {
        let md = render(&sample());
        assert!(md.starts_with("# muslcheck report\n"), "{md}");
        assert!(
            md.contains("## Alpine packages for building from source"),
            "{md}"
        );
        assert!(
            md.contains("```sh\n# while pip builds\napk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev\n# at run time\napk add --no-cache libpq\n```"),
            "{md}"
        );
        assert!(
            md.contains(
                "Not covered (muslcheck does not know their build dependencies): `weird-pkg`"
            ),
            "{md}"
        );
        assert!(
            md.contains("\n  - psycopg2-binary has wheels for musllinux\n"),
            "{md}"
        );
        assert!(
            md.contains("\n  - ignored until 2027-01-31: waiting for upstream"),
            "{md}"
        );
        assert!(md.contains("\n### torch 2.5.1\n\n`requirements.txt:3`: `torch==2.5.1`\n\n- **fail** on `musl`: no sdist"), "{md}");
        assert!(md.contains("\n### flaky\n"), "no version: {md}");
        // HTML in the input stays inert: literal in a code span, escaped in text.
        assert!(
            md.contains("`requirements.txt:4`: `<b>evil</b> | cell http://evil.example/x.js`"),
            "{md}"
        );
        assert!(
            md.contains(": \\<script\\>alert('x')\\</script\\> not on the index"),
            "{md}"
        );
        assert_eq!(md.matches("<script>").count(), 0, "{md}");
        let details = md.split("<details>").nth(1).unwrap();
        assert!(details.contains("| six | 1.16.0 | ✓ wheel (pure_python) | ✓ wheel (pure_python) | `requirements.txt:1` |"), "{details}");
    }
}
