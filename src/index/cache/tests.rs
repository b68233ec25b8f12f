use super::*;
use crate::index::answer::Caching;
use crate::index::stored_page::{
    self as page, CONTENT_TYPE as PAGE_CONTENT_TYPE, decode as decode_stored_page,
};

fn caching(cache_control: Option<&str>, age: Option<u64>) -> Caching {
    Caching {
        cache_control: cache_control.map(str::to_string),
        age,
        ..Caching::default()
    }
}

fn entry(body: &[u8]) -> Entry {
    Entry {
        url: "http://127.0.0.1:9/simple/demo/".into(),
        found: true,
        content_type: "application/vnd.pypi.simple.v1+json".into(),
        partial: false,
        total: None,
        etag: Some("\"abc\"".into()),
        last_modified: Some("Mon, 23 Nov 2026 08:00:00 GMT".into()),
        fetched: 1_000,
        expires: 1_600,
        body: body.to_vec(),
    }
}

fn fetched(body: &[u8], caching: Caching) -> Fetched {
    Fetched {
        final_url: None,
        content_type: "application/octet-stream".into(),
        partial: false,
        total: None,
        body: body.to_vec(),
        caching,
    }
}

#[test]
fn cache_control_directives_are_read_case_insensitively() {
    assert_eq!(
        parse_cache_control("public, max-age=600"),
        Directives {
            max_age: Some(600),
            ..Directives::default()
        }
    );
    let d = parse_cache_control("No-Cache, NO-STORE, max-age=\"30\"");
    assert!(d.no_cache && d.no_store);
    assert_eq!(d.max_age, Some(30));
    assert_eq!(parse_cache_control("max-age=soon").max_age, None);
    assert_eq!(parse_cache_control(""), Directives::default());
}

#[test]
fn freshness_follows_max_age_less_age_and_defaults_by_kind() {
    let now = 10_000;
    assert_eq!(
        expiry(&caching(Some("max-age=600"), Some(100)), Kind::Page, now),
        now + 500
    );
    assert_eq!(
        expiry(&caching(Some("max-age=60"), Some(100)), Kind::Page, now),
        now
    );
    assert_eq!(
        expiry(&caching(Some("no-cache"), None), Kind::File, now),
        now
    );
    assert_eq!(expiry(&caching(None, None), Kind::Page, now), now + 600);
    assert_eq!(
        expiry(&caching(Some("public"), None), Kind::File, now),
        now + 30 * 24 * 3600
    );
    assert!(!may_store(&caching(Some("private, no-store"), None)));
    assert!(may_store(&caching(Some("max-age=0"), None)));
}

#[test]
fn entries_round_trip() {
    let e = entry(b"{\"files\": []}");
    assert_eq!(Entry::decode(e.encode()), Ok(e));
    let absent = Entry {
        found: false,
        etag: None,
        last_modified: None,
        total: Some(42),
        partial: true,
        ..entry(b"")
    };
    assert_eq!(Entry::decode(absent.encode()), Ok(absent));
}

