//! The report as a SARIF 2.1.0 log, for code-scanning dashboards (GitHub code scanning, Azure DevOps, any SARIF
//! viewer): one run, a rule per problem outcome and one for input errors, and a result per problem, located
//! at the requirement's line.
//!
//! One result per package and *group of targets whose verdicts say the same thing* (the grouping the terminal
//! and Markdown reports use), not one per package × target: code scanning shows every result at the same
//! line as its own alert, so a six-target matrix would raise six identical alerts for one `torch==2.5.1`.
//! Not one per package either: a package can build on one target and fail on another, and those are two
//! rules with two levels. The group's target ids are in the message and in `properties.targets`.
//!
//! `partialFingerprints` identify a result across runs without its line (moving a requirement does not open
//! a new alert): rule, package, file and the group's targets, hashed with 64-bit FNV-1a, which is fixed
//! forever (unlike std's `DefaultHasher`).

use serde_json::{Value, json};

use super::{ErrorEntry, Package, ProblemGroup, Report, outcome_verb};
use crate::verdict::Outcome;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The rules, in `ruleIndex` order: id, name, short and full description, default level.
const RULES: [(&str, &str, &str, &str, &str); 5] = [
    (
        "muslcheck/build",
        "BuildsFromSource",
        "pip builds this requirement from source on the target",
        "No wheel of the chosen release is compatible with the target's Python, C library and architecture, so \
         pip builds the sdist: the image needs a compiler and headers, and the build takes time and can fail.",
        "warning",
    ),
    (
        "muslcheck/fail",
        "InstallFails",
        "pip install fails for this requirement on the target",
        "No compatible wheel and no sdist (or every file excluded by requires-python): pip install errors out on \
         the target.",
        "error",
    ),
    (
        "muslcheck/missing",
        "NotOnIndex",
        "the project, or the pinned version, is not on the index",
        "The index has no such project or no such version: pip install errors out.",
        "error",
    ),
    (
        "muslcheck/unknown",
        "NotChecked",
        "the index could not be asked about this requirement",
        "The index did not answer (network, server error, bad response): muslcheck does not guess, so what pip \
         does on the target is unknown.",
        "note",
    ),
    (
        "muslcheck/input-error",
        "InputError",
        "a dependency file could not be read or parsed",
        "A line of a dependency file (or a whole file) could not be read or parsed; the rest was still checked.",
        "error",
    ),
];

fn rule_index(outcome: Outcome) -> Option<usize> {
    match outcome {
        Outcome::Build => Some(0),
        Outcome::Fail => Some(1),
        Outcome::Missing => Some(2),
        Outcome::Unknown => Some(3),
        Outcome::Wheel | Outcome::Skip => None,
    }
}

