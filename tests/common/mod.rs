//! A local package index for the end-to-end tests, and a runner for the built binary.
//!
//! The index is a small HTTP/1.1 server on 127.0.0.1 serving the recorded PEP 691 pages in
//! `tests/fixtures/index/<name>.json` at `/simple/<name>/` and the recorded core metadata in
//! `tests/fixtures/files/<file>.metadata` at `/files/<file>.metadata` (the pages' file URLs are relative and
//! resolve there), and the thin wheels recorded where the index has no `.metadata` at `/files/<file>`, with
//! `Range` support. `Behaviour::root` serves the same layout from another directory instead, such as the
//! recorded dependency trees in `tests/fixtures/trees/`. Anything else is a 404. It counts requests per path,
//! can be told to fail some projects with 503, to ignore `Range`, to require basic auth, and to send validators
//! and `Cache-Control` and answer conditional requests with 304, as a caching index does.

#![allow(dead_code)]

pub mod universe;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The recorded dependency trees (`tests/fixtures/trees/`): serve them with `Behaviour::root`.
pub fn trees() -> PathBuf {
    fixtures().join("trees")
}

#[derive(Default, Clone)]
pub struct Behaviour {
    /// Projects whose page always answers 503.
    pub failing: HashSet<String>,
    /// `user:password` the server demands as basic auth.
    pub basic_auth: Option<String>,
    /// Answer range requests with the whole file, as servers without range support do.
    pub ignore_ranges: bool,
    /// Serve project pages as PEP 503 HTML (made from the recorded JSON) instead of PEP 691 JSON.
    pub html: bool,
    /// Answer 403 for every `.metadata` file, as object-store indexes do for a missing one.
    pub metadata_forbidden: bool,
    /// Serve `<root>/index/` and `<root>/files/` (and `<root>/synthetic/`) instead of `tests/fixtures/`,
    /// e.g. `Some(trees())`.
    pub root: Option<PathBuf>,
    /// Validators sent with every 200; a request whose `If-None-Match` or `If-Modified-Since` still matches
    /// is answered 304.
    pub validators: Validators,
    /// A `Cache-Control` value sent with every 200 and 304.
    pub cache_control: Option<String>,
}

#[derive(Default, Clone, Copy, PartialEq)]
pub enum Validators {
    #[default]
    None,
    /// `ETag` and `Last-Modified`.
    Both,
    LastModifiedOnly,
}

/// The `Last-Modified` of every answer when `Behaviour::validators` is set.
pub const LAST_MODIFIED: &str = "Mon, 23 Nov 2026 08:00:00 GMT";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub status: u16,
}

