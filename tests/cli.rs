//! End-to-end behaviour of the binary that does not depend on the recorded verdict table: exit codes, errors,
//! request counts, credentials, stdin, report shape.

mod common;

use common::{
    Behaviour, TestIndex, code, json, muslcheck, muslcheck_with_stdin, temp_requirements,
};

const TID: &str = "cp312-musllinux_1_2_x86_64";

fn verdict<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    common::cell(report, name, TID)
}

#[test]
fn all_wheels_exit_zero_and_the_json_follows_the_schema() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("six==1.16.0\nnumpy==2.1.3\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "muslcheck");
    assert_eq!(report["targets"][0]["id"], TID);
    assert_eq!(report["targets"][0]["libc"], "musl");
    assert_eq!(report["targets"][0]["libc_version"], "1.2");
    assert_eq!(report["index"], index.url());
    let numpy = &report["packages"][1];
    assert_eq!(numpy["name"], "numpy");
    assert_eq!(numpy["version"], "2.1.3");
    assert_eq!(numpy["requirement"], "numpy==2.1.3");
    assert_eq!(numpy["source"]["line"], 2);
    assert_eq!(numpy["targets"][TID]["outcome"], "wheel");
    assert_eq!(numpy["targets"][TID]["class"], "musllinux");
    assert_eq!(
        numpy["targets"][TID]["file"],
        "numpy-2.1.3-cp312-cp312-musllinux_1_1_x86_64.whl"
    );
    assert_eq!(numpy["targets"][TID]["yanked"], false);
    assert!(
        numpy["targets"][TID]["advice"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(report["summary"][TID]["wheel"], 2);
    assert_eq!(report["summary"][TID]["unknown"], 0);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn fail_on_sets_the_gate() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("docopt==0.6.2\nsix==1.16.0\n");
    let url = index.url();
    let run = |fail_on: &str| {
        code(&muslcheck(&[
            &path,
            "--index-url",
            &url,
            "--fail-on",
            fail_on,
        ]))
    };
    assert_eq!(run("build"), 1, "a build fails the default gate");
    assert_eq!(run("fail"), 0, "a build passes --fail-on fail");
    let (_dir2, failing) = temp_requirements("torch==2.5.1\n");
    let out = muslcheck(&[&failing, "--index-url", &url, "--fail-on", "fail"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        code(&muslcheck(&[
            &failing,
            "--index-url",
            &url,
            "--fail-on",
            "never"
        ])),
        0
    );
}

#[test]
fn bad_lines_are_reported_with_positions_and_the_rest_is_checked() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("six==1.16.0\nnumpy=>2\nidna==3.10\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    assert_eq!(code(&out), 2);
    let report = json(&out);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], path.as_str());
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["column"], 6);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid requirement")
    );
    assert_eq!(verdict(&report, "six")["outcome"], "wheel");
    assert_eq!(verdict(&report, "idna")["outcome"], "wheel");
    // The terminal report names the place too, and exit 2 wins over the gate.
    let (_dir2, both) = temp_requirements("torch==2.5.1\n  numpy=>2\n");
    let out = muslcheck(&[&both, "--index-url", &index.url()]);
    assert_eq!(code(&out), 2);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("error: {both}:2:8: invalid requirement")),
        "{text}"
    );
}

#[test]
fn one_request_per_project_however_many_lines_name_it() {
    let index = TestIndex::start();
    let (_dir, path) =
        temp_requirements("PyYAML==6.0\npyyaml>=5\nPYYAML\ndocopt ; python_version < '3'\nsix\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    assert_eq!(json(&out)["packages"].as_array().unwrap().len(), 5);
    assert_eq!(index.hits("/simple/pyyaml/"), 1);
    assert_eq!(
        index.hits("/simple/docopt/"),
        0,
        "a requirement whose marker is false is not looked up"
    );
    assert_eq!(index.hits("/simple/six/"), 1);
}

#[test]
fn a_failing_index_makes_verdicts_unknown_never_a_guess() {
    let behaviour = Behaviour {
        failing: ["numpy".to_string()].into(),
        ..Behaviour::default()
    };
    let index = TestIndex::start_with(behaviour);
    let (_dir, path) = temp_requirements("numpy==2.1.3\nsix==1.16.0\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    assert_eq!(code(&out), 3, "unknown lookups and nothing else: exit 3");
    let report = json(&out);
    let numpy = verdict(&report, "numpy");
    assert_eq!(numpy["outcome"], "unknown");
    assert!(numpy["file"].is_null() && numpy["class"].is_null());
    assert!(
        numpy["reason"].as_str().unwrap().contains("503"),
        "{}",
        numpy["reason"]
    );
    assert_eq!(
        index.hits("/simple/numpy/"),
        4,
        "the first request and three retries"
    );
    assert_eq!(verdict(&report, "six")["outcome"], "wheel");
}

#[test]
fn an_unreachable_index_is_unknown_for_every_requirement() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_dir, path) = temp_requirements("six==1.16.0\n");
    let url = format!("http://127.0.0.1:{port}/simple/");
    let out = muslcheck(&[
        &path,
        "--index-url",
        &url,
        "--format",
        "json",
        "--timeout",
        "2",
    ]);
    assert_eq!(code(&out), 3);
    assert_eq!(verdict(&json(&out), "six")["outcome"], "unknown");
}

