//! Fault injection: an index on 127.0.0.1 that misbehaves in one way for one project (`broken`) and serves
//! another (`six`) correctly. For every fault the run must end in bounded time, `broken` must be `unknown`
//! (never a guessed verdict), `six` must still be a wheel, the exit code must be 3, and the reason must say
//! what happened in plain words.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{code, json, temp_requirements};

const TID: &str = "cp312-musllinux_1_2_x86_64";
const SIX_PAGE: &str = r#"{"meta": {"api-version": "1.0"}, "name": "six", "files": [
  {"filename": "six-1.16.0-py2.py3-none-any.whl", "url": "/files/six-1.16.0-py2.py3-none-any.whl", "hashes": {}}]}"#;
const SIX_METADATA: &str = "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n";
const BROKEN_PAGE: &str = r#"{"meta": {"api-version": "1.0"}, "name": "broken", "files": [
  {"filename": "broken-1.0.tar.gz", "url": "/files/broken-1.0.tar.gz", "hashes": {}}]}"#;
const MOVED_PAGE: &str = r#"{"meta": {"api-version": "1.0"}, "name": "broken", "files": [
  {"filename": "broken-2.0-py3-none-any.whl", "url": "../../files/broken-2.0-py3-none-any.whl", "hashes": {}}]}"#;
/// What the server sends for a huge page before it gives up on its own: far beyond the client's 64 MB.
const HUGE_LIMIT: usize = 1 << 30;

/// How a rate limit says when to come back.
#[derive(Clone)]
enum RetryAfter {
    Seconds(u64),
    /// An HTTP-date this many seconds after the answer, by the server's clock, which runs `clock_ahead`
    /// seconds ahead of the machine's; a server with a clock of its own says its time in `Date`.
    DateIn {
        secs: u64,
        clock_ahead: Option<u64>,
    },
}

/// How `/simple/broken/` misbehaves.
#[derive(Clone)]
enum Fault {
    /// Answers only after this long (longer than `--timeout`).
    Slow(Duration),
    /// Reads the request and closes the connection without a byte.
    CloseAfterRequest,
    /// Promises 1000 bytes, sends 100, closes.
    CloseMidBody,
    /// Always this status line.
    Status(&'static str),
    /// 429 with this `Retry-After` for the first `times` requests, then the real page.
    RateLimited {
        retry_after: RetryAfter,
        times: usize,
    },
    /// 200 with this content type and body.
    Body(&'static str, &'static [u8]),
    /// 302 back to itself.
    RedirectLoop,
    /// 301 to `/mirror/simple/broken/`, whose page links its wheel relatively (`../../files/…`): the link
    /// resolves against the URL the page came from, as pip resolves it.
    Moved,
    /// Zeros, as fast as the client reads them, declaring the length or not.
    Huge { declare_length: bool },
}

struct FaultyIndex {
    base: String,
    /// When each request for `/simple/broken/` arrived.
    broken_requests: Arc<Mutex<Vec<Instant>>>,
    /// Bytes of a huge body the server managed to write before the client stopped reading.
    huge_written: Arc<Mutex<usize>>,
}

impl FaultyIndex {
    fn start(fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let broken_requests = Arc::new(Mutex::new(Vec::new()));
        let huge_written = Arc::new(Mutex::new(0));
        let (requests, written) = (broken_requests.clone(), huge_written.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (fault, requests, written) = (fault.clone(), requests.clone(), written.clone());
                std::thread::spawn(move || serve(stream, &fault, &requests, &written));
            }
        });
        FaultyIndex {
            base,
            broken_requests,
            huge_written,
        }
    }

    fn url(&self) -> String {
        format!("{}/simple/", self.base)
    }

    fn broken_requests(&self) -> Vec<Instant> {
        self.broken_requests.lock().unwrap().clone()
    }
}

