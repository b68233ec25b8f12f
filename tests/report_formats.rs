//! The report formats (`--format markdown|html|sarif|github`) and `--output`, on real runs against the
//! recorded index: each output is compared with a committed snapshot in `tests/snapshots/`, after the local
//! index's port and the tool's version are normalised. The snapshots are insta's (`<name>.snap`: a short
//! header, then the output as it is). After an intended change to a renderer, run
//! `cargo insta test --review --test report_formats` (or `INSTA_UPDATE=always cargo test --test
//! report_formats`) and review the diff. In CI (`CI` set) a difference fails and nothing is written.
//!
//! `tests/snapshots/matrix.html.snap` is also what `scripts/check-html-report.sh` opens in a headless browser.
//! The SARIF output is validated against the official SARIF 2.1.0 JSON schema
//! (`tests/fixtures/sarif-schema-2.1.0.json`, see `tests/fixtures/README.md`).

mod common;

use common::{TestIndex, code, fixtures, muslcheck};
use serde_json::Value;

const FORMATS: [(&str, &str); 4] = [
    ("markdown", "md"),
    ("html", "html"),
    ("sarif", "sarif"),
    ("github", "github.txt"),
];

/// Every verdict over two targets: wheel, build (spacy on aarch64 only, psycopg2 everywhere), fail, missing,
/// skip.
const MATRIX: &[&str] = &[
    "tests/fixtures/report/requirements.txt",
    "--arch",
    "x86_64,aarch64",
];

/// Slim against alpine, with a line that does not parse (exit code 2).
const COMPARE: &[&str] = &["tests/fixtures/report/compare.txt", "--compare"];

/// Runs the binary from the repository root (so the report names the input by its relative path).
fn run(index: &TestIndex, args: &[&str], format: &str) -> (i32, String) {
    let url = index.url();
    let mut all: Vec<&str> = args.to_vec();
    // Each line on its own: the recorded index holds only the named projects.
    all.extend(["--no-deps", "--index-url", &url, "--format", format]);
    let out = muslcheck(&all);
    let stdout = String::from_utf8(out.stdout.clone()).expect("reports are UTF-8");
    assert!(
        !stdout.is_empty(),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code(&out), normalise(&stdout, index))
}

/// The local index's address and the tool's version are the only things that change from run to run.
fn normalise(text: &str, index: &TestIndex) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.replace(&index.base, "http://127.0.0.1:PORT")
        .replace(&format!("muslcheck {version}"), "muslcheck VERSION")
        .replace(
            &format!("\"version\": \"{version}\""),
            "\"version\": \"VERSION\"",
        )
        .replace(
            &format!("\"semanticVersion\": \"{version}\""),
            "\"semanticVersion\": \"VERSION\"",
        )
}

/// `actual` against `tests/snapshots/<name>.snap`: the report after insta's `---` header. On a difference
/// insta shows the diff and the test fails; outside CI it also writes `<name>.snap.new` beside it, for
/// `cargo insta review` or `INSTA_UPDATE=always` to accept.
fn snapshot(name: &str, actual: &str) {
    // insta ignores how the text ends; a report ends in exactly one newline.
    assert!(
        actual.ends_with('\n') && !actual.ends_with("\n\n"),
        "{name}"
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, actual));
}

