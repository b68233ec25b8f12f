//! Advice that needs knowledge beyond the index: what to `apk add` to build a package from source on Alpine,
//! the binary alternatives, and why some packages cannot work on musl at all (`data/packages.toml`). Also the
//! one pair of `apk add` lines that covers every package of a run that builds from source. Pure logic.

use std::collections::BTreeSet;

use crate::report::{ApkPlan, Package};
use crate::verdict::{Outcome, Verdict};

/// What the knowledge base says of one project.
#[derive(Debug, Clone, Copy)]
pub struct Known<'k> {
    pub build: &'k [String],
    pub run: &'k [String],
    /// `(name, note)` of binary alternatives.
    pub alternatives: &'k [(String, Option<String>)],
    pub failure: Option<&'k str>,
    pub notes: Option<&'k str>,
}

/// The advice lines the knowledge base adds to one problem verdict; `musl` says whether the target is an
/// Alpine one (apk package names mean nothing on Debian).
pub fn known_advice(name: &str, verdict: &Verdict, musl: bool, known: &Known) -> Vec<String> {
    let mut lines = Vec::new();
    match verdict.outcome {
        Outcome::Build if musl && !known.build.is_empty() => {
            let mut line = format!(
                "to build {name} on Alpine: apk add {}",
                known.build.join(" ")
            );
            if !known.run.is_empty() {
                line.push_str(&format!(
                    "; at run time it needs: apk add {}",
                    known.run.join(" ")
                ));
            }
            lines.push(line);
        }
        Outcome::Fail | Outcome::Missing => {
            if let Some(why) = known.failure {
                lines.push(why.to_string());
            }
        }
        _ => {}
    }
    if matches!(
        verdict.outcome,
        Outcome::Build | Outcome::Fail | Outcome::Missing
    ) {
        for (alternative, note) in known.alternatives {
            lines.push(match note {
                Some(note) => format!("alternative: {alternative} ({note})"),
                None => format!("alternative: {alternative}"),
            });
        }
        if let Some(notes) = known.notes {
            lines.push(notes.to_string());
        }
    }
    lines
}

/// One `apk add` line for building (a virtual package to delete after `pip install`) and one for run time,
/// covering every package that builds from source on a musl target. `None` when nothing builds there.
pub fn apk_plan<'k>(
    packages: &[Package],
    musl_targets: &[String],
    lookup: impl Fn(&str) -> Option<Known<'k>>,
) -> Option<ApkPlan> {
    let builds = |p: &&Package| {
        musl_targets.iter().any(|id| {
            p.targets
                .get(id)
                .is_some_and(|v| v.outcome == Outcome::Build)
        })
    };
    let mut names: Vec<&str> = packages
        .iter()
        .filter(builds)
        .filter_map(|p| p.name.as_deref())
        .collect();
    names.dedup();
    if names.is_empty() {
        return None;
    }
    let mut build = BTreeSet::new();
    let mut run = BTreeSet::new();
    let mut covers = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for name in names {
        match lookup(name).filter(|k| !k.build.is_empty()) {
            Some(known) => {
                build.extend(known.build.iter().cloned());
                run.extend(known.run.iter().cloned());
                covers.insert(name.to_string());
            }
            None => {
                unknown.insert(name.to_string());
            }
        }
    }
    let build: Vec<String> = build.into_iter().collect();
    let run: Vec<String> = run.into_iter().collect();
    let build_command = if build.is_empty() {
        String::new()
    } else {
        format!(
            "apk add --no-cache --virtual .build-deps {}",
            build.join(" ")
        )
    };
    let run_command = if run.is_empty() {
        String::new()
    } else {
        format!("apk add --no-cache {}", run.join(" "))
    };
    Some(ApkPlan {
        build,
        run,
        build_command,
        run_command,
        covers: covers.into_iter().collect(),
        unknown: unknown.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Source;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn package(name: &str, outcome: Outcome) -> Package {
        Package {
            name: Some(name.to_string()),
            version: None,
            requirement: name.to_string(),
            source: Source {
                path: "requirements.txt".into(),
                line: 1,
                key: None,
            },
            targets: [(
                "cp312-musllinux_1_2_x86_64".to_string(),
                Verdict::bare(outcome, "why"),
            )]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn one_pair_of_lines_for_every_package_that_builds() {
        let psycopg2 = (
            strings(&["gcc", "musl-dev", "postgresql-dev"]),
            strings(&["libpq"]),
        );
        let lxml = (
            strings(&["gcc", "libxml2-dev", "libxslt-dev", "musl-dev"]),
            strings(&["libxml2", "libxslt"]),
        );
        let none: Vec<(String, Option<String>)> = Vec::new();
        let lookup = |name: &str| {
            let (build, run) = match name {
                "psycopg2" => &psycopg2,
                "lxml" => &lxml,
                _ => return None,
            };
            Some(Known {
                build,
                run,
                alternatives: &none,
                failure: None,
                notes: None,
            })
        };
        let packages = vec![
            package("psycopg2", Outcome::Build),
            package("lxml", Outcome::Build),
            package("six", Outcome::Wheel),
            package("mystery", Outcome::Build),
            package("torch", Outcome::Fail),
        ];
        let targets = ["cp312-musllinux_1_2_x86_64".to_string()];
        let plan = apk_plan(&packages, &targets, lookup).unwrap();
        assert_eq!(
            plan.build_command,
            "apk add --no-cache --virtual .build-deps gcc libxml2-dev libxslt-dev musl-dev postgresql-dev"
        );
        assert_eq!(plan.run_command, "apk add --no-cache libpq libxml2 libxslt");
        assert_eq!(plan.covers, ["lxml", "psycopg2"]);
        assert_eq!(plan.unknown, ["mystery"]);
        // On glibc targets only, nothing is planned.
        assert!(apk_plan(&packages, &[], lookup).is_none());
    }

    #[test]
    fn advice_lines_per_outcome() {
        let build = strings(&["gcc", "musl-dev", "postgresql-dev"]);
        let run = strings(&["libpq"]);
        let alternatives = vec![(
            "psycopg2-binary".to_string(),
            Some("musllinux wheels for x86_64 and aarch64".to_string()),
        )];
        let known = Known {
            build: &build,
            run: &run,
            alternatives: &alternatives,
            failure: None,
            notes: None,
        };
        let lines = known_advice(
            "psycopg2",
            &Verdict::bare(Outcome::Build, "why"),
            true,
            &known,
        );
        assert_eq!(
            lines,
            [
                "to build psycopg2 on Alpine: apk add gcc musl-dev postgresql-dev; at run time it needs: \
                 apk add libpq",
                "alternative: psycopg2-binary (musllinux wheels for x86_64 and aarch64)"
            ]
        );
        let on_glibc = known_advice(
            "psycopg2",
            &Verdict::bare(Outcome::Build, "why"),
            false,
            &known,
        );
        assert_eq!(on_glibc.len(), 1, "no apk line on Debian: {on_glibc:?}");
        assert!(
            known_advice(
                "psycopg2",
                &Verdict::bare(Outcome::Wheel, "ok"),
                true,
                &known
            )
            .is_empty()
        );
    }
}