pub struct TestIndex {
    pub base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    auth_seen: Arc<Mutex<Vec<Option<String>>>>,
    request_lines: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestIndex {
    pub fn start() -> Self {
        Self::start_with(Behaviour::default())
    }

    pub fn start_with(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let auth_seen = Arc::new(Mutex::new(Vec::new()));
        let request_lines = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (h, a, r, s) = (
            hits.clone(),
            auth_seen.clone(),
            request_lines.clone(),
            seen.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, a, r, s, b) = (
                    h.clone(),
                    a.clone(),
                    r.clone(),
                    s.clone(),
                    behaviour.clone(),
                );
                std::thread::spawn(move || serve(stream, &h, &a, &r, &s, &b));
            }
        });
        TestIndex {
            base,
            hits,
            auth_seen,
            request_lines,
            seen,
        }
    }

    /// The simple index URL to pass as `--index-url`.
    pub fn url(&self) -> String {
        format!("{}/simple/", self.base)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }

    pub fn auth_headers(&self) -> Vec<Option<String>> {
        self.auth_seen.lock().unwrap().clone()
    }

    /// Every request line received, as sent (`GET http://host:port/simple/six/ HTTP/1.1` from a client that
    /// takes this server for its proxy).
    pub fn request_lines(&self) -> Vec<String> {
        self.request_lines.lock().unwrap().clone()
    }

    /// Every request so far, in the order answered.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    hits: &Mutex<HashMap<String, usize>>,
    auth: &Mutex<Vec<Option<String>>>,
    lines: &Mutex<Vec<String>>,
    seen: &Mutex<Vec<Seen>>,
    b: &Behaviour,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut authorization = None;
        let mut range = None;
        let (mut if_none_match, mut if_modified_since) = (None, None);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                if k.eq_ignore_ascii_case("authorization") {
                    authorization = Some(v.trim().to_string());
                }
                if k.eq_ignore_ascii_case("range") {
                    range = Some(v.trim().to_string());
                }
                if k.eq_ignore_ascii_case("if-none-match") {
                    if_none_match = Some(v.trim().to_string());
                }
                if k.eq_ignore_ascii_case("if-modified-since") {
                    if_modified_since = Some(v.trim().to_string());
                }
            }
        }
        lines
            .lock()
            .unwrap()
            .push(request_line.trim_end().to_string());
        // A proxy receives the absolute form (`GET http://host/path`): it is served like the origin form.
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = match target.strip_prefix("http://") {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => target,
        }
        .to_string();
        *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        auth.lock().unwrap().push(authorization.clone());
        let (mut status, content_type, mut body) = respond(&path, authorization.as_deref(), b);
        let mut extra = String::new();
        if status == "200 OK" {
            if let Some(cache_control) = &b.cache_control {
                extra.push_str(&format!("Cache-Control: {cache_control}\r\n"));
            }
            if b.validators != Validators::None {
                let etag = etag_of(&body);
                let unchanged = if_none_match.as_deref() == Some(etag.as_str())
                    || (if_none_match.is_none()
                        && if_modified_since.as_deref() == Some(LAST_MODIFIED));
                if b.validators == Validators::Both {
                    extra.push_str(&format!("ETag: {etag}\r\n"));
                }
                extra.push_str(&format!("Last-Modified: {LAST_MODIFIED}\r\n"));
                if unchanged {
                    status = "304 Not Modified";
                    body.clear();
                }
            }
        }
        if let (Some(range), "200 OK", false) = (&range, status, b.ignore_ranges)
            && let Some((start, end)) = byte_range(range, body.len())
        {
            extra.push_str(&format!(
                "Content-Range: bytes {start}-{}/{}\r\n",
                end - 1,
                body.len()
            ));
            body = body[start..end].to_vec();
            status = "206 Partial Content";
        }
        seen.lock().unwrap().push(Seen {
            path: path.clone(),
            if_none_match,
            if_modified_since,
            status: status[..3].parse().unwrap_or(0),
        });
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        );
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(&body))
            .is_err()
        {
            return;
        }
    }
}

fn respond(
    path: &str,
    authorization: Option<&str>,
    b: &Behaviour,
) -> (&'static str, &'static str, Vec<u8>) {
    if let Some(credentials) = &b.basic_auth {
        let expected = format!("Basic {}", base64(credentials.as_bytes()));
        if authorization != Some(expected.as_str()) {
            return ("401 Unauthorized", "text/plain", b"auth required".to_vec());
        }
    }
    let not_found = ("404 Not Found", "text/plain", b"not found".to_vec());
    if let Some(name) = path
        .strip_prefix("/simple/")
        .and_then(|p| p.strip_suffix('/'))
    {
        if b.failing.contains(name) {
            return (
                "503 Service Unavailable",
                "text/plain",
                b"try later".to_vec(),
            );
        }
        let page = format!("{name}.json");
        return match read_fixture(b, "index", &page) {
            Some(body) if b.html => ("200 OK", "text/html; charset=utf-8", pep503_html(&body)),
            Some(body) => ("200 OK", "application/vnd.pypi.simple.v1+json", body),
            None => not_found,
        };
    }
    if b.metadata_forbidden && path.ends_with(".metadata") {
        return ("403 Forbidden", "text/plain", b"forbidden".to_vec());
    }
    if let Some(file) = path.strip_prefix("/files/")
        && !file.contains('/')
        && !file.contains("..")
        && let Some(body) = read_fixture(b, "files", file)
    {
        return ("200 OK", "application/octet-stream", body);
    }
    not_found
}