/// One request per connection (`Connection: close`), so a fault on one cannot spill into another.
fn serve(stream: TcpStream, fault: &Fault, requests: &Mutex<Vec<Instant>>, written: &Mutex<usize>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut out = stream;
    let reply = |out: &mut TcpStream, status: &str, kind: &str, extra: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        );
        let _ = out
            .write_all(head.as_bytes())
            .and_then(|()| out.write_all(body));
    };
    let json = "application/vnd.pypi.simple.v1+json";
    match path.as_str() {
        "/simple/six/" => return reply(&mut out, "200 OK", json, "", SIX_PAGE.as_bytes()),
        "/files/six-1.16.0-py2.py3-none-any.whl.metadata" => {
            return reply(
                &mut out,
                "200 OK",
                "text/plain",
                "",
                SIX_METADATA.as_bytes(),
            );
        }
        "/simple/broken/" => {}
        // Where `Fault::Moved` sends the client.
        "/mirror/simple/broken/" => {
            return reply(&mut out, "200 OK", json, "", MOVED_PAGE.as_bytes());
        }
        "/mirror/files/broken-2.0-py3-none-any.whl.metadata" => {
            let metadata = "Metadata-Version: 2.1\nName: broken\nVersion: 2.0\n";
            return reply(&mut out, "200 OK", "text/plain", "", metadata.as_bytes());
        }
        _ => return reply(&mut out, "404 Not Found", "text/plain", "", b"not found"),
    }
    let seen = {
        let mut requests = requests.lock().unwrap();
        requests.push(Instant::now());
        requests.len()
    };
    match fault {
        Fault::Slow(delay) => {
            std::thread::sleep(*delay);
            reply(&mut out, "200 OK", json, "", BROKEN_PAGE.as_bytes());
        }
        Fault::CloseAfterRequest => {}
        Fault::CloseMidBody => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Type: {json}\r\nContent-Length: 1000\r\n\r\n");
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&BROKEN_PAGE.as_bytes()[..100]);
            let _ = out.flush();
        }
        Fault::Status(status) => reply(&mut out, status, "text/plain", "", b"trouble"),
        Fault::RateLimited { retry_after, times } if seen <= *times => {
            let extra = match retry_after {
                RetryAfter::Seconds(secs) => format!("Retry-After: {secs}\r\n"),
                RetryAfter::DateIn { secs, clock_ahead } => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs();
                    let clock = now + clock_ahead.unwrap_or(0);
                    let date = clock_ahead.map_or(String::new(), |_| {
                        format!("Date: {}\r\n", imf_fixdate(clock))
                    });
                    format!("{date}Retry-After: {}\r\n", imf_fixdate(clock + secs))
                }
            };
            reply(
                &mut out,
                "429 Too Many Requests",
                "text/plain",
                &extra,
                b"slow down",
            );
        }
        Fault::RateLimited { .. } => reply(&mut out, "200 OK", json, "", BROKEN_PAGE.as_bytes()),
        Fault::Body(kind, body) => reply(&mut out, "200 OK", kind, "", body),
        Fault::Moved => reply(
            &mut out,
            "301 Moved Permanently",
            "text/plain",
            "Location: /mirror/simple/broken/\r\n",
            b"",
        ),
        Fault::RedirectLoop => reply(
            &mut out,
            "302 Found",
            "text/plain",
            "Location: /simple/broken/\r\n",
            b"",
        ),
        Fault::Huge { declare_length } => {
            let length = if *declare_length {
                "Content-Length: 10000000000\r\n"
            } else {
                ""
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {json}\r\n{length}Connection: close\r\n\r\n"
            );
            if out.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < HUGE_LIMIT && out.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
            *written.lock().unwrap() = sent;
        }
    }
}

/// Runs muslcheck on `six` and `broken` against the faulty index; the output and how long it took.
fn run(index: &FaultyIndex, timeout_s: &str) -> (Output, Duration) {
    let (_dir, path) = temp_requirements("six==1.16.0\nbroken==1.0\n");
    let started = Instant::now();
    let out = common::command()
        .args([
            path.as_str(),
            "--index-url",
            &index.url(),
            "--format",
            "json",
            "--timeout",
            timeout_s,
        ])
        .output()
        .unwrap();
    (out, started.elapsed())
}

/// The common contract: bounded time, `broken` unknown with a reason containing `says`, `six` a wheel, exit 3.
/// Returns the reason.
fn assert_unknown(out: &Output, took: Duration, bound_s: u64, says: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        took < Duration::from_secs(bound_s),
        "took {took:?}, more than {bound_s} s"
    );
    assert_eq!(code(out), 3, "exit code; stderr: {stderr}");
    let report = json(out);
    let six = common::cell(&report, "six", TID);
    assert_eq!(
        six["outcome"], "wheel",
        "the healthy project is unaffected: {six}"
    );
    let broken = common::cell(&report, "broken", TID);
    assert_eq!(broken["outcome"], "unknown", "{broken}");
    assert!(
        broken["file"].is_null() && broken["class"].is_null(),
        "{broken}"
    );
    let reason = broken["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains(says),
        "reason {reason:?} should say {says:?}"
    );
    assert!(
        reason.contains("/simple/broken/"),
        "the reason names the URL: {reason}"
    );
    // Shown with --nocapture: the messages as a user reads them.
    println!("{took:.1?}: {reason}");
    reason
}

