//! The cache on disk, end to end: the built binary against the local index, with a cache directory of each
//! test's own. The requirements are the recorded end-to-end set, which asks for pages, `.metadata` files, range
//! reads of wheels without one, and a project that is not there (404).

mod common;

use std::path::Path;
use std::process::Output;

use common::{Behaviour, LAST_MODIFIED, TestIndex, Validators, code, command, fixtures, json};
use serde_json::Value;

fn requirements() -> String {
    fixtures()
        .join("e2e/requirements.txt")
        .display()
        .to_string()
}

/// One run against `index` with the cache turned on in `cache` (and `extra` flags).
fn run(index_url: &str, cache: &Path, extra: &[&str]) -> Output {
    let cache = cache.display().to_string();
    command()
        .env_remove("MUSLCHECK_NO_CACHE")
        // Each line on its own: the cache's accounting, not the tree (tests/trees.rs caches a tree).
        .args([
            requirements().as_str(),
            "--no-deps",
            "--index-url",
            index_url,
        ])
        .args(["--format", "json", "--python", "3.12", "--arch", "x86_64"])
        .args(["--cache-dir", cache.as_str()])
        .args(extra)
        .output()
        .expect("run muslcheck")
}

/// What the verdicts say, without the notes (which count cache hits and so differ between runs).
fn verdicts(report: &Value) -> Value {
    report["packages"].clone()
}

/// Two runs with one cache directory: the second run's report, after checking its verdicts equal the first's,
/// and the requests the second run made.
fn run_twice(index: &TestIndex) -> (Value, Vec<common::Seen>) {
    let cache = tempfile::tempdir().unwrap();
    let first = json(&run(&index.url(), cache.path(), &[]));
    let before = index.seen().len();
    let second = json(&run(&index.url(), cache.path(), &[]));
    assert_eq!(verdicts(&second), verdicts(&first));
    (second, index.seen().split_off(before))
}

fn cache_note(report: &Value) -> String {
    report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|n| n.starts_with("cache:"))
        .unwrap_or_else(|| panic!("no cache note in {}", report["notes"]))
        .to_string()
}

/// The entry files of a cache directory, with their sizes.
fn entries(cache: &Path) -> Vec<(std::path::PathBuf, u64)> {
    let Ok(listing) = std::fs::read_dir(cache.join("http-v1")) else {
        return Vec::new();
    };
    listing
        .flatten()
        .map(|e| (e.path(), e.metadata().unwrap().len()))
        .collect()
}

#[test]
fn a_second_run_with_a_fresh_cache_asks_nothing() {
    let index = TestIndex::start();
    let cache = tempfile::tempdir().unwrap();
    let first = run(&index.url(), cache.path(), &[]);
    let asked = index.total_hits();
    assert!(
        asked > 40,
        "the first run asks the index ({asked} requests)"
    );
    assert!(index.hits("/simple/muslcheck-no-such-project-xyz/") == 1);
    let second = run(&index.url(), cache.path(), &[]);
    assert_eq!(index.total_hits(), asked, "the second run asked the index");
    assert_eq!(code(&second), code(&first));
    let (first, second) = (json(&first), json(&second));
    assert_eq!(verdicts(&second), verdicts(&first));
    assert!(
        cache_note(&second).contains(&format!("{asked} fresh, 0 revalidated, 0 fetched")),
        "{}",
        cache_note(&second)
    );
    let uncached = json(&run(&index.url(), cache.path(), &["--no-cache"]));
    assert_eq!(
        verdicts(&uncached),
        verdicts(&first),
        "the cache changes no verdict"
    );
}

#[test]
fn stale_entries_are_revalidated_with_their_etag_and_a_304_is_used() {
    let index = TestIndex::start_with(Behaviour {
        validators: Validators::Both,
        cache_control: Some("max-age=0".into()),
        ..Behaviour::default()
    });
    let (second, again) = run_twice(&index);
    // Answers that were there come back as 304 to a conditional request; the 404s are still fresh.
    assert!(!again.is_empty());
    for seen in &again {
        assert!(
            seen.if_none_match.is_some(),
            "{} asked unconditionally",
            seen.path
        );
        assert_eq!(seen.status, 304, "{}", seen.path);
    }
    assert!(cache_note(&second).contains(&format!("{} revalidated, 0 fetched", again.len())));
}

#[test]
fn without_an_etag_last_modified_is_sent_back() {
    let index = TestIndex::start_with(Behaviour {
        validators: Validators::LastModifiedOnly,
        cache_control: Some("no-cache".into()),
        ..Behaviour::default()
    });
    let (_, again) = run_twice(&index);
    assert!(!again.is_empty());
    for seen in &again {
        assert_eq!(seen.if_modified_since.as_deref(), Some(LAST_MODIFIED));
        assert_eq!(seen.if_none_match, None);
        assert_eq!(seen.status, 304, "{}", seen.path);
    }
}

