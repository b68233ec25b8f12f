//! Real dependency trees, end to end: recorded index pages and core metadata of spaCy, FastAPI, uvicorn with
//! its `standard` extra and scikit-image (tests/fixtures/trees/), resolved by the built binary against a local
//! index, must give exactly the `name==version` set that pip 26.3 chose against the same pages
//! (`expected-<target>.txt`, made by scripts/pip-resolve.py; see tests/fixtures/trees/README.md).

mod common;

use std::collections::BTreeSet;

use common::{Behaviour, TestIndex, code, json, muslcheck, trees};

/// The `name==version` of every package muslcheck installs on `target` (a wheel or a build).
fn installed(report: &serde_json::Value, target: &str) -> BTreeSet<String> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let v = &p["targets"][target];
            let installs = matches!(v["outcome"].as_str(), Some("wheel" | "build"));
            let version = v["version"].as_str()?;
            installs.then(|| format!("{}=={version}", p["name"].as_str().unwrap()))
        })
        .collect()
}

#[test]
fn every_recorded_tree_resolves_as_pip_resolves_it() {
    let index = TestIndex::start_with(Behaviour {
        root: Some(trees()),
        ..Default::default()
    });
    let mut checked = 0;
    for tree in std::fs::read_dir(trees()).unwrap().flatten() {
        let requirements = tree.path().join("requirements.txt");
        if !requirements.exists() {
            continue;
        }
        for expected in std::fs::read_dir(tree.path()).unwrap().flatten() {
            let file = expected.file_name().to_string_lossy().to_string();
            let Some(target) = file
                .strip_prefix("expected-")
                .and_then(|f| f.strip_suffix(".txt"))
            else {
                continue;
            };
            let arch = target.rsplit("musllinux_1_2_").next().unwrap();
            let out = muslcheck(&[
                requirements.to_str().unwrap(),
                "--deps",
                "--index-url",
                &index.url(),
                "--python",
                "3.12",
                "--arch",
                arch,
                "--format",
                "json",
            ]);
            assert!(
                [0, 1].contains(&code(&out)),
                "{tree:?} {target}: exit {}",
                code(&out)
            );
            let report = json(&out);
            let ours = installed(&report, target);
            let pips: BTreeSet<String> = std::fs::read_to_string(expected.path())
                .unwrap()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect();
            assert_eq!(
                ours.difference(&pips).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{}: {target}: muslcheck installs what pip does not (warnings: {})",
                tree.path().display(),
                report["warnings"]
            );
            assert_eq!(
                pips.difference(&ours).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{}: {target}: pip installs what muslcheck does not",
                tree.path().display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "every tree and target was checked ({checked})"
    );
}

#[test]
fn a_cached_tree_resolves_again_offline_and_online() {
    let index = TestIndex::start_with(Behaviour {
        root: Some(trees()),
        ..Default::default()
    });
    let cache = tempfile::tempdir().unwrap();
    let requirements = trees().join("spacy/requirements.txt");
    let run = |extra: &[&str]| {
        common::command()
            .env_remove("MUSLCHECK_NO_CACHE")
            .args([
                requirements.to_str().unwrap(),
                "--deps",
                "--index-url",
                &index.url(),
            ])
            .args([
                "--format",
                "json",
                "--cache-dir",
                cache.path().to_str().unwrap(),
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let target = "cp312-musllinux_1_2_x86_64";
    let first = installed(&json(&run(&[])), target);
    assert!(first.len() > 40, "{first:?}");
    // A fetch ahead of the resolver that was still on the wire when the run ended reaches the server late.
    let asked = settled_hits(&index);
    assert!(
        asked > 40,
        "the first run asks the index ({asked} requests)"
    );

    // Everything the resolution read is in the cache: offline, the same tree and not one request.
    let offline = installed(&json(&run(&["--offline"])), target);
    assert_eq!(settled_hits(&index), asked, "--offline asked the index");
    assert_eq!(offline, first);

    // Online with the cache: the same tree. (The fetches ahead of the resolver are guesses, cut off when
    // the resolution ends, so a second run may still guess at something the first did not reach.)
    assert_eq!(installed(&json(&run(&[])), target), first);
}

/// The index's request count once it has stopped changing.
fn settled_hits(index: &TestIndex) -> usize {
    let mut last = index.total_hits();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let now = index.total_hits();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// A pinned file whose pins do not list their whole tree is checked line by line, then resolved: the pages the
/// line-by-line check let go of are not asked for again, with or without a cache.
#[test]
fn a_pinned_file_resolved_after_its_lines_asks_for_each_page_once() {
    let index = TestIndex::start_with(Behaviour {
        root: Some(trees()),
        ..Default::default()
    });
    let requirements = trees().join("spacy/requirements.txt");
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap().to_string();
    let runs: [(&str, &[&str]); 3] = [
        ("without a cache", &["--no-cache"]),
        ("with an empty cache", &["--cache-dir", &cache_dir]),
        ("with --refresh", &["--cache-dir", &cache_dir, "--refresh"]),
    ];
    for (how, extra) in runs {
        let before = index.seen().len();
        let output = common::command()
            .env_remove("MUSLCHECK_NO_CACHE")
            .args([requirements.to_str().unwrap(), "--index-url", &index.url()])
            .args(["--format", "json", "--python", "3.12", "--arch", "x86_64"])
            .args(extra)
            .output()
            .unwrap();
        let report = json(&output);
        let notes = report["notes"].to_string();
        assert!(notes.contains("resolved on each target"), "{how}: {notes}");
        assert!(
            installed(&report, "cp312-musllinux_1_2_x86_64").len() > 40,
            "{how}"
        );
        settled_hits(&index);
        let mut pages: Vec<String> = index.seen()[before..]
            .iter()
            .map(|s| s.path.clone())
            .filter(|p| p.starts_with("/simple/"))
            .collect();
        let asked = pages.len();
        pages.sort();
        pages.dedup();
        assert_eq!(asked, pages.len(), "{how}: a page asked for twice");
        assert!(pages.contains(&"/simple/spacy/".to_string()), "{how}");
    }
}