#[test]
fn a_server_slower_than_the_timeout() {
    let index = FaultyIndex::start(Fault::Slow(Duration::from_secs(5)));
    let (out, took) = run(&index, "1");
    // Four attempts of 1 s and backoffs of 0.5, 1 and 2 s.
    assert_unknown(&out, took, 12, "timed out after 1 s 4 times");
    assert_eq!(index.broken_requests().len(), 4);
}

#[test]
fn a_connection_closed_before_any_answer() {
    let index = FaultyIndex::start(Fault::CloseAfterRequest);
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        10,
        "the server closed the connection without answering 4 times",
    );
    assert_eq!(index.broken_requests().len(), 4, "retried, and bounded");
}

#[test]
fn a_connection_closed_in_the_middle_of_the_body() {
    let index = FaultyIndex::start(Fault::CloseMidBody);
    let (out, took) = run(&index, "2");
    assert_unknown(&out, took, 10, "the connection broke off after");
    assert_eq!(index.broken_requests().len(), 4);
}

#[test]
fn internal_server_errors_are_retried_then_reported() {
    let index = FaultyIndex::start(Fault::Status("500 Internal Server Error"));
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        10,
        "server answered 500 Internal Server Error 4 times",
    );
    assert_eq!(index.broken_requests().len(), 4);
}

#[test]
fn service_unavailable_is_retried_then_reported() {
    let index = FaultyIndex::start(Fault::Status("503 Service Unavailable"));
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        10,
        "server answered 503 Service Unavailable 4 times",
    );
}

#[test]
fn too_many_requests_waits_as_long_as_retry_after_says() {
    let index = FaultyIndex::start(Fault::RateLimited {
        retry_after: RetryAfter::Seconds(1),
        times: usize::MAX,
    });
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        10,
        "server answered 429 Too Many Requests 4 times",
    );
    let times = index.broken_requests();
    assert_eq!(times.len(), 4);
    for pair in times.windows(2) {
        // Retry-After: 1 beats the first backoffs of 0.5 s and 1 s.
        assert!(pair[1] - pair[0] >= Duration::from_millis(950), "{times:?}");
    }
}

#[test]
fn a_rate_limit_that_lifts_gives_the_real_verdict() {
    let index = FaultyIndex::start(Fault::RateLimited {
        retry_after: RetryAfter::Seconds(1),
        times: 1,
    });
    let (out, took) = run(&index, "2");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert_eq!(code(&out), 1, "broken builds from source: the gate fails");
    let report = json(&out);
    assert_eq!(common::cell(&report, "broken", TID)["outcome"], "build");
    let times = index.broken_requests();
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_millis(950),
        "waited Retry-After"
    );
}

