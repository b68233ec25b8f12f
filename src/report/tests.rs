//! A hand-built report for the renderers' unit tests, and tests of the helpers they share.
use super::*;
use crate::verdict::{Class, Ignored};

const SLIM: &str = "cp312-manylinux_2_36_x86_64";
const ALPINE: &str = "cp312-musllinux_1_2_x86_64";

fn verdict(outcome: Outcome, version: &str, reason: &str) -> Verdict {
    let mut v = Verdict::bare(outcome, reason);
    v.version = (!version.is_empty()).then(|| version.to_string());
    v
}

fn wheel(version: &str, file: &str, size: u64, class: Class) -> Verdict {
    let mut v = verdict(Outcome::Wheel, version, "a wheel for cp312");
    v.file = Some(file.to_string());
    v.size = Some(size);
    v.class = Some(class);
    v
}

fn package(name: Option<&str>, requirement: &str, line: usize, cells: [Verdict; 2]) -> Package {
    let [slim, alpine] = cells;
    Package {
        name: name.map(str::to_string),
        version: slim.version.clone(),
        requirement: requirement.to_string(),
        source: Source {
            path: "requirements.txt".into(),
            line,
            key: None,
        },
        targets: [(SLIM.to_string(), slim), (ALPINE.to_string(), alpine)]
            .into_iter()
            .collect(),
    }
}

/// A hand-built report with every part a renderer draws: two targets compared (slim and alpine), every
/// outcome, advice, an ignored verdict, hostile text in a requirement, an apk plan, warnings and errors.
pub(crate) fn sample() -> Report {
    let mut psycopg2 = verdict(
        Outcome::Build,
        "2.9.10",
        "no wheels for this release; pip builds psycopg2-2.9.10.tar.gz",
    );
    psycopg2.file = Some("psycopg2-2.9.10.tar.gz".into());
    psycopg2.size = Some(385_672);
    psycopg2.class = Some(Class::SdistOnly);
    psycopg2.advice = vec![
        "psycopg2-binary has wheels for musllinux".into(),
        "apk add postgresql-dev before pip install".into(),
    ];
    let mut torch = verdict(
        Outcome::Fail,
        "2.5.1",
        "no sdist and no musllinux wheel (manylinux1 wheels only); pip fails",
    );
    torch.class = Some(Class::ManylinuxOnly);
    torch.advice =
        vec!["no release of torch listed on the index has a wheel for this target".into()];
    let mut ignored = verdict(Outcome::Build, "1.0", "no musllinux wheel for cp312");
    ignored.ignored = Some(Ignored {
        reason: "waiting for upstream".into(),
        expires: Some("2027-01-31".into()),
    });
    let evil = "<b>evil</b> | cell http://evil.example/x.js";
    let packages = vec![
        package(
            Some("six"),
            "six==1.16.0",
            1,
            [
                wheel(
                    "1.16.0",
                    "six-1.16.0-py2.py3-none-any.whl",
                    11_053,
                    Class::PurePython,
                ),
                wheel(
                    "1.16.0",
                    "six-1.16.0-py2.py3-none-any.whl",
                    11_053,
                    Class::PurePython,
                ),
            ],
        ),
        package(
            Some("psycopg2"),
            "psycopg2==2.9.10",
            2,
            [psycopg2.clone(), psycopg2],
        ),
        package(
            Some("torch"),
            "torch==2.5.1",
            3,
            [
                wheel(
                    "2.5.1",
                    "torch-2.5.1-cp312-cp312-manylinux1_x86_64.whl",
                    906_414_950,
                    Class::Manylinux,
                ),
                torch,
            ],
        ),
        package(
            Some("evil"),
            evil,
            4,
            [
                verdict(
                    Outcome::Missing,
                    "",
                    "<script>alert('x')</script> not on the index",
                ),
                verdict(
                    Outcome::Missing,
                    "",
                    "<script>alert('x')</script> not on the index",
                ),
            ],
        ),
        package(
            Some("flaky"),
            "flaky==1.0",
            5,
            [
                verdict(Outcome::Unknown, "", "the index answered 503 three times"),
                verdict(Outcome::Unknown, "", "the index answered 503 three times"),
            ],
        ),
        package(
            Some("pywin32"),
            "pywin32==308 ; sys_platform == 'win32'",
            6,
            [
                verdict(
                    Outcome::Skip,
                    "",
                    "marker is false: sys_platform == 'win32'",
                ),
                verdict(
                    Outcome::Skip,
                    "",
                    "marker is false: sys_platform == 'win32'",
                ),
            ],
        ),
        package(
            Some("legacy"),
            "legacy==1.0",
            7,
            [
                wheel(
                    "1.0",
                    "legacy-1.0-py3-none-any.whl",
                    1_000,
                    Class::PurePython,
                ),
                ignored,
            ],
        ),
    ];
    let targets = vec![
        TargetInfo {
            id: SLIM.into(),
            python: "3.12".into(),
            libc: "glibc",
            libc_version: "2.36".into(),
            arch: "x86_64",
            image: Some("python:3.12-slim".into()),
        },
        TargetInfo {
            id: ALPINE.into(),
            python: "3.12".into(),
            libc: "musl",
            libc_version: "1.2".into(),
            arch: "x86_64",
            image: Some("python:3.12-alpine".into()),
        },
    ];
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        index: crate::index::DEFAULT_INDEX_URL.into(),
        extra_index_urls: Vec::new(),
        targets,
        packages,
        errors: vec![ErrorEntry {
            path: "requirements.txt".into(),
            line: Some(9),
            column: Some(5),
            message: "expected a version after `==`, found `<`".into(),
        }],
        summary: BTreeMap::new(),
        download: BTreeMap::new(),
        compare: None,
        apk: Some(ApkPlan {
            build: vec!["gcc".into(), "musl-dev".into(), "postgresql-dev".into()],
            run: vec!["libpq".into()],
            build_command: "apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev"
                .into(),
            run_command: "apk add --no-cache libpq".into(),
            covers: vec!["psycopg2".into()],
            unknown: vec!["weird-pkg".into()],
        }),
        warnings: vec!["--find-links ./wheels in the requirements is not read".into()],
        notes: vec!["input: requirements.txt (requirements)".into()],
    };
    report.summarize();
    let labels = report
        .label_map()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    report.compare = Some(compare_targets(
        "python:3.12-slim",
        "python:3.12-alpine",
        &[(SLIM.to_string(), ALPINE.to_string())],
        &report.packages,
        &labels,
    ));
    report
}