/// A strong validator that changes with the body.
fn etag_of(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    });
    format!("\"{hash:016x}\"")
}

/// The PEP 503 page an HTML-only index would serve for a recorded PEP 691 page.
fn pep503_html(json: &[u8]) -> Vec<u8> {
    let page: serde_json::Value = serde_json::from_slice(json).expect("fixture pages are JSON");
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut html = String::from("<!DOCTYPE html>\n<html><body>\n");
    for file in page["files"].as_array().unwrap() {
        let mut attrs = format!(
            "href=\"{}#sha256=00\"",
            escape(file["url"].as_str().unwrap())
        );
        if let Some(rp) = file["requires-python"].as_str() {
            attrs.push_str(&format!(" data-requires-python=\"{}\"", escape(rp)));
        }
        match &file["yanked"] {
            serde_json::Value::String(why) => {
                attrs.push_str(&format!(" data-yanked=\"{}\"", escape(why)))
            }
            // Indexes write an empty value for a yank without a reason: a bare attribute is no yank to pip.
            serde_json::Value::Bool(true) => attrs.push_str(" data-yanked=\"\""),
            _ => {}
        }
        // PEP 714's attribute; a page that says `false` has no HTML form, so it is left out.
        match &file["core-metadata"] {
            serde_json::Value::Bool(true) => attrs.push_str(" data-core-metadata=\"true\""),
            serde_json::Value::Object(hashes) => match hashes.get("sha256") {
                Some(hex) => attrs.push_str(&format!(
                    " data-core-metadata=\"sha256={}\"",
                    hex.as_str().unwrap()
                )),
                None => attrs.push_str(" data-core-metadata=\"true\""),
            },
            _ => {}
        }
        html.push_str(&format!(
            "<a {attrs}>{}</a><br />\n",
            escape(file["filename"].as_str().unwrap())
        ));
    }
    html.push_str("</body></html>\n");
    html.into_bytes()
}

/// A recorded fixture, or else a synthetic one (`<root>/synthetic/`), under the served root.
fn read_fixture(b: &Behaviour, kind: &str, name: &str) -> Option<Vec<u8>> {
    let root = b.root.clone().unwrap_or_else(fixtures);
    std::fs::read(root.join(kind).join(name))
        .or_else(|_| std::fs::read(root.join("synthetic").join(kind).join(name)))
        .ok()
}

/// `bytes=a-b` or `bytes=-n` as a half-open range within `len`.
fn byte_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let spec = header.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if a.is_empty() {
        let n: usize = b.parse().ok()?;
        return Some((len.saturating_sub(n), len));
    }
    let start: usize = a.parse().ok()?;
    let end = if b.is_empty() {
        len
    } else {
        (b.parse::<usize>().ok()? + 1).min(len)
    };
    (start < end).then_some((start, end))
}

fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Runs the built binary with `args`, no colour, no index variables from the environment.
pub fn muslcheck(args: &[&str]) -> Output {
    muslcheck_with_stdin(args, None)
}

/// The built binary, with no index, credential or proxy settings from the environment or the machine's pip
/// config files, and no colour: the local index is always asked directly. No cache either (the cache's own
/// tests turn it on in a directory of their own): a port reused by a later test must not find an earlier
/// test's answers.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_muslcheck"));
    for var in [
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_PREFER_BINARY",
        "UV_DEFAULT_INDEX",
        "UV_INDEX_URL",
        "UV_INDEX",
        "UV_EXTRA_INDEX_URL",
    ] {
        command.env_remove(var);
    }
    command
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("NETRC", "/dev/null")
        .env("MUSLCHECK_NO_CACHE", "1")
        .env_remove("MUSLCHECK_CACHE_DIR")
        .env_remove("MUSLCHECK_OFFLINE")
        .env_remove("MUSLCHECK_CACHE_MAX_MB")
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env_remove("PIP_PREFER_BINARY")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("NO_COLOR", "1");
    command
}