#[test]
fn a_retry_after_date_is_waited_for_too() {
    // The second clock of a server an hour ahead (its `Date` says so) must not turn 3 s into an hour; without
    // a `Date`, the machine's clock is the reference.
    for clock_ahead in [None, Some(3600)] {
        let index = FaultyIndex::start(Fault::RateLimited {
            retry_after: RetryAfter::DateIn {
                secs: 3,
                clock_ahead,
            },
            times: 1,
        });
        let (out, took) = run(&index, "2");
        assert!(took < Duration::from_secs(10), "{clock_ahead:?}: {took:?}");
        let report = json(&out);
        assert_eq!(
            common::cell(&report, "broken", TID)["outcome"],
            "build",
            "{clock_ahead:?}"
        );
        let times = index.broken_requests();
        assert_eq!(times.len(), 2, "{clock_ahead:?}");
        // Whole seconds: the date is 2 to 3 s away, far beyond the first backoff (0.5 s).
        assert!(
            times[1] - times[0] >= Duration::from_millis(1500),
            "{clock_ahead:?}: {times:?}"
        );
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since the Unix epoch.
fn imf_fixdate(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days, counting years from March (the leap day last).
    let z = days + 719_468;
    let (era, day_of_era) = (z / 146_097, z % 146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[test]
fn the_test_servers_dates_are_http_dates() {
    assert_eq!(imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(imf_fixdate(951_825_600), "Tue, 29 Feb 2000 12:00:00 GMT");
}

#[test]
fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let index = FaultyIndex::start(Fault::RateLimited {
        retry_after: RetryAfter::Seconds(3600),
        times: usize::MAX,
    });
    let (out, took) = run(&index, "2");
    let reason = assert_unknown(&out, took, 5, "server answered 429 Too Many Requests");
    assert!(
        reason.contains("asked to be retried after 3600 s, longer than muslcheck waits (10 s)"),
        "{reason}"
    );
    assert_eq!(index.broken_requests().len(), 1, "no retry");
}

#[test]
fn truncated_json() {
    let index = FaultyIndex::start(Fault::Body(
        "application/vnd.pypi.simple.v1+json",
        br#"{"meta": {"api-version": "1.0"}, "files": [{"filename": "broken-1.0.t"#,
    ));
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        5,
        "invalid PEP 691 JSON: EOF while parsing a string at line 1 column 69",
    );
    assert_eq!(
        index.broken_requests().len(),
        1,
        "a bad page is not asked again"
    );
}

#[test]
fn invalid_json() {
    let index = FaultyIndex::start(Fault::Body(
        "application/vnd.pypi.simple.v1+json",
        br#"{"files": [nope]}"#,
    ));
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        5,
        "invalid PEP 691 JSON: expected ident at line 1 column 13",
    );
}

#[test]
fn a_plain_text_answer_is_not_read_as_a_page() {
    let index = FaultyIndex::start(Fault::Body(
        "text/plain; charset=utf-8",
        b"Down for maintenance",
    ));
    let (out, took) = run(&index, "2");
    assert_unknown(
        &out,
        took,
        5,
        "the index answered with content type text/plain, not a Simple API page",
    );
}

#[test]
fn an_image_is_not_read_as_a_page() {
    let index = FaultyIndex::start(Fault::Body("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
    let (out, took) = run(&index, "2");
    assert_unknown(&out, took, 5, "content type image/png");
}

#[test]
fn links_of_a_redirected_page_resolve_against_where_it_came_from() {
    let index = FaultyIndex::start(Fault::Moved);
    let (dir, path) = temp_requirements("broken\n");
    let cache = dir.path().join("cache");
    // Uncached, then cached (the page is stored with its links resolved), then from the cache alone.
    for flags in [&["--no-cache"][..], &[], &["--offline"]] {
        let out = common::command()
            .env_remove("MUSLCHECK_NO_CACHE")
            .args([
                path.as_str(),
                "--index-url",
                &index.url(),
                "--format",
                "json",
            ])
            .args(["--cache-dir", cache.to_str().unwrap()])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(
            code(&out),
            0,
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        let broken = common::cell(&report, "broken", TID);
        assert_eq!(broken["outcome"], "wheel", "{flags:?}: {broken}");
        assert_eq!(broken["file"], "broken-2.0-py3-none-any.whl");
    }
}

#[test]
fn a_redirect_loop_is_named_and_not_retried() {
    let index = FaultyIndex::start(Fault::RedirectLoop);
    let (out, took) = run(&index, "2");
    assert_unknown(&out, took, 5, "redirect loop");
    assert_eq!(index.broken_requests().len(), 1);
}

#[test]
fn a_huge_body_is_cut_off_at_the_limit() {
    let index = FaultyIndex::start(Fault::Huge {
        declare_length: false,
    });
    let (out, took) = run(&index, "20");
    assert_unknown(&out, took, 20, "the answer is larger than 64 MB");
    // The client stopped reading: the server could not write much past the limit (socket buffers aside).
    let deadline = Instant::now() + Duration::from_secs(5);
    while *index.huge_written.lock().unwrap() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let written = *index.huge_written.lock().unwrap();
    assert!(
        written > 0 && written < 96 << 20,
        "server wrote {written} bytes"
    );
    assert_eq!(index.broken_requests().len(), 1, "not retried");
}

#[test]
fn a_huge_declared_length_is_refused_unread() {
    let index = FaultyIndex::start(Fault::Huge {
        declare_length: true,
    });
    let (out, took) = run(&index, "20");
    assert_unknown(&out, took, 5, "the answer is larger than 64 MB");
    let deadline = Instant::now() + Duration::from_secs(5);
    while *index.huge_written.lock().unwrap() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let written = *index.huge_written.lock().unwrap();
    assert!(written < 16 << 20, "server wrote {written} bytes");
}