const INPUT_ERROR: usize = 4;

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, short, full, level)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    let mut results: Vec<Value> = report.errors.iter().map(input_error).collect();
    for package in report.packages_by_severity() {
        for group in report.problem_groups(package) {
            results.push(problem(report, package, &group));
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    // A tree of strings, numbers and maps with string keys: serialisation cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn problem(report: &Report, package: &Package, group: &ProblemGroup) -> Value {
    let verdict = group.verdict;
    let index = rule_index(verdict.outcome).unwrap_or(INPUT_ERROR);
    let (rule, level) = (RULES[index].0, RULES[index].4);
    let ids: Vec<&str> = group
        .targets
        .iter()
        .map(|i| report.targets[*i].id.as_str())
        .collect();
    let name = package.display_name();
    let version = verdict
        .version
        .as_deref()
        .map_or(String::new(), |v| format!(" {v}"));
    let mut text = format!(
        "{name}{version} {} on {}: {}.",
        outcome_verb(verdict.outcome),
        ids.join(", "),
        verdict.reason
    );
    if let Some(chain) = package.via() {
        text.push_str(&format!(" Pulled in by {chain}."));
    }
    for advice in &group.advice {
        text.push(' ');
        text.push_str(advice);
        if !advice.ends_with('.') {
            text.push('.');
        }
    }
    let mut result = json!({
        "ruleId": rule,
        "ruleIndex": index,
        "level": level,
        "message": {"text": text},
        "locations": [location(&package.source.path, Some(package.source.line), None)],
        "partialFingerprints": {
            "muslcheckPackage/v1": fingerprint(&[rule, &name, &package.source.path, &ids.join(",")]),
        },
        "properties": {
            "package": package.name,
            "requirement": package.requirement,
            "version": verdict.version,
            "targets": ids,
            "outcome": verdict.outcome.as_str(),
            "class": verdict.class.map(|c| c.as_str()),
            "file": verdict.file,
            "advice": group.advice,
        },
    });
    if let Some(ignored) = &verdict.ignored {
        // An ignore-list entry is an external suppression: viewers show the result as dismissed, with why.
        let justification = match &ignored.expires {
            Some(date) => format!("{} (until {date})", ignored.reason),
            None => ignored.reason.clone(),
        };
        result["suppressions"] = json!([{"kind": "external", "justification": justification}]);
    }
    result
}

fn input_error(e: &ErrorEntry) -> Value {
    let line = e.line.map_or(String::new(), |l| l.to_string());
    json!({
        "ruleId": RULES[INPUT_ERROR].0,
        "ruleIndex": INPUT_ERROR,
        "level": "error",
        "message": {"text": e.message},
        "locations": [location(&e.path, e.line, e.column)],
        "partialFingerprints": {
            "muslcheckInput/v1": fingerprint(&[RULES[INPUT_ERROR].0, &e.path, &line, &e.message]),
        },
    })
}

/// The file as given on the command line (relative stays relative), as a URI reference; relative paths
/// are against `%SRCROOT%`, the base code-scanning uploads resolve against the repository root.
fn location(path: &str, line: Option<usize>, column: Option<usize>) -> Value {
    let mut artifact = json!({"uri": uri_reference(path)});
    if !path.starts_with('/') {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    let mut physical = json!({"artifactLocation": artifact});
    if let Some(line) = line {
        let mut region = json!({"startLine": line.max(1)});
        if let Some(column) = column {
            region["startColumn"] = json!(column.max(1));
        }
        physical["region"] = region;
    }
    json!({"physicalLocation": physical})
}

/// A path as a relative URI reference (RFC 3986): `\` becomes `/`, and every byte outside the unreserved
/// set and `/` is percent-encoded (a `:` too, which would otherwise read as a scheme: `C:/…`).
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 64-bit FNV-1a over the parts, each ended by a 0 byte, as 16 hex digits.
fn fingerprint(parts: &[&str]) -> String {
    let bytes: Vec<u8> = parts.iter().flat_map(|p| p.bytes().chain([0])).collect();
    format!("{:016x}", fnv1a(&bytes))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("requirements.txt"), "requirements.txt");
        assert_eq!(uri_reference("svc/api/req s.txt"), "svc/api/req%20s.txt");
        assert_eq!(uri_reference("C:\\proj\\r.txt"), "C%3A/proj/r.txt");
        assert_eq!(uri_reference("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri_reference("naïve.txt"), "na%C3%AFve.txt");
    }

    #[test]
    fn fingerprints_are_fixed() {
        // The published FNV-1a 64 test vectors: the values must never change between releases.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    #[test]
    fn a_result_per_problem_group_and_input_error() {
        let log: Value = serde_json::from_str(&render(&sample())).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            rules,
            [
                "muslcheck/build",
                "muslcheck/fail",
                "muslcheck/missing",
                "muslcheck/unknown",
                "muslcheck/input-error"
            ]
        );
        let results = run["results"].as_array().unwrap();
        let summary: Vec<String> = results
            .iter()
            .map(|r| format!("{} {}", r["ruleId"], r["level"]))
            .collect();
        assert_eq!(
            summary,
            [
                r#""muslcheck/input-error" "error""#,
                r#""muslcheck/fail" "error""#,
                r#""muslcheck/missing" "error""#,
                r#""muslcheck/build" "warning""#,
                r#""muslcheck/build" "warning""#,
                r#""muslcheck/unknown" "note""#,
            ]
        );
        let error = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(error["region"]["startLine"], 9);
        assert_eq!(error["region"]["startColumn"], 5);
        let torch = &results[1];
        assert_eq!(
            torch["message"]["text"],
            "torch 2.5.1 fails on cp312-musllinux_1_2_x86_64: no sdist and no musllinux wheel (manylinux1 \
             wheels only); pip fails. no release of torch listed on the index has a wheel for this target."
        );
        let at = &torch["locations"][0]["physicalLocation"];
        assert_eq!(at["artifactLocation"]["uri"], "requirements.txt");
        assert_eq!(at["region"]["startLine"], 3);
        let legacy = &results[4];
        assert_eq!(legacy["properties"]["package"], "legacy");
        assert_eq!(
            legacy["suppressions"][0]["justification"],
            "waiting for upstream (until 2027-01-31)"
        );
        // Stable across runs, and distinct per result.
        let prints: std::collections::BTreeSet<String> = results
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect();
        assert_eq!(prints.len(), results.len());
        assert_eq!(render(&sample()), render(&sample()));
    }
}
