//! The built binary against the recorded index (tests/fixtures/index, 35 real projects), for CPython 3.12 on
//! x86_64 and aarch64: every verdict and chosen file must equal the expectation recorded with the independent
//! PyPA-`packaging` reference (tests/fixtures/e2e/expected-*.json), except where current pip itself differs from
//! that reference — those lines are asserted against pip's behaviour below.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use common::{TestIndex, assert_matches_reference, code, fixtures, json, muslcheck};
use serde_json::Value;

fn check_target(arch: &str, behaviour: common::Behaviour) -> Vec<Value> {
    let index = TestIndex::start_with(behaviour);
    let requirements = fixtures().join("e2e/requirements.txt");
    // Each line on its own, as the reference checks it: no dependency tree.
    let out = muslcheck(&[
        requirements.to_str().unwrap(),
        "--no-deps",
        "--index-url",
        &index.url(),
        "--arch",
        arch,
        "--format",
        "json",
    ]);
    assert_eq!(
        code(&out),
        1,
        "fail and build verdicts fail the default gate"
    );
    assert_matches_reference(&json(&out), &format!("cp312-musllinux_1_2_{arch}"))
}

#[test]
fn recorded_index_x86_64() {
    let verdicts = check_target("x86_64", common::Behaviour::default());
    // The recording covers every outcome but unknown (see tests/cli.rs) and every class but no_files.
    let outcomes: BTreeSet<&str> = verdicts
        .iter()
        .map(|v| v["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        BTreeSet::from(["wheel", "build", "fail", "skip", "missing"])
    );
    let classes: BTreeSet<&str> = verdicts
        .iter()
        .filter_map(|v| v["class"].as_str())
        .collect();
    let all = [
        "musllinux",
        "pure_python",
        "musllinux_other",
        "manylinux_only",
        "no_linux",
        "sdist_only",
    ];
    assert_eq!(classes, BTreeSet::from(all));
}

#[test]
fn recorded_index_aarch64() {
    let verdicts = check_target("aarch64", common::Behaviour::default());
    assert!(
        verdicts
            .iter()
            .any(|v| v["class"] == "musllinux_other" && v["outcome"] == "build")
    );
}

/// The same pages as PEP 503 HTML, as pypiserver, devpi and most private indexes serve them: same verdicts.
#[test]
fn recorded_index_as_pep_503_html() {
    let html = common::Behaviour {
        html: true,
        ..Default::default()
    };
    let verdicts = check_target("x86_64", html);
    assert!(
        verdicts.iter().any(|v| v["yanked"] == true),
        "data-yanked is read"
    );
}

#[test]
fn metadata_is_read_from_the_wheel_with_or_without_range_support() {
    for ignore_ranges in [false, true] {
        let behaviour = common::Behaviour {
            ignore_ranges,
            ..Default::default()
        };
        let index = TestIndex::start_with(behaviour);
        let (_dir, path) = common::temp_requirements("torchsde==0.2.5\norjson==3.10.12\n");
        let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
        let report = json(&out);
        let tid = "cp312-musllinux_1_2_x86_64";
        let torchsde = &report["packages"][0]["targets"][tid];
        assert_eq!(
            torchsde["outcome"], "fail",
            "ignore_ranges={ignore_ranges}: {}",
            torchsde["reason"]
        );
        assert!(
            torchsde["reason"]
                .as_str()
                .unwrap()
                .contains("numpy (>=1.19.*)")
        );
        assert_eq!(report["packages"][1]["targets"][tid]["outcome"], "wheel");
        let wheel = "/files/torchsde-0.2.5-py3-none-any.whl";
        assert_eq!(index.hits(&format!("{wheel}.metadata")), 1);
        // A wheel smaller than the tail that is asked for arrives whole in one answer.
        assert_eq!(index.hits(wheel), 1);
    }
}

#[test]
fn a_version_with_rejected_metadata_gives_way_to_the_previous_one() {
    let index = TestIndex::start();
    let (_dir, path) = common::temp_requirements("synthetic-badmeta\nsynthetic-badmeta==1.1\n");
    let out = muslcheck(&[
        &path,
        "--no-deps",
        "--index-url",
        &index.url(),
        "--format",
        "json",
    ]);
    let report = json(&out);
    let tid = "cp312-musllinux_1_2_x86_64";
    let newest = &report["packages"][0];
    assert_eq!(newest["version"], "1.0");
    let reason = newest["targets"][tid]["reason"].as_str().unwrap();
    assert!(
        reason.contains("pip rejects synthetic_badmeta-1.1-py3-none-any.whl"),
        "{reason}"
    );
    let pinned = &report["packages"][1]["targets"][tid];
    assert_eq!(pinned["outcome"], "fail");
    assert_eq!(report["packages"][1]["version"], "1.1");
}

#[test]
fn a_forbidden_metadata_file_means_reading_the_wheel() {
    let behaviour = common::Behaviour {
        metadata_forbidden: true,
        ..Default::default()
    };
    let index = TestIndex::start_with(behaviour);
    let (_dir, path) = common::temp_requirements("torchsde==0.2.5\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    let verdict = &json(&out)["packages"][0]["targets"]["cp312-musllinux_1_2_x86_64"];
    assert_eq!(verdict["outcome"], "fail", "{}", verdict["reason"]);
    assert_eq!(index.hits("/files/torchsde-0.2.5-py3-none-any.whl"), 1);
}

/// A fixture file (`kind` is `index` or `files`): the recorded one, else the synthetic one.
fn fixture(kind: &str, name: &str) -> PathBuf {
    let recorded = fixtures().join(kind).join(name);
    if recorded.exists() {
        recorded
    } else {
        fixtures().join("synthetic").join(kind).join(name)
    }
}

/// A served root holding the fixture page of `project` with `core-metadata` set to `announced` on every
/// file, and the named fixture files.
fn root_announcing(project: &str, announced: Value, files: &[&str]) -> tempfile::TempDir {
    let page_file = fixture("index", &format!("{project}.json"));
    let mut page: Value = serde_json::from_slice(&std::fs::read(page_file).unwrap()).unwrap();
    for file in page["files"].as_array_mut().unwrap() {
        file["core-metadata"] = announced.clone();
    }
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("index")).unwrap();
    std::fs::create_dir_all(root.path().join("files")).unwrap();
    let page = serde_json::to_vec(&page).unwrap();
    std::fs::write(root.path().join(format!("index/{project}.json")), page).unwrap();
    for file in files {
        std::fs::copy(fixture("files", file), root.path().join("files").join(file)).unwrap();
    }
    root
}

/// Checks one requirement line against an index serving `root` as `behaviour` says: the index (for its
/// request counts), the run's output, and the requirement's verdict for CPython 3.12 on x86_64.
fn check_served(
    root: &tempfile::TempDir,
    behaviour: common::Behaviour,
    requirement: &str,
) -> (TestIndex, Output, Value) {
    let index = TestIndex::start_with(common::Behaviour {
        root: Some(root.path().to_path_buf()),
        ..behaviour
    });
    let (_dir, path) = common::temp_requirements(&format!("{requirement}\n"));
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    let verdict = json(&out)["packages"][0]["targets"]["cp312-musllinux_1_2_x86_64"].clone();
    (index, out, verdict)
}

#[test]
fn announced_metadata_must_match_the_hash_the_page_gives() {
    let metadata = "synthetic_badmeta-1.0-py3-none-any.whl.metadata";
    let bytes = std::fs::read(fixture("files", metadata)).unwrap();
    let right: String = ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let wrong = "0".repeat(64);
    for html in [false, true] {
        for (sha256, outcome) in [(&right, "wheel"), (&wrong, "unknown")] {
            let announced = serde_json::json!({ "sha256": sha256 });
            let root = root_announcing("synthetic-badmeta", announced, &[metadata]);
            let behaviour = common::Behaviour {
                html,
                ..Default::default()
            };
            let (index, out, verdict) = check_served(&root, behaviour, "synthetic-badmeta==1.0");
            assert_eq!(verdict["outcome"], outcome, "html={html}: {verdict}");
            assert_eq!(index.hits(&format!("/files/{metadata}")), 1);
            if outcome == "unknown" {
                let reason = verdict["reason"].as_str().unwrap();
                assert!(reason.contains("does not match the SHA-256"), "{reason}");
                assert_eq!(code(&out), 3);
            }
        }
    }
}

#[test]
fn metadata_the_page_says_is_absent_is_read_from_the_wheel_without_asking() {
    let wheel = "torchsde-0.2.5-py3-none-any.whl";
    let root = root_announcing("torchsde", Value::Bool(false), &[wheel]);
    let (index, _, verdict) = check_served(&root, Default::default(), "torchsde==0.2.5");
    // Its METADATA is one pip rejects: the verdict shows it was read.
    assert_eq!(verdict["outcome"], "fail", "{verdict}");
    assert_eq!(index.hits(&format!("/files/{wheel}.metadata")), 0);
    assert_eq!(index.hits(&format!("/files/{wheel}")), 1);
}

#[test]
fn an_announced_metadata_file_the_index_does_not_serve_is_unknown_as_pip_stops_there() {
    let wheel = "torchsde-0.2.5-py3-none-any.whl";
    let root = root_announcing("torchsde", Value::Bool(true), &[wheel]);
    for metadata_forbidden in [false, true] {
        let behaviour = common::Behaviour {
            metadata_forbidden,
            ..Default::default()
        };
        let (index, out, verdict) = check_served(&root, behaviour, "torchsde==0.2.5");
        assert_eq!(verdict["outcome"], "unknown", "{verdict}");
        let reason = verdict["reason"].as_str().unwrap();
        assert!(
            reason.contains("announces this core-metadata file"),
            "{reason}"
        );
        assert_eq!(code(&out), 3);
        assert_eq!(
            index.hits(&format!("/files/{wheel}")),
            0,
            "no reading the wheel instead"
        );
    }
}

#[test]
fn the_yanked_pin_says_so() {
    let index = TestIndex::start();
    let (_dir, path) = common::temp_requirements("requests==2.32.0\n");
    let out = muslcheck(&[&path, "--index-url", &index.url(), "--format", "json"]);
    let v = &json(&out)["packages"][0]["targets"]["cp312-musllinux_1_2_x86_64"];
    assert_eq!(v["outcome"], "wheel");
    assert_eq!(v["yanked"], true);
    assert!(
        v["reason"].as_str().unwrap().contains("yanked"),
        "{}",
        v["reason"]
    );
}
