//! Every dependency format, end to end against the recorded index: the verdicts of a project's file equal
//! those of the pinned requirements file the same project would have (`equivalent.txt` beside it).

mod common;

use std::collections::BTreeMap;

use common::{TestIndex, code, fixtures, json, muslcheck};
use serde_json::Value;

const TID: &str = "cp312-musllinux_1_2_x86_64";

/// name → (outcome, version, file) of every requirement that is not skipped.
fn checked(report: &Value) -> BTreeMap<String, (Value, Value, Value)> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["targets"][TID]["outcome"] != "skip")
        .map(|p| {
            let v = &p["targets"][TID];
            let name = p["name"].as_str().unwrap().to_string();
            (
                name,
                (
                    v["outcome"].clone(),
                    p["version"].clone(),
                    v["file"].clone(),
                ),
            )
        })
        .collect()
}

fn run(index: &TestIndex, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    let url = index.url();
    all.extend(["--index-url", &url, "--format", "json"]);
    let out = muslcheck(&all);
    assert_ne!(
        code(&out),
        2,
        "input errors: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    json(&out)
}

/// Checks `dir/file` with `flags` and returns the report, after comparing it with `dir/equivalent.txt`.
fn same_as_equivalent(dir: &str, file: &str, flags: &[&str]) -> Value {
    let index = TestIndex::start();
    let base = fixtures().join("formats").join(dir);
    let target = base.join(file);
    // What the file says, not what it pulls in: the recorded index holds only the named projects.
    let mut args = vec![target.to_str().unwrap(), "--no-deps"];
    args.extend(flags);
    let report = run(&index, &args);
    let equivalent = base.join("equivalent.txt");
    let pinned = run(
        &index,
        &[
            equivalent.to_str().unwrap(),
            "--python",
            "3.12",
            "--no-deps",
        ],
    );
    let (ours, theirs) = (checked(&report), checked(&pinned));
    assert!(!theirs.is_empty());
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{dir}: the same packages are checked"
    );
    for (name, verdict) in &theirs {
        assert_eq!(&ours[name], verdict, "{dir}: {name}");
        assert_ne!(
            verdict.0, "unknown",
            "{dir}: {name} must be in the recorded index"
        );
    }
    assert_eq!(
        report["targets"][0]["python"], "3.12",
        "{dir}: from requires-python"
    );
    report
}

fn source_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    &report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["source"]
}

fn reason_of(report: &Value, name: &str) -> String {
    let p = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap();
    p["targets"][TID]["reason"].as_str().unwrap().to_string()
}

#[test]
fn pep_621_pyproject_with_extras_and_groups() {
    let report = same_as_equivalent(
        "pep621",
        "pyproject.toml",
        &["--extra", "cli", "--group", "dev"],
    );
    let source = source_of(&report, "numpy");
    assert_eq!(source["line"], 13);
    assert_eq!(source["key"], "project.dependencies[0]");
    assert_eq!(
        source_of(&report, "six")["key"],
        "dependency-groups.test[0]"
    );
    assert!(
        report["notes"][1]
            .as_str()
            .unwrap()
            .contains("requires-python >=3.12")
    );
}

#[test]
fn poetry_pyproject() {
    let report = same_as_equivalent(
        "poetry",
        "pyproject.toml",
        &["--extra", "postgres", "--dev"],
    );
    assert!(reason_of(&report, "shared-utils").starts_with("path dependency ../shared-utils"));
    assert!(reason_of(&report, "sensor-sdk").starts_with("git dependency"));
    assert_eq!(
        source_of(&report, "psycopg2")["key"],
        "tool.poetry.dependencies.psycopg2"
    );
}

#[test]
fn uv_lock() {
    let report = same_as_equivalent("uv", "uv.lock", &[]);
    assert!(reason_of(&report, "six").contains("not installed with the selected"));
    assert_eq!(source_of(&report, "numpy")["key"], "package[8]");
}

#[test]
fn poetry_lock() {
    let report = same_as_equivalent("poetry-lock", "poetry.lock", &["--dev"]);
    assert!(reason_of(&report, "psycopg2").starts_with("optional"));
}

#[test]
fn pdm_lock() {
    let report = same_as_equivalent("pdm", "pdm.lock", &["--group", "test"]);
    assert!(reason_of(&report, "sensor-sdk").starts_with("git source"));
}

#[test]
fn pylock_toml() {
    same_as_equivalent("pylock", "pylock.toml", &["--group", "dev"]);
}

#[test]
fn pipfile_lock_read_through_its_directory() {
    let report = same_as_equivalent("pipenv", "", &["--dev"]);
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .ends_with("Pipfile.lock (Pipfile.lock)")
    );
    // The directory's other dependency file is named, not read silently past.
    let passed_over = report["notes"][1].as_str().unwrap();
    assert!(
        passed_over.ends_with("also holds Pipfile, not read (name a file to check it)"),
        "{passed_over}"
    );
    assert_eq!(source_of(&report, "numpy")["key"], "default.numpy");
}

#[test]
fn pip_freeze_output() {
    let report = same_as_equivalent("freeze", "requirements.txt", &[]);
    assert!(reason_of(&report, "ingest-api").starts_with("direct URL reference file:///"));
}

#[test]
fn bad_toml_is_an_input_error_with_its_position() {
    let index = TestIndex::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pyproject.toml");
    std::fs::write(
        &path,
        "[project]\nname = \"x\"\ndependencies = [\"six==1.16.0\",\n  \"numpy\" \"pandas\"]\n",
    )
    .unwrap();
    let url = index.url();
    let out = muslcheck(&[
        path.to_str().unwrap(),
        "--index-url",
        &url,
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 2);
    let error = &json(&out)["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(4), Some(11))
    );
    let lock = dir.path().join("poetry.lock");
    std::fs::write(&lock, "[metadata]\nlock-version = \"7.0\"\n").unwrap();
    let out = muslcheck(&[
        lock.to_str().unwrap(),
        "--index-url",
        &url,
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        json(&out)["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("lock-version '7.0'")
    );
}

#[test]
fn a_python_outside_requires_python_is_a_warning() {
    let index = TestIndex::start();
    let file = fixtures().join("formats/pep621/pyproject.toml");
    let url = index.url();
    let out = muslcheck(&[
        file.to_str().unwrap(),
        "--python",
        "3.11",
        "--index-url",
        &url,
        "--format",
        "json",
    ]);
    let report = json(&out);
    assert_eq!(report["targets"][0]["python"], "3.11");
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("outside the project's requires-python >=3.12")
    );
}

#[test]
fn no_argument_means_the_current_directory() {
    let index = TestIndex::start();
    let out = common::command()
        .current_dir(fixtures().join("formats/uv"))
        .args(["--index-url", &index.url(), "--format", "json"])
        .output()
        .unwrap();
    let report = json(&out);
    assert_eq!(report["notes"][0], "input: ./uv.lock (uv.lock)");
}
