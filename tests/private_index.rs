//! Private indexes as pip and uv users configure them: the index from pip's config files and uv's variables,
//! basic auth from a netrc file, and an HTTP proxy from `HTTP_PROXY` (bypassed by `NO_PROXY`). Every file and
//! variable is a temporary one; the machine's own pip config and netrc are never read.

mod common;

use std::path::Path;
use std::process::Output;

use common::{Behaviour, TestIndex, code, json, temp_requirements};

const TID: &str = "cp312-musllinux_1_2_x86_64";

fn all_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn notes(report: &serde_json::Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_index_comes_from_a_user_pip_config_and_the_report_says_so() {
    let index = TestIndex::start();
    let extra = TestIndex::start();
    let (dir, path) = temp_requirements("six==1.16.0\n");
    let home = dir.path().join("home");
    let xdg = dir.path().join("xdg");
    // [install] beats [global] of any file, so a machine-wide /etc/pip.conf cannot change the answer.
    write(
        &xdg.join("pip/pip.conf"),
        &format!(
            "[global]\nindex-url = http://127.0.0.1:9/simple/\n\
             [install]\nindex-url = {}\nextra-index-url =\n    {}\n",
            index.url(),
            extra.url()
        ),
    );
    let run = |args: &[&str], config_file: Option<&str>| {
        let mut command = common::command();
        command
            .arg(&path)
            .args(args)
            .args(["--format", "json"])
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &xdg);
        match config_file {
            Some(file) => command.env("PIP_CONFIG_FILE", file),
            None => command.env_remove("PIP_CONFIG_FILE"),
        };
        command.output().unwrap()
    };
    let out = run(&[], None);
    assert_eq!(code(&out), 0, "{}", all_text(&out));
    let report = json(&out);
    assert_eq!(report["index"], index.url());
    assert_eq!(report["extra_index_urls"], serde_json::json!([extra.url()]));
    assert_eq!(common::cell(&report, "six", TID)["outcome"], "wheel");
    assert_eq!(
        extra.hits("/simple/six/"),
        1,
        "the extra index is asked too"
    );
    let expected = format!(
        "index: from pip config file {} ([install] index-url)",
        xdg.join("pip/pip.conf").display()
    );
    assert!(notes(&report).contains(&expected), "{:?}", notes(&report));

    // PIP_CONFIG_FILE=/dev/null turns every file off: the extra index is not asked any more.
    let out = run(&["--index-url", &index.url()], Some("/dev/null"));
    assert_eq!(code(&out), 0, "{}", all_text(&out));
    let report = json(&out);
    assert!(
        report["extra_index_urls"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    assert_eq!(extra.hits("/simple/six/"), 1);
    assert!(!notes(&report).iter().any(|n| n.starts_with("index:")));
}

#[test]
fn uv_variables_name_the_index_and_pip_index_url_beats_them() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("six==1.16.0\n");
    let run = |vars: &[(&str, &str)]| {
        let mut command = common::command();
        command.args([path.as_str(), "--format", "json"]);
        for (k, v) in vars {
            command.env(k, v);
        }
        json(&command.output().unwrap())
    };
    let url = index.url();
    let report = run(&[("UV_DEFAULT_INDEX", &url)]);
    assert_eq!(report["index"], url);
    assert!(notes(&report).contains(&"index: from UV_DEFAULT_INDEX".to_string()));
    let report = run(&[("UV_INDEX_URL", &url)]);
    assert!(notes(&report).contains(&"index: from UV_INDEX_URL".to_string()));
    let report = run(&[
        ("PIP_INDEX_URL", &url),
        ("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple/"),
    ]);
    assert_eq!(common::cell(&report, "six", TID)["outcome"], "wheel");
    assert!(notes(&report).contains(&"index: from PIP_INDEX_URL".to_string()));
}

#[test]
fn a_netrc_password_reaches_the_server_and_nothing_prints_it() {
    let behaviour = Behaviour {
        basic_auth: Some("ci-bot:n3trc-s3cr3t".into()),
        ..Behaviour::default()
    };
    let index = TestIndex::start_with(behaviour);
    let (dir, path) = temp_requirements("six==1.16.0\nnumpy==2.1.3\n");
    let netrc = dir.path().join("netrc");
    write(
        &netrc,
        "machine example.invalid login x password y\n\
         machine 127.0.0.1\n  login ci-bot\n  password \"n3trc-s3cr3t\"\n",
    );
    for format in ["json", "terminal"] {
        let out = common::command()
            .args([
                path.as_str(),
                "--index-url",
                &index.url(),
                "--format",
                format,
            ])
            .env("NETRC", &netrc)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", all_text(&out));
        assert!(
            !all_text(&out).contains("n3trc-s3cr3t"),
            "{}",
            all_text(&out)
        );
        assert!(
            all_text(&out).contains("credentials: from "),
            "the report says where credentials came from"
        );
    }
    // base64("ci-bot:n3trc-s3cr3t")
    let expected = "Basic Y2ktYm90Om4zdHJjLXMzY3IzdA==";
    assert!(
        index
            .auth_headers()
            .iter()
            .all(|h| h.as_deref() == Some(expected)),
        "every request carried the netrc credentials: {:?}",
        index.auth_headers()
    );

    // Credentials in the URL beat the netrc entry for the same host.
    let with_auth = index
        .url()
        .replace("http://", "http://ci-bot:n3trc-s3cr3t@");
    let wrong = dir.path().join("wrong-netrc");
    write(
        &wrong,
        "machine 127.0.0.1 login ci-bot password wr0ng-s3cr3t\n",
    );
    let out = common::command()
        .args([path.as_str(), "--index-url", &with_auth, "--format", "json"])
        .env("NETRC", &wrong)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", all_text(&out));

    // ~/.netrc when NETRC is not set; a wrong password there is an unknown lookup that quotes no secret.
    let home = dir.path().join("home");
    write(
        &home.join(".netrc"),
        "default login ci-bot password wr0ng-s3cr3t\n",
    );
    let out = common::command()
        .args([
            path.as_str(),
            "--index-url",
            &index.url(),
            "--format",
            "json",
        ])
        .env_remove("NETRC")
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", all_text(&out));
    assert!(!all_text(&out).contains("wr0ng-s3cr3t"));
    let six = common::cell(&json(&out), "six", TID).clone();
    assert_eq!(six["outcome"], "unknown");
    assert!(
        six["reason"].as_str().unwrap().contains("401 Unauthorized"),
        "{six}"
    );
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn http_proxy_is_used_for_an_http_index_and_no_proxy_bypasses_it() {
    let proxy = TestIndex::start();
    let (_dir, path) = temp_requirements("six==1.16.0\n");
    // Nothing listens at the index's own address: only the proxy can answer.
    let origin = format!("127.0.0.1:{}", dead_port());
    let url = format!("http://{origin}/simple/");
    let out = common::command()
        .args([path.as_str(), "--index-url", &url, "--format", "json"])
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("HTTP_PROXY", &proxy.base)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", all_text(&out));
    assert_eq!(common::cell(&json(&out), "six", TID)["outcome"], "wheel");
    let lines = proxy.request_lines();
    assert!(
        lines.contains(&format!("GET http://{origin}/simple/six/ HTTP/1.1")),
        "the proxy got absolute-form requests: {lines:?}"
    );

    // NO_PROXY names the index's host: it is asked directly and the proxy sees nothing more.
    let index = TestIndex::start();
    let before = proxy.request_lines().len();
    let out = common::command()
        .args([
            path.as_str(),
            "--index-url",
            &index.url(),
            "--format",
            "json",
        ])
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("no_proxy")
        .env("HTTP_PROXY", &proxy.base)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", all_text(&out));
    assert_eq!(proxy.request_lines().len(), before);
    assert_eq!(index.hits("/simple/six/"), 1);
}