#[test]
fn damaged_entries_are_detected() {
    let bytes = entry(b"some body bytes").encode();
    for cut in [0, 5, HEADER_LEN, bytes.len() - 1] {
        assert!(
            Entry::decode(bytes[..cut].to_vec()).is_err(),
            "truncated at {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(b'x');
    assert!(Entry::decode(longer).is_err());
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert_eq!(
        Entry::decode(flipped),
        Err(Damaged("its checksum does not match"))
    );
    let mut other = bytes.clone();
    other[7] = 9;
    assert!(Entry::decode(other).is_err());
    // A huge claimed length must not be trusted.
    let mut huge = bytes;
    huge[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(Entry::decode(huge).is_err());
}

#[test]
fn a_line_break_in_a_value_is_left_out() {
    let e = Entry {
        etag: Some("\"a\"\nfound 0".into()),
        ..entry(b"x")
    };
    let decoded = Entry::decode(e.encode()).unwrap();
    assert_eq!(decoded.etag, None);
    assert!(decoded.found);
}

#[test]
fn keys_separate_credentials_without_holding_them() {
    let url = Url::parse("https://example.invalid/simple/demo/").unwrap();
    let with_userinfo = Url::parse("https://alice:s3cret@example.invalid/simple/demo/").unwrap();
    let alice = Key::new(&url, Kind::File, "*/*", None, Some(b"alice:s3cret"));
    let bob = Key::new(&url, Kind::File, "*/*", None, Some(b"bob:hunter2"));
    let nobody = Key::new(&url, Kind::File, "*/*", None, None);
    assert_ne!(alice, bob);
    assert_ne!(alice, nobody);
    assert_eq!(
        nobody,
        Key::new(&with_userinfo, Kind::File, "*/*", None, None)
    );
    assert_ne!(
        nobody,
        Key::new(&url, Kind::File, "*/*", Some("bytes=-100"), None)
    );
    assert_ne!(nobody, Key::new(&url, Kind::File, "text/html", None, None));
    // A page is stored in the cache's own form, whose version is part of the key.
    assert_ne!(nobody, Key::new(&url, Kind::Page, "*/*", None, None));
    // Other answers keep the keys of the first release of this layout, so an upgrade keeps them cached.
    let metadata =
        Url::parse("http://127.0.0.1:9/files/demo-1.0-py3-none-any.whl.metadata").unwrap();
    assert_eq!(
        Key::new(&metadata, Kind::File, "*/*", None, None).0,
        "612e655a7abd2028ba105997d391371cdd2acd480b6ea7b94957d789c56e8411"
    );
    assert_eq!(alice.0.len(), 64);
    assert!(!alice.0.contains("alice") && !alice.0.contains("s3cret"));
}

#[test]
fn trimming_removes_the_least_recently_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    for (name, age) in [("old", 300), ("mid", 200), ("new", 100)] {
        let path = dir.path().join(name);
        std::fs::write(&path, [0u8; 100]).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(now - Duration::from_secs(age)).unwrap();
    }
    let temp = dir.path().join("left.1-0.tmp");
    std::fs::write(&temp, b"half").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&temp)
        .unwrap()
        .set_modified(now - 2 * STALE_TEMP)
        .unwrap();
    trim(dir.path(), 250, now);
    let left: Vec<bool> = ["old", "mid", "new"]
        .iter()
        .map(|n| dir.path().join(n).exists())
        .collect();
    assert_eq!(left, [false, true, true]);
    assert!(!temp.exists());
}

fn cache_in(dir: &Path, mode: CacheMode) -> HttpCache {
    HttpCache::new(&CacheOptions {
        dir: dir.to_path_buf(),
        mode,
        max_bytes: u64::MAX,
    })
}

#[tokio::test]
async fn fresh_entries_are_served_and_stale_ones_revalidated() {
    let dir = tempfile::tempdir().unwrap();
    let url = Url::parse("http://127.0.0.1:9/files/demo.whl.metadata").unwrap();
    let key = Key::new(&url, Kind::File, "*/*", None, None);
    let cache = cache_in(dir.path(), CacheMode::Normal);
    let validators = Caching {
        etag: Some("\"v1\"".into()),
        ..caching(Some("max-age=0"), None)
    };
    let first = cache
        .get(&key, &url, Kind::File, async |c: &Conditional| {
            assert_eq!(c, &Conditional::default());
            Ok(Reply::Answer(Some(fetched(
                b"Name: demo",
                validators.clone(),
            ))))
        })
        .await;
    assert_eq!(first.unwrap().unwrap().body, b"Name: demo");
    // max-age=0: stale at once, so the next use asks with the stored ETag, and a 304 keeps the body.
    let second = cache
        .get(&key, &url, Kind::File, async |c: &Conditional| {
            assert_eq!(c.etag.as_deref(), Some("\"v1\""));
            Ok(Reply::NotModified(caching(Some("max-age=3600"), None)))
        })
        .await;
    assert_eq!(second.unwrap().unwrap().body, b"Name: demo");
    // Now fresh for an hour: the network is not asked.
    let third = cache
        .get(&key, &url, Kind::File, async |_: &Conditional| {
            Err(LookupError::network("the network was asked"))
        })
        .await;
    assert_eq!(third.unwrap().unwrap().body, b"Name: demo");
    let (note, warning) = cache.finish();
    assert_eq!(note, "cache: 1 fresh, 1 revalidated, 1 fetched");
    assert_eq!(warning, None);
}

#[tokio::test]
async fn absence_is_cached_and_no_store_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), CacheMode::Normal);
    let gone = Url::parse("http://127.0.0.1:9/files/gone.whl.metadata").unwrap();
    let secret = Url::parse("http://127.0.0.1:9/files/secret.whl.metadata").unwrap();
    let (gone_key, secret_key) = (
        Key::new(&gone, Kind::File, "*/*", None, None),
        Key::new(&secret, Kind::File, "*/*", None, None),
    );
    let answer = cache
        .get(&gone_key, &gone, Kind::File, async |_: &Conditional| {
            Ok(Reply::Answer(None))
        })
        .await;
    assert!(answer.unwrap().is_none());
    let no_store = caching(Some("no-store"), None);
    let answer = cache
        .get(&secret_key, &secret, Kind::File, async |_: &Conditional| {
            Ok(Reply::Answer(Some(fetched(b"x", no_store.clone()))))
        })
        .await;
    assert!(answer.unwrap().is_some());
    let offline = cache_in(dir.path(), CacheMode::Offline);
    let never =
        async |_: &Conditional| Err::<Reply, _>(LookupError::network("the network was asked"));
    assert!(
        offline
            .get(&gone_key, &gone, Kind::File, never)
            .await
            .unwrap()
            .is_none()
    );
    let missing = offline.get(&secret_key, &secret, Kind::File, never).await;
    let missing = missing.err().unwrap();
    assert_eq!(missing.kind(), FailureKind::Offline);
    assert!(missing.to_string().contains("not in the cache"));
}

