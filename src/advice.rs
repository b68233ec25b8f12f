//! Advice that needs knowledge beyond the index: what to `apk add` to build a package from source on Alpine,
//! the binary alternatives, and why some packages cannot work on musl at all (`data/packages.toml`). Also the
//! one pair of `apk add` lines that covers every package of a run that builds from source. Pure logic.

use std::collections::BTreeSet;

use crate::data::Knowledge;
use crate::report::{ApkPlan, Package, Report};
use crate::verdict::{Outcome, Verdict};

/// Adds the knowledge base's advice to every problem verdict of the report and the `apk` plan of the run.
pub fn enrich(report: &mut Report, lookup: impl Fn(&str) -> Option<&'static Knowledge> + Copy) {
    let musl: Vec<String> = report
        .targets
        .iter()
        .filter(|t| t.libc == "musl")
        .map(|t| t.id.clone())
        .collect();
    for package in &mut report.packages {
        let Some(name) = package.name.clone() else {
            continue;
        };
        let known = lookup(&name);
        for (id, verdict) in &mut package.targets {
            let on_musl = musl.contains(id);
            match known {
                Some(known) => verdict
                    .advice
                    .extend(known_advice(&name, verdict, on_musl, known)),
                None if on_musl && verdict.outcome == Outcome::Build => verdict.advice.push(format!(
                    "muslcheck's knowledge base has no entry for {name}: a C extension needs at least apk add \
                     gcc musl-dev (and the -dev package of each library it links); a pure-Python sdist needs \
                     nothing"
                )),
                None => {}
            }
        }
    }
    report.apk = apk_plan(&report.packages, &musl, lookup);
}

/// The advice lines the knowledge base adds to one problem verdict; `musl` says whether the target is an
/// Alpine one. On another target only the alternatives are given: apk package names mean nothing on Debian,
/// and the notes and failure texts speak of Alpine and musl.
pub fn known_advice(name: &str, verdict: &Verdict, musl: bool, known: &Knowledge) -> Vec<String> {
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
        Outcome::Fail | Outcome::Missing if musl => {
            if let Some(why) = &known.failure {
                lines.push(why.clone());
            }
        }
        _ => {}
    }
    if matches!(
        verdict.outcome,
        Outcome::Build | Outcome::Fail | Outcome::Missing
    ) {
        for alternative in &known.alternatives {
            lines.push(match &alternative.note {
                Some(note) => format!("alternative: {} ({note})", alternative.name),
                None => format!("alternative: {}", alternative.name),
            });
        }
        if let Some(notes) = known.notes.as_ref().filter(|_| musl) {
            lines.push(notes.clone());
        }
    }
    lines
}

/// One `apk add` line for building (a virtual package to delete after `pip install`) and one for run time,
/// covering every package that builds from source on a musl target. `None` when nothing builds there.
pub fn apk_plan<'k>(
    packages: &[Package],
    musl_targets: &[String],
    lookup: impl Fn(&str) -> Option<&'k Knowledge>,
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
    use crate::data::Alternative;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn known(name: &str, build: &[&str], run: &[&str]) -> Knowledge {
        Knowledge {
            name: name.to_string(),
            source: "test".to_string(),
            build: strings(build),
            run: strings(run),
            alternatives: Vec::new(),
            failure: None,
            notes: None,
        }
    }

    fn package(name: &str, outcome: Outcome) -> Package {
        let verdict = Verdict::bare(outcome, "why");
        crate::report::test_package(name, &[("cp312-musllinux_1_2_x86_64", verdict)])
    }

    #[test]
    fn one_pair_of_lines_for_every_package_that_builds() {
        let psycopg2 = known(
            "psycopg2",
            &["gcc", "musl-dev", "postgresql-dev"],
            &["libpq"],
        );
        let lxml = known(
            "lxml",
            &["gcc", "libxml2-dev", "libxslt-dev", "musl-dev"],
            &["libxml2", "libxslt"],
        );
        let lookup = |name: &str| match name {
            "psycopg2" => Some(&psycopg2),
            "lxml" => Some(&lxml),
            _ => None,
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
        let mut psycopg2 = known(
            "psycopg2",
            &["gcc", "musl-dev", "postgresql-dev"],
            &["libpq"],
        );
        psycopg2.alternatives = vec![Alternative {
            name: "psycopg2-binary".to_string(),
            note: Some("musllinux wheels for x86_64 and aarch64".to_string()),
        }];
        let build = Verdict::bare(Outcome::Build, "why");
        assert_eq!(
            known_advice("psycopg2", &build, true, &psycopg2),
            [
                "to build psycopg2 on Alpine: apk add gcc musl-dev postgresql-dev; at run time it needs: \
                 apk add libpq",
                "alternative: psycopg2-binary (musllinux wheels for x86_64 and aarch64)"
            ]
        );
        psycopg2.notes = Some("every Alpine install builds it".to_string());
        assert_eq!(known_advice("psycopg2", &build, true, &psycopg2).len(), 3);
        let on_glibc = known_advice("psycopg2", &build, false, &psycopg2);
        assert_eq!(
            on_glibc,
            ["alternative: psycopg2-binary (musllinux wheels for x86_64 and aarch64)"],
            "no apk line and no Alpine note on Debian"
        );
        let wheel = Verdict::bare(Outcome::Wheel, "ok");
        assert!(known_advice("psycopg2", &wheel, true, &psycopg2).is_empty());
        let mut torch = known("torch", &[], &[]);
        torch.failure = Some("no sdist and no musllinux wheel: stay on a glibc image".to_string());
        let fail = Verdict::bare(Outcome::Fail, "why");
        assert_eq!(
            known_advice("torch", &fail, true, &torch),
            ["no sdist and no musllinux wheel: stay on a glibc image"]
        );
        assert!(known_advice("torch", &fail, false, &torch).is_empty());
    }

    #[test]
    fn the_real_knowledge_base_covers_the_usual_builds() {
        let packages = vec![
            package("psycopg2", Outcome::Build),
            package("lxml", Outcome::Build),
        ];
        let targets = ["cp312-musllinux_1_2_x86_64".to_string()];
        let plan = apk_plan(&packages, &targets, crate::data::knowledge).unwrap();
        assert!(plan.unknown.is_empty(), "{plan:?}");
        for needed in ["gcc", "musl-dev", "libxml2-dev"] {
            assert!(plan.build.iter().any(|b| b == needed), "{needed}: {plan:?}");
        }
        assert!(plan.run.iter().any(|r| r == "libpq"), "{plan:?}");
    }
}