#[test]
fn refresh_revalidates_even_fresh_entries() {
    let index = TestIndex::start_with(Behaviour {
        validators: Validators::Both,
        ..Behaviour::default()
    });
    let cache = tempfile::tempdir().unwrap();
    let first = json(&run(&index.url(), cache.path(), &[]));
    let asked = index.seen().len();
    run(&index.url(), cache.path(), &[]);
    assert_eq!(index.seen().len(), asked, "fresh by default: nothing asked");
    let refreshed = json(&run(&index.url(), cache.path(), &["--refresh"]));
    assert_eq!(verdicts(&refreshed), verdicts(&first));
    let again = index.seen().split_off(asked);
    assert_eq!(again.len(), asked, "every answer asked again");
    let not_modified = again.iter().filter(|s| s.status == 304).count();
    assert!(again.iter().all(|s| s.status == 304 || s.status == 404));
    assert!(
        again
            .iter()
            .filter(|s| s.status == 304)
            .all(|s| s.if_none_match.is_some())
    );
    assert!(cache_note(&refreshed).contains(&format!("0 fresh, {not_modified} revalidated")));
}

#[test]
fn offline_with_a_warm_cache_gives_the_same_verdicts_without_asking() {
    let index = TestIndex::start_with(Behaviour {
        cache_control: Some("max-age=0".into()),
        ..Behaviour::default()
    });
    let cache = tempfile::tempdir().unwrap();
    let online = run(&index.url(), cache.path(), &[]);
    let asked = index.total_hits();
    // Every entry is stale (max-age=0), and offline uses them anyway.
    let offline = run(&index.url(), cache.path(), &["--offline"]);
    assert_eq!(index.total_hits(), asked, "--offline asked the index");
    assert_eq!(code(&offline), code(&online));
    let offline = json(&offline);
    assert_eq!(verdicts(&offline), verdicts(&json(&online)));
    assert!(
        cache_note(&offline).contains("stale used offline"),
        "{}",
        cache_note(&offline)
    );
}

#[test]
fn offline_with_an_empty_cache_is_unknown_and_says_why() {
    let index = TestIndex::start();
    let cache = tempfile::tempdir().unwrap();
    let offline = run(
        &index.url(),
        cache.path(),
        &["--offline", "--fail-on", "never"],
    );
    assert_eq!(index.total_hits(), 0);
    assert_eq!(code(&offline), 3, "unknown lookups");
    let report = json(&offline);
    let numpy = common::cell(&report, "numpy", "cp312-musllinux_1_2_x86_64");
    assert_eq!(numpy["outcome"], "unknown");
    assert!(
        numpy["reason"]
            .as_str()
            .unwrap()
            .contains("not in the cache"),
        "{}",
        numpy["reason"]
    );
    assert!(entries(cache.path()).is_empty(), "offline writes nothing");
}

