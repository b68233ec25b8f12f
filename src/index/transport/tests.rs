use super::*;

#[test]
fn index_urls_lose_credentials_and_gain_a_slash() {
    let index =
        Index::from_url(Url::parse("https://me:p%40ss@example.invalid/simple").unwrap()).unwrap();
    assert_eq!(index.url.as_str(), "https://example.invalid/simple/");
    assert_eq!(
        index.auth,
        Some(("me".to_string(), Some("p@ss".to_string())))
    );
    assert!(Index::from_url(Url::parse("ftp://example.invalid/").unwrap()).is_err());
}

/// A server on 127.0.0.1 that answers each request with the next of `answers` (a status line and headers),
/// then 200 with an empty page; it counts the requests.
fn serve(answers: &[&'static str]) -> (Url, Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!(
        "http://{}/simple/demo/",
        listener.local_addr().unwrap()
    ))
    .unwrap();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (answers, seen) = (answers.to_vec(), count.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let head = answers.get(n).copied().unwrap_or("200 OK");
            let body = if head.starts_with("200") {
                "{\"files\":[]}"
            } else {
                ""
            };
            let answer = format!(
                "HTTP/1.1 {head}\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = (&stream).write_all(answer.as_bytes());
        }
    });
    (url, count)
}

/// A transport whose waits are recorded, not slept.
fn recording(retries: u32) -> (Transport, Arc<std::sync::Mutex<Vec<Duration>>>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let waits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = waits.clone();
    let backoff = Backoff {
        first: Duration::from_millis(500),
        pause: Arc::new(move |wait| {
            recorded.lock().unwrap().push(wait);
            Box::pin(std::future::ready(()))
        }),
    };
    let settings = Settings {
        concurrency: 2,
        timeout: Duration::from_secs(5),
        retries,
        backoff,
        netrc: None,
    };
    (Transport::new(Vec::new(), settings).unwrap(), waits)
}

const PAGE: Request<'static> = Request {
    accept: "application/vnd.pypi.simple.v1+json",
    range: None,
    kind: Kind::Page,
    absent: &[],
};

#[tokio::test]
async fn server_errors_are_retried_with_doubling_waits_then_reported() {
    let (url, requests) = serve(&["503 Service Unavailable"; 10]);
    let (transport, waits) = recording(3);
    let e = match transport.send(&url, &PAGE, &Conditional::default()).await {
        Err(e) => e,
        Ok(_) => panic!("a server that always fails gave an answer"),
    };
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 4);
    assert_eq!(
        *waits.lock().unwrap(),
        [500, 1000, 2000].map(Duration::from_millis)
    );
    assert_eq!(e.kind(), FailureKind::Status(503));
    assert_eq!(
        e.to_string(),
        format!("{url}: server answered 503 Service Unavailable 4 times")
    );
}

#[tokio::test]
async fn retry_after_sets_the_wait_and_a_lifted_limit_gives_the_answer() {
    let (url, requests) = serve(&[
        "429 Too Many Requests\r\nRetry-After: 2",
        "500 Internal Server Error",
    ]);
    let (transport, waits) = recording(3);
    let reply = transport.send(&url, &PAGE, &Conditional::default()).await;
    assert!(matches!(reply, Ok(Reply::Answer(Some(_)))));
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 3);
    // The server's 2 s for the first retry, then the backoff's second step.
    assert_eq!(
        *waits.lock().unwrap(),
        [2000, 1000].map(Duration::from_millis)
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let (url, requests) = serve(&["503 Service Unavailable\r\nRetry-After: 3600"]);
    let (transport, waits) = recording(3);
    let e = match transport.send(&url, &PAGE, &Conditional::default()).await {
        Err(e) => e,
        Ok(_) => panic!("an hour's wait was taken"),
    };
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(waits.lock().unwrap().is_empty());
    assert!(
        e.to_string()
            .ends_with("it asked to be retried after 3600 s, longer than muslcheck waits (10 s)"),
        "{e}"
    );
}

#[tokio::test]
async fn client_errors_and_absence_are_not_retried() {
    let (url, requests) = serve(&["404 Not Found", "403 Forbidden"]);
    let (transport, waits) = recording(3);
    let absent = transport.send(&url, &PAGE, &Conditional::default()).await;
    assert!(matches!(absent, Ok(Reply::Answer(None))));
    let e = match transport.send(&url, &PAGE, &Conditional::default()).await {
        Err(e) => e,
        Ok(_) => panic!("403 is not an answer"),
    };
    assert_eq!(e.kind(), FailureKind::Status(403));
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(waits.lock().unwrap().is_empty());
}
