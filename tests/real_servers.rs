//! muslcheck against real third-party index servers, started on 127.0.0.1 by the tests themselves:
//! pypiserver (PEP 503 HTML only) and devpi-server (PEP 691 JSON), each with and without basic auth.
//!
//! The servers come from the virtualenv `scripts/test.sh` creates and names in `MUSLCHECK_TEST_VENV`. Neither
//! server may reach the public index: pypiserver runs with `--disable-fallback` (otherwise an unknown name is
//! redirected there), devpi-server is initialised with `--no-root-pypi` (no mirror index at all), runs with
//! `--offline-mode`, and the test index has no bases. The distributions are the dummies of
//! `tests/fixtures/servers/` (see its README).
//!
//! Built with the `real-servers` feature only, which `scripts/test.sh` turns on: plain `cargo test` on a fresh
//! clone needs nothing but the toolchain.
#![cfg(feature = "real-servers")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{code, json, temp_requirements};

const TID: &str = "cp312-musllinux_1_2_x86_64";
const REQUIREMENTS: &str =
    "numpy==2.1.3\nrequests>=2\npsycopg2==2.9.10\ntorch==2.5.1\nflask==3.0.0\n";
/// How long a server may take to start answering (devpi-server on a busy 2-core machine: a few seconds).
const STARTUP: Duration = Duration::from_secs(45);

/// The virtualenv with the servers, or a failure that says how to get one.
fn venv_bin(program: &str) -> PathBuf {
    let Some(venv) = std::env::var_os("MUSLCHECK_TEST_VENV") else {
        panic!(
            "MUSLCHECK_TEST_VENV is not set: these tests start pypiserver and devpi-server from a virtualenv. \
             Run the test suite with scripts/test.sh, which creates it (target/test-venv) and sets the variable."
        );
    };
    let path = Path::new(&venv).join("bin").join(program);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test.sh to (re)create the virtualenv MUSLCHECK_TEST_VENV names",
        path.display()
    );
    path
}

fn fixtures() -> Vec<PathBuf> {
    let dir = common::fixtures().join("servers");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".whl") || name.ends_with(".tar.gz")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{}", dir.display());
    files
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when the test ends however it ends.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn spawn(command: &mut Command, port: u16, log: PathBuf) -> Server {
        let file = std::fs::File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let mut server = Server { child, port, log };
        server.wait_ready();
        server
    }

    /// Polls until the server answers any HTTP request, within `STARTUP`.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited with {status}:\n{}", self.log_text());
            }
            if http_get(self.port, "/", "*/*").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "server not answering on port {} after {STARTUP:?}:\n{}",
            self.port,
            self.log_text()
        );
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare HTTP/1.0 GET: the status line and headers, or `None` when nothing answers.
fn http_get(port: u16, path: &str, accept: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let head = text.split("\r\n\r\n").next()?.to_string();
    head.starts_with("HTTP/").then_some(head)
}