pub fn muslcheck_with_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run muslcheck");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("exited normally, not by a signal")
}

/// Writes `text` to a fresh file and returns (dir guard, path).
pub fn temp_requirements(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, text).unwrap();
    (dir, path.display().to_string())
}

/// Lines where pip 24.1+ differs from the reference: the wheel's core metadata has a Requires-Dist that current
/// pip rejects, no other version satisfies the pin, so pip fails (docs/design.md, "Choosing the file").
/// torchsde's index has no `.metadata` file: its METADATA is read out of the wheel, as pip reads it.
const PIP_REJECTS_METADATA: [(&str, &str); 2] =
    [("celery", "pytz (>dev)"), ("torchsde", "numpy (>=1.19.*)")];

/// Asserts that a report's verdicts on target `tid` for `e2e/requirements.txt` equal the expectation recorded
/// with the independent PyPA-`packaging` reference (`e2e/expected-<tid>.json`), except where current pip
/// itself differs from that reference; returns the verdicts, in input order.
pub fn assert_matches_reference(ours: &serde_json::Value, tid: &str) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let expected: Value = serde_json::from_slice(
        &std::fs::read(fixtures().join(format!("e2e/expected-{tid}.json"))).unwrap(),
    )
    .unwrap();
    let expected_by_line: HashMap<u64, &Value> = expected["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p))
        .collect();
    let packages = ours["packages"].as_array().unwrap();
    assert_eq!(
        packages.len(),
        expected_by_line.len(),
        "one verdict per requirement line"
    );
    for package in packages {
        let line = package["source"]["line"].as_u64().unwrap();
        let want = expected_by_line[&line];
        let got = &package["targets"][tid];
        let wanted = &want["targets"][tid];
        let name = package["name"].as_str().unwrap_or("?");
        if let Some((_, bad)) = PIP_REJECTS_METADATA.iter().find(|(n, _)| *n == name) {
            assert_eq!(got["outcome"], "fail", "{name}: pip rejects its metadata");
            assert!(
                got["reason"].as_str().unwrap().contains(bad),
                "{name}: {}",
                got["reason"]
            );
            assert!(got["file"].is_null());
            continue;
        }
        let context = format!("{name} (line {line}, {tid}): {}", got["reason"]);
        assert_eq!(got["outcome"], wanted["outcome"], "outcome of {context}");
        assert_eq!(got["class"], wanted["class"], "class of {context}");
        assert_eq!(got["file"], wanted["file"], "file of {context}");
        assert_eq!(
            got["yanked"].as_bool(),
            wanted["yanked"].as_bool().or(Some(false)),
            "yanked of {context}"
        );
        if ours["targets"].as_array().unwrap().len() == 1
            && !["skip", "missing"].contains(&wanted["outcome"].as_str().unwrap())
        {
            assert_eq!(package["version"], want["version"], "version of {context}");
        }
        assert!(
            !got["reason"].as_str().unwrap().is_empty(),
            "every verdict says why: {context}"
        );
    }
    // The summary counts what the packages say.
    let summary = &ours["summary"][tid];
    let total: u64 = ["wheel", "build", "fail", "skip", "missing", "unknown"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, packages.len());
    packages.iter().map(|p| p["targets"][tid].clone()).collect()
}

/// The verdict of the package named `name` on `target` in a JSON report.
pub fn cell<'a>(report: &'a serde_json::Value, name: &str, target: &str) -> &'a serde_json::Value {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in report"))
        .get("targets")
        .and_then(|t| t.get(target))
        .unwrap_or_else(|| panic!("{name} has no verdict for {target}"))
}