#[tokio::test]
async fn a_damaged_entry_is_fetched_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
    let key = Key::new(&url, Kind::File, "*/*", None, None);
    let cache = cache_in(dir.path(), CacheMode::Normal);
    cache.store(&key, &entry(b"old body"));
    let path = dir.path().join(LAYOUT).join(&key.0);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    let answer = cache
        .get(&key, &url, Kind::Page, async |c: &Conditional| {
            assert_eq!(
                c,
                &Conditional::default(),
                "a damaged entry has no validators"
            );
            Ok(Reply::Answer(Some(fetched(
                b"new body",
                Caching::default(),
            ))))
        })
        .await;
    assert_eq!(answer.unwrap().unwrap().body, b"new body");
    assert!(Entry::decode(std::fs::read(&path).unwrap()).is_ok());
    assert!(cache.finish().0.contains("1 damaged"));
}

fn demo_page() -> Vec<crate::index::IndexFile> {
    let body = r#"{"files":[
        {"filename":"demo-1.0.tar.gz","url":"../../files/demo-1.0.tar.gz","requires-python":">=3.8","size":10},
        {"filename":"demo-1.1-py3-none-any.whl","url":"https://files.example.invalid/demo-1.1-py3-none-any.whl","yanked":"broken","core-metadata":{"sha256":"ab12"}},
        {"filename":"demo-1.1-py2-none-any.whl","url":"demo-1.1-py2-none-any.whl","core-metadata":true},
        {"filename":"demo-1.1-py1-none-any.whl","url":"demo-1.1-py1-none-any.whl","core-metadata":false},
        {"filename":"démo-1.2.tar.gz","url":"x/demo-1.2.tar.gz","yanked":true}]}"#;
    let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
    decode_page(
        "application/vnd.pypi.simple.v1+json",
        body.as_bytes(),
        &base,
    )
    .unwrap()
}

#[test]
fn stored_pages_round_trip() {
    let page = demo_page();
    let stored = page::encode(&page);
    assert_eq!(decode_stored_page(&stored).unwrap(), page);
    let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
    assert_eq!(
        decode_page(PAGE_CONTENT_TYPE, &stored, &base).unwrap(),
        page
    );
    let empty: Vec<crate::index::IndexFile> = Vec::new();
    assert_eq!(decode_stored_page(&page::encode(&empty)).unwrap(), empty);
}