fn all_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs muslcheck on the five requirements against `index_url`, with extra environment.
fn check(index_url: &str, env: &[(&str, &Path)]) -> Output {
    let (_dir, path) = temp_requirements(REQUIREMENTS);
    let mut command = common::command();
    command.args([
        path.as_str(),
        "--index-url",
        index_url,
        "--format",
        "json",
        "--timeout",
        "10",
    ]);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// The verdicts the dummies must give, whatever server lists them: one of each outcome.
fn assert_verdicts(out: &Output, server: &str) {
    assert_eq!(
        code(out),
        1,
        "{server}: build, fail and missing fail the gate\n{}",
        all_text(out)
    );
    let report = json(out);
    let expect = [
        (
            "numpy",
            "wheel",
            Some("numpy-2.1.3-cp312-cp312-musllinux_1_2_x86_64.whl"),
        ),
        (
            "requests",
            "wheel",
            Some("requests-2.32.3-py3-none-any.whl"),
        ),
        ("psycopg2", "build", Some("psycopg2-2.9.10.tar.gz")),
        ("torch", "fail", None),
        ("flask", "missing", None),
    ];
    for (name, outcome, file) in expect {
        let cell = common::cell(&report, name, TID);
        assert_eq!(cell["outcome"], outcome, "{server}: {name}: {cell}");
        assert_eq!(cell["file"].as_str(), file, "{server}: {name}: {cell}");
    }
    assert_eq!(
        common::cell(&report, "torch", TID)["class"],
        "manylinux_only"
    );
}

/// Every requirement `unknown`, exit 3, the reason naming `status`, and `secret` nowhere.
fn assert_all_unknown(out: &Output, status: &str, secret: &str) {
    let text = all_text(out);
    assert_eq!(code(out), 3, "{text}");
    assert!(!text.contains(secret), "the password leaked:\n{text}");
    let report = json(out);
    for name in ["numpy", "requests", "psycopg2", "torch", "flask"] {
        let cell = common::cell(&report, name, TID);
        assert_eq!(cell["outcome"], "unknown", "{name}: {cell}");
        assert!(cell["reason"].as_str().unwrap().contains(status), "{cell}");
    }
}

fn netrc(dir: &Path, password: &str) -> PathBuf {
    let path = dir.join("netrc");
    std::fs::write(
        &path,
        format!("machine 127.0.0.1\n  login alice\n  password {password}\n"),
    )
    .unwrap();
    path
}

/// pypiserver serving the dummies from its package directory; with `htpasswd`, every read needs auth.
fn pypiserver(dir: &Path, htpasswd: Option<&Path>) -> Server {
    let packages = dir.join("packages");
    std::fs::create_dir_all(&packages).unwrap();
    for file in fixtures() {
        std::fs::copy(&file, packages.join(file.file_name().unwrap())).unwrap();
    }
    let port = free_port();
    let mut command = Command::new(venv_bin("pypi-server"));
    command.args([
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--disable-fallback",
    ]);
    match htpasswd {
        Some(file) => command
            .arg("--passwords")
            .arg(file)
            .args(["--authenticate", "update,download,list"]),
        None => command.args(["--passwords", ".", "--authenticate", "."]),
    };
    command.arg(&packages);
    Server::spawn(&mut command, port, dir.join("pypiserver.log"))
}

#[test]
fn pypiserver_serves_pep_503_html_and_every_verdict_matches() {
    let dir = tempfile::tempdir().unwrap();
    let server = pypiserver(dir.path(), None);
    let head = http_get(
        server.port,
        "/simple/numpy/",
        "application/vnd.pypi.simple.v1+json",
    )
    .unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "pypiserver answers HTML even when JSON is asked for: {head}"
    );
    let url = format!("http://127.0.0.1:{}/simple/", server.port);
    assert_verdicts(&check(&url, &[]), "pypiserver");
}

#[test]
fn pypiserver_with_basic_auth_from_the_url_or_netrc() {
    let dir = tempfile::tempdir().unwrap();
    let htpasswd = dir.path().join("htpasswd");
    let made = Command::new(venv_bin("python"))
        .args([
            "-c",
            "import sys; from passlib.apache import HtpasswdFile; \
             h = HtpasswdFile(sys.argv[1], new=True); h.set_password('alice', sys.argv[2]); h.save()",
        ])
        .arg(&htpasswd)
        .arg("pyp1-s3cr3t")
        .status()
        .unwrap();
    assert!(made.success());
    let server = pypiserver(dir.path(), Some(&htpasswd));
    let port = server.port;
    let bare = format!("http://127.0.0.1:{port}/simple/");

    let out = check(
        &format!("http://alice:pyp1-s3cr3t@127.0.0.1:{port}/simple/"),
        &[],
    );
    assert_verdicts(&out, "pypiserver, credentials in the URL");
    assert!(
        !all_text(&out).contains("pyp1-s3cr3t"),
        "{}",
        all_text(&out)
    );

    let netrc_file = netrc(dir.path(), "pyp1-s3cr3t");
    let out = check(&bare, &[("NETRC", &netrc_file)]);
    assert_verdicts(&out, "pypiserver, credentials from netrc");
    assert!(
        !all_text(&out).contains("pyp1-s3cr3t"),
        "{}",
        all_text(&out)
    );

    // No credentials: 401. Wrong ones: pypiserver answers 403.
    assert_all_unknown(
        &check(&bare, &[]),
        "server answered 401 Unauthorized",
        "pyp1-s3cr3t",
    );
    let wrong = netrc(dir.path(), "wr0ng-s3cr3t");
    let out = check(&bare, &[("NETRC", &wrong)]);
    assert_all_unknown(&out, "server answered 403 Forbidden", "wr0ng-s3cr3t");
    let out = check(
        &format!("http://alice:wr0ng-s3cr3t@127.0.0.1:{port}/simple/"),
        &[],
    );
    assert_all_unknown(&out, "server answered 403 Forbidden", "wr0ng-s3cr3t");
}

