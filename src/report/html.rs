//! The report as one self-contained HTML page: inline CSS, no script, no font, image or link that leaves the
//! file, so it opens offline and can be attached to a ticket or archived as an audit. A header with the
//! targets, a stacked bar per target with the count of each outcome, the problems with reasons and advice,
//! the comparison and the apk plan when the report has them, warnings, input errors, and every requirement
//! in one table. Every text that comes from the input or the index is HTML-escaped.

use std::fmt::Write;

use super::{ApkPlan, Compare, Package, Report};
use crate::verdict::Outcome;

/// Inlined into the page: the report needs no file beside it.
const STYLE: &str = include_str!("html.css");

pub fn render(report: &Report) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>muslcheck report</title>\n<style>",
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    header(&mut out, report);
    out.push_str("<main>\n");
    chart(&mut out, report);
    // Warnings and input errors first: they explain the problems below them (a blocker, a line not read).
    list(&mut out, "warnings", "Warnings", &report.warnings);
    let errors: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.location(), e.message))
        .collect();
    list(&mut out, "errors", "Input errors", &errors);
    problems(&mut out, report);
    if let Some(compare) = &report.compare {
        comparison(&mut out, report, compare);
    }
    if let Some(apk) = &report.apk {
        apk_plan(&mut out, apk);
    }
    table(&mut out, report);
    // How the cache served the run is for the person who ran it, not for the reader of the report.
    let run_notes: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| n.starts_with("cache:"))
        .collect();
    let mut footer = format!(
        "muslcheck {} · report schema {}",
        esc(report.tool.version),
        report.schema_version
    );
    for note in run_notes {
        let _ = write!(footer, " · {}", esc(note));
    }
    let _ = write!(
        out,
        "</main>\n<footer>{footer}</footer>\n</body>\n</html>\n"
    );
    out
}

fn header(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<header>\n<h1>muslcheck report</h1>\n<p>What <code>pip install</code> does on each target · \
         muslcheck {} · index: {}</p>",
        esc(report.tool.version),
        esc(report.index_text())
    );
    for extra in &report.extra_index_urls {
        let _ = writeln!(out, "<p>extra index: {}</p>", esc(extra));
    }
    let notes: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| !n.starts_with("cache:"))
        .collect();
    if !notes.is_empty() {
        out.push_str("<ul>");
        for note in notes {
            let _ = write!(out, "<li>{}</li>", esc(note));
        }
        out.push_str("</ul>\n");
    }
    let images = report.targets.iter().any(|t| t.image.is_some());
    out.push_str(
        "<table class=\"targets\">\n<tr><th>target</th><th>id</th><th>CPython</th><th>C library</th>\
         <th>arch</th>",
    );
    out.push_str(if images {
        "<th>image</th></tr>\n"
    } else {
        "</tr>\n"
    });
    for (target, label) in report.targets.iter().zip(report.labels()) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{} {}</td><td>{}</td>",
            esc(&label),
            esc(&target.id),
            esc(&target.python),
            esc(target.libc),
            esc(&target.libc_version),
            esc(target.arch),
        );
        if images {
            let image = target.image.as_deref().map_or(String::new(), esc);
            let _ = write!(out, "<td>{image}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</header>\n");
}

/// A stacked bar per target: each outcome's share of the requirements, with its count, then the counts and
/// the download size as text, and a legend.
fn chart(out: &mut String, report: &Report) {
    out.push_str("<section id=\"summary\" class=\"chart\">\n<h2>Outcomes per target</h2>\n");
    for (target, label) in report.targets.iter().zip(report.labels()) {
        let summary = report.summary.get(&target.id).copied().unwrap_or_default();
        let total = summary.total();
        let _ = write!(
            out,
            "<div class=\"row\"><div class=\"label\">{}<small>{}</small></div><div class=\"bar\" role=\"img\" \
             aria-label=\"{}\">",
            esc(&label),
            esc(&target.id),
            esc(&report.summary_line(&target.id, |_, _, t| t))
        );
        for outcome in chart_order() {
            let n = summary.get(outcome);
            if n == 0 {
                continue;
            }
            let share = n as f64 * 100.0 / total as f64;
            let _ = write!(
                out,
                "<span class=\"{0}\" style=\"width: {share:.2}%\" title=\"{n} {0}\">{n}</span>",
                outcome.as_str()
            );
        }
        let _ = writeln!(
            out,
            "</div><div class=\"counts\">{}</div></div>",
            esc(&report.summary_line(&target.id, |_, _, t| t))
        );
    }
    out.push_str("<div class=\"legend\">");
    for outcome in chart_order() {
        let _ = write!(
            out,
            "<span><i class=\"{0}\"></i>{0}</span>",
            outcome.as_str()
        );
    }
    out.push_str("</div>\n</section>\n");
}