#[test]
fn one_group_for_one_problem_whatever_advice_each_target_adds() {
    let mut report = sample();
    let musl = report.targets[1].id.clone();
    let psycopg2 = &mut report.packages[1];
    let advice = &mut psycopg2.targets.get_mut(&musl).unwrap().advice;
    advice.push("psycopg 3 has musllinux wheels".into());
    let psycopg2 = &report.packages[1];
    let groups = report.problem_groups(psycopg2);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].targets, [0, 1]);
    assert_eq!(
        groups[0].advice,
        [
            "psycopg2-binary has wheels for musllinux",
            "apk add postgresql-dev before pip install",
            "psycopg 3 has musllinux wheels (musl)",
        ]
    );
    // SARIF and GitHub annotations: one result, carrying every line.
    let sarif: serde_json::Value = serde_json::from_str(&super::sarif::render(&report)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let of_psycopg2: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["properties"]["package"] == "psycopg2")
        .collect();
    assert_eq!(of_psycopg2.len(), 1);
    assert!(
        of_psycopg2[0]["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with("psycopg 3 has musllinux wheels (musl).")
    );
    let github = super::github::render(&report);
    assert_eq!(
        github.matches("psycopg2 builds from source").count(),
        1,
        "{github}"
    );
}

#[test]
fn problem_groups_gather_targets_that_say_the_same() {
    let report = sample();
    let psycopg2 = &report.packages[1];
    let groups = report.problem_groups(psycopg2);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].targets, [0, 1]);
    let torch = &report.packages[2];
    let groups = report.problem_groups(torch);
    assert_eq!(groups.len(), 1, "the wheel on slim is no problem");
    assert_eq!(groups[0].targets, [1]);
    assert_eq!(report.labels(), ["glibc", "musl"]);
    let order: Vec<String> = report
        .packages_by_severity()
        .iter()
        .map(|p| p.display_name())
        .collect();
    assert_eq!(
        order,
        [
            "torch", "evil", "psycopg2", "legacy", "flaky", "six", "pywin32"
        ]
    );
}