/// devpi-client, with its state and any config it might write kept in the test's directory.
fn devpi(dir: &Path, args: &[&str]) {
    let out = Command::new(venv_bin("devpi"))
        .args(args)
        .env("HOME", dir.join("home"))
        .env("DEVPI_CLIENTDIR", dir.join("client"))
        .env("PIP_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success(), "devpi {args:?}:\n{}", all_text(&out));
}

#[test]
fn devpi_serves_pep_691_json_after_an_authenticated_upload() {
    let dir = tempfile::tempdir().unwrap();
    let serverdir = dir.path().join("server");
    let serverdir_arg = serverdir.display().to_string();
    // devpi's own tests lower the argon2 cost of its secret derivation in the same way: with the defaults
    // (16 passes over 512 MiB) a busy 2-core machine spends 15 s starting up.
    let argon2 = [
        "--argon2-time-cost",
        "1",
        "--argon2-memory-cost",
        "64",
        "--argon2-parallelism",
        "1",
    ];
    let init = Command::new(venv_bin("devpi-init"))
        .args([
            "--serverdir",
            &serverdir_arg,
            "--no-root-pypi",
            "--root-passwd",
            "r00t-s3cr3t",
        ])
        .output()
        .unwrap();
    assert!(init.status.success(), "devpi-init:\n{}", all_text(&init));
    let port = free_port();
    let mut command = Command::new(venv_bin("devpi-server"));
    command
        .args([
            "--serverdir",
            &serverdir_arg,
            "--host",
            "127.0.0.1",
            "--port",
        ])
        .arg(port.to_string())
        .args(["--offline-mode", "--threads", "4"])
        .args(argon2);
    let server = Server::spawn(&mut command, port, dir.path().join("devpi.log"));

    let root = format!("http://127.0.0.1:{}", server.port);
    devpi(dir.path(), &["use", &root]);
    devpi(
        dir.path(),
        &["user", "-c", "alice", "password=d3vp1-s3cr3t"],
    );
    devpi(
        dir.path(),
        &["login", "alice", "--password", "d3vp1-s3cr3t"],
    );
    devpi(dir.path(), &["index", "-c", "dev", "bases="]);
    devpi(dir.path(), &["use", "alice/dev"]);
    let mut upload = vec!["upload".to_string()];
    upload.extend(fixtures().iter().map(|p| p.display().to_string()));
    devpi(
        dir.path(),
        &upload.iter().map(String::as_str).collect::<Vec<_>>(),
    );

    let head = http_get(
        server.port,
        "/alice/dev/+simple/numpy/",
        "application/vnd.pypi.simple.v1+json",
    )
    .unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/vnd.pypi.simple.v1+json"),
        "devpi answers PEP 691 JSON when asked: {head}"
    );
    let index = format!("{root}/alice/dev/+simple/");
    assert_verdicts(&check(&index, &[]), "devpi");
    let with_auth = index.replace("http://", "http://alice:d3vp1-s3cr3t@");
    let out = check(&with_auth, &[]);
    assert_verdicts(&out, "devpi, credentials in the URL");
    assert!(
        !all_text(&out).contains("d3vp1-s3cr3t"),
        "{}",
        all_text(&out)
    );
    // devpi 6 has no read restriction of its own (that takes the devpi-lockdown plugin behind nginx): it
    // answers reads whatever the credentials, so a wrong password still gives the right verdicts, unprinted.
    let wrong = netrc(dir.path(), "wr0ng-s3cr3t");
    let out = check(&index, &[("NETRC", &wrong)]);
    assert_verdicts(&out, "devpi, wrong password");
    assert!(!all_text(&out).contains("wr0ng-s3cr3t"));
}
