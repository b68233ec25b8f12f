//! Settings from `muslcheck.toml` or `[tool.muslcheck]` beside the input: default targets, the gate, and an
//! ignore list whose entries need a reason and may expire. Flags override the file.

mod common;

use common::{TestIndex, code, json, muslcheck};
use serde_json::Value;

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().join("requirements.txt");
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

fn run(index: &TestIndex, path: &str, flags: &[&str]) -> (i32, Value) {
    let url = index.url();
    let mut args = vec![path, "--index-url", &url, "--format", "json"];
    args.extend_from_slice(flags);
    let out = muslcheck(&args);
    (code(&out), json(&out))
}

fn ids(report: &Value) -> Vec<&str> {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect()
}

const REQUIREMENTS: &str = "six==1.16.0\ndocopt==0.6.2\ntorch==2.5.1\n";

#[test]
fn targets_and_the_gate_come_from_the_file_unless_a_flag_says() {
    let index = TestIndex::start();
    let settings = "python = [\"3.11\", \"3.13\"]\narch = \"aarch64\"\nfail-on = \"never\"\n";
    let (_dir, path) = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("muslcheck.toml", settings),
    ]);
    let (exit, report) = run(&index, &path, &[]);
    assert_eq!(
        ids(&report),
        ["cp311-musllinux_1_2_aarch64", "cp313-musllinux_1_2_aarch64"]
    );
    assert_eq!(exit, 0, "fail-on = never");
    assert!(
        report["notes"].to_string().contains("settings: "),
        "{}",
        report["notes"]
    );
    // Flags win.
    let (exit, report) = run(&index, &path, &["--python", "3.12", "--fail-on", "fail"]);
    assert_eq!(ids(&report), ["cp312-musllinux_1_2_aarch64"]);
    assert_eq!(exit, 1, "torch fails on aarch64 too");
}

#[test]
fn ignored_problems_stay_in_the_report_but_not_in_the_exit_code() {
    let index = TestIndex::start();
    let pyproject = "[project]\nname = \"app\"\nversion = \"1\"\n\n[tool.muslcheck]\nfail-on = \"fail\"\n\
                     ignore = [\n  { name = \"Torch\", reason = \"GPU service, stays on slim\", expires = 2999-01-01 },\n]\n";
    let (_dir, path) = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("pyproject.toml", pyproject),
    ]);
    let (exit, report) = run(&index, &path, &[]);
    assert_eq!(exit, 0, "{report}");
    let torch = &report["packages"][2]["targets"]["cp312-musllinux_1_2_x86_64"];
    assert_eq!(torch["outcome"], "fail");
    assert_eq!(torch["ignored"]["reason"], "GPU service, stays on slim");
    assert_eq!(torch["ignored"]["expires"], "2999-01-01");
    // The terminal report says so under the line.
    let url = index.url();
    let out = muslcheck(&[&path, "--index-url", &url]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ignored until 2999-01-01: GPU service, stays on slim"),
        "{text}"
    );

    // Expired: the problem counts again, and a warning says why.
    let expired = pyproject.replace("2999-01-01", "2001-01-01");
    let (_dir2, path2) = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("pyproject.toml", &expired),
    ]);
    let (exit, report) = run(&index, &path2, &[]);
    assert_eq!(exit, 1);
    assert!(
        report["warnings"]
            .to_string()
            .contains("the ignore entry for torch (")
            && report["warnings"]
                .to_string()
                .contains("expired on 2001-01-01"),
        "{}",
        report["warnings"]
    );
    assert!(report["packages"][2]["targets"]["cp312-musllinux_1_2_x86_64"]["ignored"].is_null());
}

#[test]
fn a_bad_settings_file_is_an_input_error_with_its_position() {
    let index = TestIndex::start();
    let settings = "python = \"3.12\"\n\n[[ignore]]\nname = \"torch\"\n";
    let (_dir, path) = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("muslcheck.toml", settings),
    ]);
    let (exit, report) = run(&index, &path, &[]);
    assert_eq!(exit, 2);
    let error = &report["errors"][0];
    assert!(
        error["path"].as_str().unwrap().ends_with("muslcheck.toml"),
        "{error}"
    );
    assert_eq!(error["line"], 3);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("needs a reason"),
        "{error}"
    );
    // Every requirement is still checked.
    assert_eq!(report["packages"].as_array().unwrap().len(), 3);

    let (_dir2, path2) = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("muslcheck.toml", "python = \"2.7\"\n"),
    ]);
    let (exit, report) = run(&index, &path2, &[]);
    assert_eq!(exit, 2);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("python = \"2.7\": "),
        "{report}"
    );
}