#[test]
fn offline_does_not_go_with_refresh_or_no_cache() {
    let cache = tempfile::tempdir().unwrap();
    for other in ["--refresh", "--no-cache"] {
        let out = run(
            "http://127.0.0.1:9/simple/",
            cache.path(),
            &["--offline", other],
        );
        assert_eq!(code(&out), 2, "--offline {other}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(other));
    }
}

#[test]
fn a_damaged_entry_is_fetched_again() {
    let index = TestIndex::start();
    let cache = tempfile::tempdir().unwrap();
    let first = json(&run(&index.url(), cache.path(), &[]));
    let asked = index.total_hits();
    let stored = entries(cache.path());
    assert_eq!(stored.len(), asked, "one entry per answer");
    // A cut-short file, as a full disk leaves it, and a flipped byte in another.
    let (cut, flipped) = (&stored[0].0, &stored[1].0);
    let bytes = std::fs::read(cut).unwrap();
    std::fs::write(cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut bytes = std::fs::read(flipped).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x20;
    std::fs::write(flipped, &bytes).unwrap();
    let second = json(&run(&index.url(), cache.path(), &[]));
    assert_eq!(verdicts(&second), verdicts(&first));
    assert_eq!(
        index.total_hits(),
        asked + 2,
        "the two damaged entries asked again"
    );
    assert!(cache_note(&second).contains("2 damaged entries fetched again"));
    let third = json(&run(&index.url(), cache.path(), &[]));
    assert_eq!(index.total_hits(), asked + 2, "and stored whole again");
    assert_eq!(verdicts(&third), verdicts(&first));
}

#[test]
fn no_cache_writes_nothing_and_reads_nothing() {
    let index = TestIndex::start();
    let cache = tempfile::tempdir().unwrap();
    let first = run(&index.url(), cache.path(), &["--no-cache"]);
    let asked = index.total_hits();
    assert!(asked > 0);
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
    run(&index.url(), cache.path(), &["--no-cache"]);
    assert_eq!(index.total_hits(), 2 * asked);
    assert!(json(&first)["notes"].to_string().find("cache:").is_none());
}

#[test]
fn the_cache_is_trimmed_to_its_bound() {
    let index = TestIndex::start();
    let unbounded = tempfile::tempdir().unwrap();
    run(&index.url(), unbounded.path(), &[]);
    let all = entries(unbounded.path());
    let total: u64 = all.iter().map(|(_, len)| len).sum();
    // A bound of about half of what one run stores.
    let bound_mib = (total / 2) as f64 / (1024.0 * 1024.0);
    let bounded = tempfile::tempdir().unwrap();
    let bound = format!("{bound_mib}");
    let out = run(&index.url(), bounded.path(), &["--cache-max-mb", &bound]);
    assert!(code(&out) < 2);
    let kept = entries(bounded.path());
    let kept_total: u64 = kept.iter().map(|(_, len)| len).sum();
    assert!(
        kept_total <= total / 2,
        "{kept_total} bytes kept, bound {}",
        total / 2
    );
    assert!(!kept.is_empty() && kept.len() < all.len());
    // A bound of zero empties the cache after the run; the run's verdicts are still whole.
    let out = run(&index.url(), bounded.path(), &["--cache-max-mb", "0"]);
    assert!(entries(bounded.path()).is_empty());
    assert_eq!(
        json(&out)["summary"]["cp312-musllinux_1_2_x86_64"]["unknown"],
        0
    );
    let bad = run(&index.url(), bounded.path(), &["--cache-max-mb", "-1"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn credentials_never_reach_the_cache_and_users_do_not_share_entries() {
    let index = TestIndex::start();
    let cache = tempfile::tempdir().unwrap();
    let port_url = |user: &str| index.url().replace("http://", &format!("http://{user}@"));
    run(&port_url("alice:s3cr3t-pw"), cache.path(), &[]);
    let asked = index.total_hits();
    assert!(
        index.auth_headers().iter().all(Option::is_some),
        "the credentials were sent"
    );
    let alice = entries(cache.path());
    assert!(!alice.is_empty());
    for (path, _) in &alice {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let name = path.display().to_string();
        for secret in ["s3cr3t", "alice", "YWxpY2U"] {
            assert!(!text.contains(secret), "{secret} in {name}");
            assert!(!name.contains(secret), "{secret} in the name {name}");
        }
    }
    // Another user, same index: nothing of alice's is served to bob.
    run(&port_url("bob:hunter2"), cache.path(), &[]);
    assert_eq!(index.total_hits(), 2 * asked);
    run(&port_url("alice:s3cr3t-pw"), cache.path(), &[]);
    assert_eq!(
        index.total_hits(),
        2 * asked,
        "alice's own entries still serve her"
    );
}

#[test]
fn pep_503_pages_are_cached_too() {
    let index = TestIndex::start_with(Behaviour {
        html: true,
        ..Behaviour::default()
    });
    let cache = tempfile::tempdir().unwrap();
    let first = json(&run(&index.url(), cache.path(), &[]));
    let asked = index.total_hits();
    let second = json(&run(&index.url(), cache.path(), &[]));
    assert_eq!(index.total_hits(), asked);
    assert_eq!(verdicts(&second), verdicts(&first));
    let uncached = command()
        .args([
            requirements().as_str(),
            "--no-deps",
            "--index-url",
            index.url().as_str(),
        ])
        .args(["--format", "json", "--python", "3.12", "--arch", "x86_64"])
        .output()
        .unwrap();
    assert_eq!(
        verdicts(&json(&uncached)),
        verdicts(&first),
        "the cache changes no verdict"
    );
}

#[test]
fn the_default_directory_is_under_xdg_cache_home_else_home_and_is_tagged() {
    let index = TestIndex::start();
    let dir = tempfile::tempdir().unwrap();
    let (home, xdg) = (dir.path().join("home"), dir.path().join("xdg"));
    let run_with = |xdg_cache_home: &Path| {
        let out = command()
            .env_remove("MUSLCHECK_NO_CACHE")
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", xdg_cache_home)
            .current_dir(dir.path())
            .args([requirements().as_str(), "--no-deps", "--index-url"])
            .arg(index.url())
            .args(["--format", "json", "--python", "3.12", "--arch", "x86_64"])
            .output()
            .unwrap();
        assert!(matches!(code(&out), 0 | 1 | 3), "{out:?}");
    };
    run_with(&xdg);
    let tagged = |root: &Path| {
        std::fs::read(root.join("CACHEDIR.TAG"))
            .is_ok_and(|tag| tag.starts_with(b"Signature: 8a477f597d28d172789f06886806bc55"))
    };
    assert!(!entries(&xdg.join("muslcheck")).is_empty());
    assert!(
        tagged(&xdg.join("muslcheck")),
        "backup tools skip the cache"
    );
    assert!(!home.join(".cache").exists());
    // A relative XDG_CACHE_HOME is invalid (the XDG base directory spec): ~/.cache is used.
    run_with(Path::new("relative/cache"));
    assert!(!entries(&home.join(".cache/muslcheck")).is_empty());
    assert!(tagged(&home.join(".cache/muslcheck")));
    assert!(!dir.path().join("relative").exists());
}