#[test]
fn credentials_are_sent_and_never_printed() {
    let behaviour = Behaviour {
        basic_auth: Some("ci-bot:s3cr3t-t0ken".into()),
        ..Behaviour::default()
    };
    let index = TestIndex::start_with(behaviour);
    let url = index
        .url()
        .replace("http://", "http://ci-bot:s3cr3t-t0ken@");
    let (_dir, path) = temp_requirements("six==1.16.0\nnumpy==2.1.3\n");
    for format in ["json", "terminal"] {
        let out = muslcheck(&[&path, "--index-url", &url, "--format", format]);
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("s3cr3t"), "credentials printed:\n{all}");
        assert!(
            all.contains(&index.url()),
            "the index is named without credentials"
        );
    }
    assert!(
        index.auth_headers().iter().all(Option::is_some),
        "every request carried the credentials"
    );
    // Credentials in URL, VCS and editable lines are not printed either.
    let (_dir2, urls) = temp_requirements(
        "foo @ https://alice:s3cr3t@example.invalid/foo-1.0.tar.gz\n\
         git+https://ghp_s3cr3t@example.invalid/x/y.git#egg=y\n-e git+https://u:s3cr3t@example.invalid/z.git#egg=z\n",
    );
    for format in ["json", "terminal"] {
        let out = muslcheck(&[&urls, "--index-url", &index.url(), "--format", format]);
        let all = String::from_utf8_lossy(&out.stdout);
        assert!(!all.contains("s3cr3t"), "credentials printed:\n{all}");
        assert!(all.contains("example.invalid/x/y.git"), "{all}");
    }
    // Wrong credentials: the 401 is an unknown lookup, and its message holds no secret either.
    let wrong = index.url().replace("http://", "http://ci-bot:wrong-pass@");
    let out = muslcheck(&[&path, "--index-url", &wrong]);
    assert_eq!(code(&out), 3);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong-pass"));
}

#[test]
fn pip_index_url_from_the_environment_and_requirements_from_stdin() {
    let index = TestIndex::start();
    let out = common::command()
        .args(["-", "--format", "json"])
        .env("PIP_INDEX_URL", index.url())
        .stdin(std::fs::File::open(common::fixtures().join("e2e/stdin.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["packages"][0]["source"]["path"], "<stdin>");
    assert_eq!(verdict(&report, "six")["outcome"], "wheel");
    let out = muslcheck_with_stdin(&["-", "--index-url", &index.url()], Some("six==1.16.0\n"));
    assert_eq!(code(&out), 0);
}

#[test]
fn terminal_report_puts_problems_first_and_counts_them() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements(
        "six==1.16.0\ndocopt==0.6.2\ntorch==2.5.1\npywin32==308 ; sys_platform == 'win32'\n",
    );
    let out = muslcheck(&[&path, "--index-url", &index.url()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "no colour when not a terminal / NO_COLOR"
    );
    assert!(text.starts_with("muslcheck "), "{text}");
    assert!(text.contains("CPython 3.12 · musl 1.2 · x86_64"), "{text}");
    let order: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| ["FAIL", "BUILD", "WHEEL", "SKIP"].contains(w))
        .collect();
    assert_eq!(order, ["FAIL", "BUILD", "WHEEL", "SKIP"], "{text}");
    assert!(
        text.contains(
            "4 requirements: 1 wheel · 1 build · 1 fail · 1 skip · 0 missing · 0 unknown"
        ),
        "{text}"
    );
}

#[test]
fn target_flags_change_the_answer_and_bad_ones_are_usage_errors() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("spacy==3.8.2\n");
    let url = index.url();
    let out = muslcheck(&[
        &path,
        "--index-url",
        &url,
        "--arch",
        "aarch64",
        "--format",
        "json",
    ]);
    let report = json(&out);
    assert_eq!(report["targets"][0]["id"], "cp312-musllinux_1_2_aarch64");
    assert_eq!(
        report["packages"][0]["targets"]["cp312-musllinux_1_2_aarch64"]["outcome"],
        "build"
    );
    for bad in [
        ["--python", "2.7"],
        ["--arch", "sparc"],
        ["--musl", "1.3"],
        ["--fail-on", "sometimes"],
    ] {
        let out = muslcheck(&[&path, "--index-url", &url, bad[0], bad[1]]);
        assert_eq!(code(&out), 2, "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements(&"six==1.16.0\n".repeat(2000));
    let mut child = common::command()
        .args([
            path.as_str(),
            "--index-url",
            &index.url(),
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code(&out), 0);
}

#[test]
fn when_nothing_can_be_read_the_errors_go_to_stderr_and_no_report_is_written() {
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("requirements.txt");
    for (argument, said) in [
        (empty.path(), "no dependency file in"),
        (missing.as_path(), "cannot read"),
    ] {
        let out = muslcheck(&[argument.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code(&out), 2);
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("muslcheck: ") && stderr.contains(said),
            "{stderr}"
        );
    }
}