/// Good to bad along the bar, skip last.
fn chart_order() -> [Outcome; 6] {
    [
        Outcome::Wheel,
        Outcome::Build,
        Outcome::Unknown,
        Outcome::Missing,
        Outcome::Fail,
        Outcome::Skip,
    ]
}

fn badge(outcome: Outcome) -> String {
    format!("<span class=\"badge {0}\">{0}</span>", outcome.as_str())
}

fn problems(out: &mut String, report: &Report) {
    let labels = report.labels();
    let packages: Vec<&Package> = report
        .packages_by_severity()
        .into_iter()
        .filter(|p| p.has_problem())
        .collect();
    out.push_str("<section id=\"problems\">\n<h2>Problems</h2>\n");
    if packages.is_empty() {
        out.push_str(
            "<p>None: every requirement installs a wheel or is skipped on every target.</p>\n",
        );
    }
    for package in packages {
        let worst = package
            .targets
            .values()
            .map(|v| v.outcome)
            .min_by_key(|o| o.severity_rank())
            .unwrap_or(Outcome::Unknown);
        let version = match package.version_text().as_str() {
            "-" => String::new(),
            v => format!(" <span class=\"version\">{}</span>", esc(v)),
        };
        let _ = writeln!(
            out,
            "<article class=\"worst-{}\">\n<h3>{}{version}</h3>\n\
             <p class=\"muted\"><code>{}</code> · <code>{}</code></p>\n<ul>",
            worst.as_str(),
            esc(&package.display_name()),
            esc(&package.at()),
            esc(&package.requirement)
        );
        for group in report.problem_groups(package) {
            let verdict = group.verdict;
            let on: Vec<String> = group.targets.iter().map(|i| esc(&labels[*i])).collect();
            let version = match &verdict.version {
                Some(v) if package.version_text() == "varies" => format!(" {}", esc(v)),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "<li>{}{version} on <b>{}</b>: {}",
                badge(verdict.outcome),
                on.join(", "),
                esc(&verdict.reason)
            );
            if let Some(file) = &verdict.file {
                let yanked = if verdict.yanked { " (yanked)" } else { "" };
                let _ = write!(
                    out,
                    "<div class=\"muted\">file: <code>{}</code>{yanked}</div>",
                    esc(file)
                );
            }
            if !group.advice.is_empty() {
                out.push_str("<ul class=\"advice\">");
                for advice in &group.advice {
                    let _ = write!(out, "<li>{}</li>", esc(advice));
                }
                out.push_str("</ul>");
            }
            if let Some(ignored) = &verdict.ignored {
                let until = ignored
                    .expires
                    .as_deref()
                    .map_or(String::new(), |d| format!(" until {}", esc(d)));
                let _ = write!(
                    out,
                    "<div class=\"ignored\">ignored{until}: {} (does not count toward the exit code)</div>",
                    esc(&ignored.reason)
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</article>\n");
    }
    out.push_str("</section>\n");
}

fn comparison(out: &mut String, report: &Report, compare: &Compare) {
    let _ = writeln!(
        out,
        "<section id=\"compare\">\n<h2>Switching <code>{}</code> → <code>{}</code></h2>",
        esc(&compare.from),
        esc(&compare.to)
    );
    let grouped = compare.grouped_changes(&report.label_map());
    if grouped.is_empty() {
        out.push_str("<p>No package changes.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>package</th><th>change</th><th>on</th><th>why</th></tr>\n");
        for group in &grouped {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
                esc(group.name),
                badge(group.from),
                badge(group.to),
                esc(&group.targets.join(", ")),
                esc(group.reason)
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"summary-line\">{}</p>\n</section>",
        esc(&compare.summary)
    );
}

fn apk_plan(out: &mut String, apk: &ApkPlan) {
    out.push_str("<section id=\"apk\">\n<h2>Alpine packages for building from source</h2>\n");
    if !apk.covers.is_empty() {
        let _ = writeln!(out, "<p>For {}:</p>", code_list(&apk.covers));
    }
    let _ = write!(
        out,
        "<pre><code><span class=\"muted\"># while pip builds</span>\n{}",
        esc(&apk.build_command)
    );
    if !apk.run_command.is_empty() {
        let _ = write!(
            out,
            "\n<span class=\"muted\"># at run time</span>\n{}",
            esc(&apk.run_command)
        );
    }
    out.push_str("</code></pre>\n");
    if !apk.unknown.is_empty() {
        let _ = writeln!(
            out,
            "<p>Not covered (muslcheck does not know their build dependencies): {}</p>",
            code_list(&apk.unknown)
        );
    }
    out.push_str("</section>\n");
}

fn code_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("<code>{}</code>", esc(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(out: &mut String, id: &str, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "<section id=\"{id}\">\n<h2>{title}</h2>\n<ul>");
    for item in items {
        let _ = write!(out, "<li>{}</li>", esc(item));
    }
    out.push_str("</ul>\n</section>\n");
}

/// Every requirement, problems first: a badge per target (its reason on hover), and the source.
fn table(out: &mut String, report: &Report) {
    let _ = write!(
        out,
        "<section id=\"all\">\n<h2>All requirements ({})</h2>\n<table>\n<tr><th>package</th><th>version</th>",
        report.packages.len()
    );
    for label in report.labels() {
        let _ = write!(out, "<th>{}</th>", esc(&label));
    }
    out.push_str("<th>source</th></tr>\n");
    for package in report.packages_by_severity() {
        let _ = write!(
            out,
            "<tr><td><b>{}</b><div class=\"muted\"><code>{}</code></div></td><td>{}</td>",
            esc(&package.display_name()),
            esc(&package.requirement),
            esc(&package.version_text())
        );
        for target in &report.targets {
            match package.targets.get(&target.id) {
                Some(v) => {
                    let file = v
                        .file
                        .as_deref()
                        .map_or(String::new(), |f| format!(" ({f})"));
                    let _ = write!(
                        out,
                        "<td title=\"{}\">{}</td>",
                        esc(&format!("{}{file}", v.reason)),
                        badge(v.outcome)
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        let _ = writeln!(out, "<td><code>{}</code></td></tr>", esc(&package.at()));
    }
    out.push_str("</table>\n</section>\n");
}

/// HTML-escapes text for element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    /// Start and end tags of the page, in order, with void elements left out.
    fn tags(html: &str) -> Vec<(bool, String)> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            let end = rest.find('>').expect("every < that opens a tag closes");
            let inside = &rest[..end];
            rest = &rest[end + 1..];
            if inside.starts_with('!') {
                continue;
            }
            let closing = inside.starts_with('/');
            let name: String = inside
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(!name.is_empty(), "a bare < in the page: <{inside}>");
            if ["meta", "br", "hr", "img", "input", "link"].contains(&name.as_str()) {
                continue;
            }
            tags.push((closing, name));
        }
        tags
    }

    #[test]
    fn the_page_is_well_formed_self_contained_and_escaped() {
        let report = sample();
        let html = render(&report);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        // Balanced: every element emitted is closed, in order.
        let mut stack: Vec<String> = Vec::new();
        for (closing, name) in tags(&html) {
            if closing {
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.as_str()),
                    "</{name}> closes"
                );
            } else {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        // Self-contained: no script, no external resource of any kind.
        assert!(
            !html.contains("<script"),
            "no script, and the input's is escaped"
        );
        assert!(!html.contains("src="));
        assert!(!html.contains("href="));
        assert!(!html.contains("url("));
        assert!(!html.contains("@import"));
        // The only URLs are in the input's own text (here a requirement line), escaped.
        let mut rest = html.clone();
        let user_text = report.packages.iter().flat_map(|p| {
            let verdicts = p.targets.values();
            std::iter::once(p.requirement.clone())
                .chain(verdicts.flat_map(|v| v.advice.iter().chain([&v.reason]).cloned()))
        });
        for text in user_text.filter(|t| t.contains("http")) {
            assert!(rest.contains(&esc(&text)), "{text}");
            rest = rest.replace(&esc(&text), "");
        }
        assert!(
            !rest.contains("http"),
            "an http URL that is not the input's"
        );
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; not on the index"));
    }

    #[test]
    fn warnings_come_before_the_problems_and_the_cache_note_goes_to_the_footer() {
        let mut report = sample();
        report
            .warnings
            .push("torch cannot be installed here".into());
        report
            .notes
            .push("cache: 3 fresh, 0 revalidated, 1 fetched".into());
        let html = render(&report);
        let warnings = html.find("Warnings").unwrap();
        let problems = html.find("Problems").unwrap();
        assert!(warnings < problems, "{html}");
        let header = &html[..html.find("</header>").unwrap()];
        assert!(!header.contains("cache:"), "{header}");
        let footer = &html[html.find("<footer>").unwrap()..];
        assert!(footer.contains("cache: 3 fresh"), "{footer}");
    }

    #[test]
    fn draws_a_bar_per_target_and_every_section() {
        let html = render(&sample());
        assert_eq!(html.matches("<div class=\"bar\"").count(), 2);
        // alpine: 1 wheel (six), 1 legacy build + psycopg2 build, torch fail, evil missing, flaky unknown,
        // pywin32 skip: 7 requirements.
        assert!(
            html.contains(
                "<span class=\"build\" style=\"width: 28.57%\" title=\"2 build\">2</span>"
            ),
            "{html}"
        );
        for id in [
            "summary", "problems", "compare", "apk", "warnings", "errors", "all",
        ] {
            assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
        }
        assert!(
            html.contains("apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev")
        );
        assert!(html.contains("<li>psycopg2-binary has wheels for musllinux</li>"));
        assert!(html.contains("ignored until 2027-01-31: waiting for upstream"));
        assert!(html.contains("requirements.txt:9:5: expected a version after `==`, found `&lt;`"));
    }
}
