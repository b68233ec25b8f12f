//! The report as GitHub Actions workflow commands: printed in a workflow step, each problem becomes an
//! annotation on the requirement's line in the pull request (`::error` for fail and missing, `::warning` for
//! build, `::notice` for unknown and for verdicts an ignore-list entry covers), one per package and group
//! of targets that say the same thing; input errors are `::error` at their line and column. The summary
//! lines follow as plain log text.
//!
//! Values are escaped exactly as the Actions toolkit (`@actions/core`, `command.ts`) escapes them: the message
//! `%`, CR, LF; properties also `:` and `,`.

use std::fmt::Write;

use super::{Report, outcome_verb};
use crate::verdict::Outcome;

pub fn render(report: &Report) -> String {
    let labels = report.labels();
    let mut out = String::new();
    for e in &report.errors {
        let mut properties = vec![("file", e.path.clone())];
        if let Some(line) = e.line {
            properties.push(("line", line.to_string()));
        }
        if let Some(column) = e.column {
            properties.push(("col", column.to_string()));
        }
        properties.push(("title", "muslcheck: input error".to_string()));
        command(&mut out, "error", &properties, &e.message);
    }
    for package in report.packages_by_severity() {
        for group in report.problem_groups(package) {
            let verdict = group.verdict;
            let on: Vec<&str> = group.targets.iter().map(|i| labels[*i].as_str()).collect();
            let level = match (verdict.outcome, &verdict.ignored) {
                (_, Some(_)) | (Outcome::Unknown, _) => "notice",
                (Outcome::Build, _) => "warning",
                _ => "error",
            };
            let title = format!(
                "muslcheck: {} {} on {}",
                package.display_name(),
                outcome_verb(verdict.outcome),
                on.join(", ")
            );
            let mut message = format!("{}.", verdict.reason);
            if let Some(chain) = package.via() {
                let _ = write!(message, " Pulled in by {chain}.");
            }
            for advice in &group.advice {
                let _ = write!(message, " {advice}");
                if !advice.ends_with('.') {
                    message.push('.');
                }
            }
            if let Some(ignored) = &verdict.ignored {
                let until = ignored
                    .expires
                    .as_deref()
                    .map_or(String::new(), |d| format!(" until {d}"));
                let _ = write!(message, " Ignored{until}: {}.", ignored.reason);
            }
            let properties = [
                ("file", package.source.path.clone()),
                ("line", package.source.line.to_string()),
                ("title", title),
            ];
            command(&mut out, level, &properties, &message);
        }
    }
    for (target, label) in report.targets.iter().zip(&labels) {
        let line = report.summary_line(&target.id, |_, _, text| text);
        if report.targets.len() == 1 {
            let _ = writeln!(out, "muslcheck {}: {line}", target.id);
        } else {
            let _ = writeln!(out, "muslcheck {label}: {line}");
        }
    }
    if let Some(compare) = &report.compare {
        let _ = writeln!(out, "{}", compare.summary);
    }
    out
}

fn command(out: &mut String, level: &str, properties: &[(&str, String)], message: &str) {
    let properties: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let _ = writeln!(
        out,
        "::{level} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

/// `escapeData` of the Actions toolkit.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeProperty` of the Actions toolkit.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn escapes_as_the_actions_toolkit() {
        assert_eq!(
            escape_data("100% done\r\nnext: a, b"),
            "100%25 done%0D%0Anext: a, b"
        );
        assert_eq!(
            escape_property("muslcheck: a, b 50%\n"),
            "muslcheck%3A a%2C b 50%25%0A"
        );
        // `%` first, so an escape already in the text is not taken for one.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_problem_group_then_the_summary() {
        let text = render(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=requirements.txt,line=9,col=5,title=muslcheck%3A input error::expected a \
             version after `==`, found `<`"
        );
        assert_eq!(
            lines[1],
            "::error file=requirements.txt,line=3,title=muslcheck%3A torch fails on musl::no sdist and no \
             musllinux wheel (manylinux1 wheels only); pip fails. no release of torch listed on the index has \
             a wheel for this target."
        );
        assert!(lines[3].starts_with(
            "::warning file=requirements.txt,line=2,title=muslcheck%3A psycopg2 builds from source on glibc%2C musl::"
        ), "{}", lines[3]);
        assert!(lines[4].starts_with("::notice "), "ignored: {}", lines[4]);
        assert!(
            lines[4].ends_with("Ignored until 2027-01-31: waiting for upstream."),
            "{}",
            lines[4]
        );
        assert!(lines[5].starts_with("::notice "), "unknown: {}", lines[5]);
        assert!(
            lines[6].starts_with("muslcheck glibc: 7 requirements: "),
            "{}",
            lines[6]
        );
        assert!(
            lines[8].starts_with("switching to python:3.12-alpine: "),
            "{}",
            lines[8]
        );
        assert_eq!(lines.len(), 9);
    }
}