/// The schema's complaints about a SARIF log (formats such as `uri-reference` included).
fn sarif_errors(log: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn validate_sarif(text: &str) {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors = sarif_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
}

#[test]
fn the_schema_catches_a_broken_log() {
    let index = TestIndex::start();
    let (_, text) = run(&index, MATRIX, "sarif");
    let mut log: Value = serde_json::from_str(&text).unwrap();
    assert!(sarif_errors(&log).is_empty());
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpText"] = "not a SARIF property".into();
    assert_eq!(sarif_errors(&log).len(), 3, "{:#?}", sarif_errors(&log));
}

fn check_all_formats(args: &[&str], stem: &str, expected_code: i32) {
    let index = TestIndex::start();
    let (terminal_code, _) = run(&index, args, "terminal");
    assert_eq!(terminal_code, expected_code);
    for (format, ext) in FORMATS {
        let (exit, text) = run(&index, args, format);
        assert_eq!(exit, terminal_code, "{format} changed the exit code");
        if format == "sarif" {
            validate_sarif(&text);
        }
        snapshot(&format!("{stem}.{ext}"), &text);
    }
}

#[test]
fn every_format_of_a_two_target_run_matches_its_snapshot() {
    check_all_formats(MATRIX, "matrix", 1);
}

#[test]
fn every_format_of_a_comparison_with_an_input_error_matches_its_snapshot() {
    check_all_formats(COMPARE, "compare", 2);
}

#[test]
fn the_sarif_results_point_at_the_requirement_lines() {
    let index = TestIndex::start();
    let (_, text) = run(&index, MATRIX, "sarif");
    let log: Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let found: Vec<(String, u64, String)> = results
        .iter()
        .map(|r| {
            let at = &r["locations"][0]["physicalLocation"];
            assert_eq!(
                at["artifactLocation"]["uri"],
                "tests/fixtures/report/requirements.txt"
            );
            (
                r["ruleId"].as_str().unwrap().to_string(),
                at["region"]["startLine"].as_u64().unwrap(),
                r["properties"]["targets"].to_string(),
            )
        })
        .collect();
    let x86 = r#""cp312-musllinux_1_2_x86_64""#;
    let arm = r#""cp312-musllinux_1_2_aarch64""#;
    assert_eq!(
        found,
        [
            ("muslcheck/fail".into(), 4, format!("[{x86},{arm}]")),
            ("muslcheck/missing".into(), 6, format!("[{x86},{arm}]")),
            ("muslcheck/build".into(), 3, format!("[{arm}]")),
            ("muslcheck/build".into(), 5, format!("[{x86},{arm}]")),
        ]
    );
    // The same run again gives the same fingerprints.
    let (_, again) = run(&index, MATRIX, "sarif");
    assert_eq!(text, again);
}

/// The matrix run in `format`, written to `output`.
fn output_args<'a>(url: &'a str, format: &'a str, output: &'a str) -> Vec<&'a str> {
    let mut args: Vec<&str> = MATRIX.to_vec();
    args.extend([
        "--no-deps",
        "--index-url",
        url,
        "--format",
        format,
        "--output",
        output,
    ]);
    args
}

#[test]
fn output_writes_the_report_to_a_file_and_replaces_it_whole() {
    let index = TestIndex::start();
    let url = index.url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    std::fs::write(&path, "an older report\n").unwrap();
    let out = muslcheck(&output_args(&url, "markdown", path.to_str().unwrap()));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "nothing on stdout with --output");
    let written = std::fs::read_to_string(&path).unwrap();
    let (_, stdout) = run(&index, MATRIX, "markdown");
    assert_eq!(normalise(&written, &index), stdout);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["report.md"], "no temporary file left beside it");

    // A terminal report written to a file has no colour codes.
    let text_path = dir.path().join("report.txt");
    let out = common::command()
        .args(MATRIX)
        .args(["--index-url", &url, "--output"])
        .arg(&text_path)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        !std::fs::read_to_string(&text_path)
            .unwrap()
            .contains('\x1b')
    );

    // A file that cannot be written: a message naming it, exit 4 (muslcheck could not do its work; the input
    // was fine), nothing left behind.
    let missing = dir.path().join("no-such-dir/report.html");
    let out = muslcheck(&output_args(&url, "html", missing.to_str().unwrap()));
    assert_eq!(code(&out), 4);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to ") && stderr.contains("no-such-dir"),
        "{stderr}"
    );
    // A directory is not a file.
    let out = muslcheck(&output_args(&url, "terminal", dir.path().to_str().unwrap()));
    assert_eq!(code(&out), 4);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write the report to"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A report replacing another keeps its mode (a private report stays private); the temporary file has a
/// random name, so a link planted where a predictable one would be is not written through.
#[cfg(unix)]
#[test]
fn output_keeps_the_mode_of_the_report_it_replaces_and_follows_no_planted_link() {
    use std::os::unix::fs::PermissionsExt;
    let index = TestIndex::start();
    let url = index.url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    std::fs::write(&path, "private\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "untouched\n").unwrap();
    for pid in 0..2000u32 {
        let planted = dir.path().join(format!(".report.md.muslcheck-{pid}.tmp"));
        std::os::unix::fs::symlink(&victim, planted).unwrap();
    }
    let out = muslcheck(&output_args(&url, "markdown", path.to_str().unwrap()));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("# muslcheck report")
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    // A new report is readable as a new file usually is.
    let fresh = dir.path().join("fresh.md");
    muslcheck(&output_args(&url, "markdown", fresh.to_str().unwrap()));
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

/// `-o` on a symlink (or a device, such as `/dev/null`) writes through it: only a regular file is replaced.
#[cfg(unix)]
#[test]
fn output_writes_through_a_symlink_instead_of_replacing_it() {
    let index = TestIndex::start();
    let url = index.url();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.md");
    std::fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = muslcheck(&output_args(&url, "markdown", link.to_str().unwrap()));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("# muslcheck")
    );
}
