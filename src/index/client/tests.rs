//! The registry against a server on 127.0.0.1: what it keeps of the pages it reads.

use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use super::*;

/// A server whose page of any project `p` lists 200 sdists of it, in PEP 691 JSON.
fn serve_pages() -> Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!(
        "http://{}/simple/",
        listener.local_addr().unwrap()
    ))
    .unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let project = request
                .split_whitespace()
                .nth(1)
                .and_then(|path| path.strip_prefix("/simple/"))
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string();
            let files: Vec<String> = (0..200)
                .map(|i| format!(r#"{{"filename":"{project}-1.{i}.tar.gz","url":"/f/{project}-1.{i}.tar.gz"}}"#))
                .collect();
            let body = format!(r#"{{"files":[{}]}}"#, files.join(","));
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = (&stream).write_all(answer.as_bytes());
        }
    });
    url
}

fn client(index: Url) -> IndexClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    IndexClient::new(&IndexOptions {
        indexes: vec![index],
        concurrency: 2,
        timeout: Duration::from_secs(10),
        retries: 0,
        backoff: Backoff::sleeping(Duration::from_millis(1)),
        netrc: None,
        cache: None,
    })
    .unwrap()
}

#[tokio::test]
async fn pages_past_the_bound_on_what_is_held_are_unknown_until_room_is_made() {
    let index = serve_pages();
    let one_page = {
        let probe = client(index.clone());
        let page = probe.project("probe").await;
        let Lookup::Found(page) = page.as_ref() else {
            panic!("{page:?}")
        };
        page.bytes()
    };
    let client = client(index).with_page_budget(one_page * 5 / 2);
    let first = client.project("aaaaa").await;
    let second = client.project("bbbbb").await;
    assert!(matches!(first.as_ref(), Lookup::Found(_)));
    assert!(matches!(second.as_ref(), Lookup::Found(_)));
    let third = client.project("ccccc").await;
    let Lookup::Failed(e) = third.as_ref() else {
        panic!("{third:?}")
    };
    assert_eq!(e.kind(), FailureKind::TooLarge);
    assert!(
        e.to_string().contains(
            "is not kept: with the 0 MB of pages held, the run would pass its bound of 0 MB"
        ),
        "{e}"
    );
    // Asked again, the answer is the same: the run's answers are final.
    assert!(matches!(
        client.project("ccccc").await.as_ref(),
        Lookup::Failed(_)
    ));
    // A page let go of, and no longer held, gives its room back.
    client.forget("aaaaa", false);
    drop(first);
    assert!(matches!(
        client.project("ddddd").await.as_ref(),
        Lookup::Found(_)
    ));
}