#[test]
fn damaged_stored_pages_are_errors_not_panics() {
    let stored = page::encode(&demo_page());
    for cut in 0..stored.len() {
        assert!(decode_stored_page(&stored[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = stored.clone();
    longer.push(0);
    assert!(decode_stored_page(&longer).is_err());
    let mut huge_count = stored.clone();
    huge_count[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(decode_stored_page(&huge_count).is_err());
    // The presence byte of the first file's requires-python, after its filename and URL.
    let first = page::encode(&demo_page());
    let name_len = u32::from_le_bytes(first[4..8].try_into().unwrap()) as usize;
    let url_at = 8 + name_len;
    let url_len = u32::from_le_bytes(first[url_at..url_at + 4].try_into().unwrap()) as usize;
    let mut bad_flag = first;
    bad_flag[url_at + 4 + url_len] = 7;
    assert!(decode_stored_page(&bad_flag).is_err());
    // The last file's core-metadata byte closes the page.
    let mut bad_metadata = stored;
    *bad_metadata.last_mut().unwrap() = 9;
    assert!(decode_stored_page(&bad_metadata).is_err());
}

#[tokio::test]
async fn pages_are_stored_decoded_and_bad_pages_as_they_came() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), CacheMode::Normal);
    let url = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
    let key = Key::new(&url, Kind::Page, "*/*", None, None);
    let json = br#"{"files":[{"filename":"demo-1.0.tar.gz","url":"demo-1.0.tar.gz"}]}"#;
    let answer = cache
        .get(&key, &url, Kind::Page, async |_: &Conditional| {
            let mut f = fetched(json, Caching::default());
            f.content_type = "application/vnd.pypi.simple.v1+json".into();
            Ok(Reply::Answer(Some(f)))
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.content_type, PAGE_CONTENT_TYPE);
    let page = decode_page(&answer.content_type, &answer.body, &url).unwrap();
    assert_eq!(page[0].filename, "demo-1.0.tar.gz");
    let stored = cache.load(&key).unwrap();
    assert_eq!(stored.content_type, PAGE_CONTENT_TYPE);

    let bad_url = Url::parse("http://127.0.0.1:9/simple/bad/").unwrap();
    let bad_key = Key::new(&bad_url, Kind::Page, "*/*", None, None);
    let answer = cache
        .get(&bad_key, &bad_url, Kind::Page, async |_: &Conditional| {
            Ok(Reply::Answer(Some(fetched(
                b"{not json",
                Caching::default(),
            ))))
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.body, b"{not json");
}

/// A FIFO, a link to an endless device and a file larger than any entry take an entry's place: each is
/// counted damaged and fetched again, without blocking or reading without end.
#[cfg(unix)]
#[tokio::test]
async fn an_entry_that_is_no_regular_file_or_too_large_is_fetched_again() {
    /// Puts something at an entry's path.
    type Plant = fn(&Path);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), CacheMode::Normal);
    std::fs::create_dir_all(dir.path().join(LAYOUT)).unwrap();
    let plant: [(&str, Plant); 3] = [
        ("fifo", |p: &Path| {
            let status = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap();
            assert!(status.success());
        }),
        ("zero", |p: &Path| {
            std::os::unix::fs::symlink("/dev/zero", p).unwrap()
        }),
        ("huge", |p: &Path| {
            let file = std::fs::File::create(p).unwrap();
            file.set_len(MAX_ENTRY + 1).unwrap();
        }),
    ];
    for (name, plant) in plant {
        let url = Url::parse(&format!("http://127.0.0.1:9/files/{name}.whl.metadata")).unwrap();
        let key = Key::new(&url, Kind::File, "*/*", None, None);
        plant(&dir.path().join(LAYOUT).join(&key.0));
        let answer = cache
            .get(&key, &url, Kind::File, async |_: &Conditional| {
                Ok(Reply::Answer(Some(fetched(
                    b"Name: demo",
                    Caching::default(),
                ))))
            })
            .await;
        assert_eq!(answer.unwrap().unwrap().body, b"Name: demo", "{name}");
        let stored = dir.path().join(LAYOUT).join(&key.0);
        assert!(
            std::fs::symlink_metadata(&stored).unwrap().is_file(),
            "{name}"
        );
    }
    assert!(
        cache.finish().0.contains("3 damaged"),
        "{}",
        cache.finish().0
    );
}

#[test]
fn entries_are_written_through_random_names_and_leave_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), CacheMode::Normal);
    let url = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
    let key = Key::new(&url, Kind::Page, "*/*", None, None);
    // A link planted where the old scheme's temporary file would be is left alone.
    std::fs::create_dir_all(dir.path().join(LAYOUT)).unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let planted = dir
        .path()
        .join(LAYOUT)
        .join(format!("{}.{}-0.tmp", key.0, std::process::id()));
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    cache.store(&key, &entry(b"body"));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let left: Vec<_> = std::fs::read_dir(dir.path().join(LAYOUT))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp") && !planted.ends_with(n))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(cache.load(&key).is_some());
}
