//! Several targets in one run, against the recorded index: the Python × arch matrix, glibc baselines, and
//! `--compare` of slim against alpine. Each cell of a matrix must say what a run for that target alone says,
//! and a project is still asked for once however many targets there are.

mod common;

use common::{
    TestIndex, assert_matches_reference, cell, code, fixtures, json, muslcheck, temp_requirements,
};
use serde_json::Value;

fn run_json(index: &TestIndex, file: &str, flags: &[&str]) -> (i32, Value) {
    let url = index.url();
    // Each line on its own, as the reference checks it: no dependency tree.
    let mut args = vec![file, "--no-deps", "--index-url", &url, "--format", "json"];
    args.extend_from_slice(flags);
    let out = muslcheck(&args);
    assert!(
        [0, 1, 3].contains(&code(&out)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code(&out), json(&out))
}

#[test]
fn every_cell_of_the_matrix_equals_a_run_for_that_target_alone() {
    let index = TestIndex::start();
    let requirements = fixtures().join("e2e/requirements.txt");
    let file = requirements.to_str().unwrap();
    let (matrix_code, matrix) = run_json(
        &index,
        file,
        &["--python", "3.11,3.12,3.13", "--arch", "x86_64,aarch64"],
    );
    let ids: Vec<&str> = matrix["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "cp311-musllinux_1_2_x86_64",
            "cp311-musllinux_1_2_aarch64",
            "cp312-musllinux_1_2_x86_64",
            "cp312-musllinux_1_2_aarch64",
            "cp313-musllinux_1_2_x86_64",
            "cp313-musllinux_1_2_aarch64",
        ]
    );
    // One request per project page whatever the matrix size: `e2e/requirements.txt` names numpy once, torch
    // twice, requests three times.
    for project in ["numpy", "torch", "requests", "pydantic-core"] {
        assert_eq!(index.hits(&format!("/simple/{project}/")), 1, "{project}");
    }
    let mut worst = 0;
    for (i, id) in ids.iter().enumerate() {
        let python = &id[2..5];
        let arch = id.rsplit('_').next().unwrap();
        let arch = if arch == "64" { "x86_64" } else { arch };
        let alone = TestIndex::start();
        let (alone_code, single) = run_json(
            &alone,
            file,
            &["--python", &format!("3.{}", &python[1..]), "--arch", arch],
        );
        assert_eq!(single["targets"][0]["id"], *id);
        worst = worst.max(alone_code);
        let packages = matrix["packages"].as_array().unwrap();
        for (p, package) in packages.iter().enumerate() {
            assert_eq!(
                package["targets"][*id], single["packages"][p]["targets"][*id],
                "{} on {id}",
                package["requirement"]
            );
        }
        assert_eq!(matrix["summary"][*id], single["summary"][*id], "{id}");
        assert_eq!(matrix["download"][*id], single["download"][*id], "{id}");
        assert!(matrix["download"][*id]["bytes"].as_u64().unwrap() > 0);
        assert_eq!(i, ids.iter().position(|x| x == id).unwrap());
        // And each cell agrees with the independent reference recorded for that target.
        assert_matches_reference(&matrix, id);
    }
    assert_eq!(
        matrix_code, worst,
        "the exit code is the worst over all targets"
    );
    // The Python changes the answer: spacy 3.8.2 ships musllinux wheels for cp312 (and older) on x86_64 only,
    // scipy 1.10.1 is for Python < 3.12.
    assert_eq!(cell(&matrix, "spacy", ids[0])["outcome"], "wheel");
    assert_eq!(cell(&matrix, "spacy", ids[4])["outcome"], "build");
    assert_eq!(cell(&matrix, "spacy", ids[5])["outcome"], "build");
    let scipy = |id: &str| {
        matrix["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["requirement"] == "scipy==1.10.1")
            .unwrap()["targets"][id]["outcome"]
            .clone()
    };
    assert_ne!(scipy(ids[0]), "fail", "scipy 1.10.1 installs on 3.11");
    assert_eq!(scipy(ids[2]), "fail", "requires-python excludes 3.12");
}

#[test]
fn the_terminal_matrix_has_a_cell_per_target_and_problems_first() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements(
        "six==1.16.0\nspacy==3.8.2\ntorch==2.5.1\npywin32==308 ; sys_platform == 'win32'\n",
    );
    let out = muslcheck(&[
        &path,
        "--no-deps",
        "--index-url",
        &index.url(),
        "--python",
        "3.12,3.13",
        "--arch",
        "x86_64,arm64",
    ]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("muslcheck "), "{text}");
    assert!(text.contains("· 4 targets"), "{text}");
    let header = text
        .lines()
        .find(|l| l.starts_with("package"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        header.contains("3.12 x86_64  3.12 aarch64  3.13 x86_64  3.13 aarch64"),
        "{header}"
    );
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("package"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["torch", "spacy", "six", "pywin32"], "{text}");
    assert!(
        rows[1].contains("✓ wheel      ⚙ build       ⚙ build      ⚙ build"),
        "{}",
        rows[1]
    );
    assert!(rows[0].starts_with("torch"), "{text}");
    assert!(rows[0].matches("✗ fail").count() == 4, "{}", rows[0]);
    // The problem list groups targets that say the same thing.
    assert!(
        text.contains("fail 2.5.1 on 3.12 x86_64, 3.12 aarch64, 3.13 x86_64, 3.13 aarch64"),
        "{text}"
    );
    assert!(
        text.contains("build 3.8.2 on 3.12 aarch64, 3.13 aarch64: no musllinux wheel for aarch64"),
        "{text}"
    );
    let summaries: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("requirements: "))
        .collect();
    assert_eq!(summaries.len(), 4, "{text}");
    assert!(summaries[0].starts_with("3.12 x86_64 "), "{}", summaries[0]);
    assert!(summaries[0].contains("· download "), "{}", summaries[0]);
}

#[test]
fn glibc_targets_take_manylinux_wheels_in_pips_order() {
    let index = TestIndex::start();
    let (_dir, path) =
        temp_requirements("cryptography==43.0.3\ntorch==2.5.1\nnumpy==2.5.3\nspacy==3.8.2\n");
    let (_, report) = run_json(
        &index,
        &path,
        &[
            "--libc",
            "glibc",
            "--glibc",
            "2.36",
            "--arch",
            "x86_64,aarch64",
        ],
    );
    let x86 = "cp312-manylinux_2_36_x86_64";
    let arm = "cp312-manylinux_2_36_aarch64";
    assert_eq!(report["targets"][0]["id"], x86);
    assert_eq!(report["targets"][0]["libc"], "glibc");
    assert_eq!(report["targets"][0]["libc_version"], "2.36");
    // manylinux_2_28 outranks manylinux_2_17, and cp39-abi3 outranks cp37-abi3.
    assert_eq!(
        cell(&report, "cryptography", x86)["file"],
        "cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl"
    );
    assert_eq!(cell(&report, "cryptography", x86)["class"], "manylinux");
    // Legacy aliases: manylinux1 (= 2_5) on x86_64, manylinux2014 (= 2_17) on aarch64.
    assert_eq!(
        cell(&report, "torch", x86)["file"],
        "torch-2.5.1-cp312-cp312-manylinux1_x86_64.whl"
    );
    assert_eq!(
        cell(&report, "torch", arm)["file"],
        "torch-2.5.1-cp312-cp312-manylinux2014_aarch64.whl"
    );
    assert_eq!(cell(&report, "spacy", arm)["outcome"], "build");
    assert_eq!(cell(&report, "spacy", arm)["class"], "manylinux_other");

    // An older glibc: numpy 2.5.3's Linux wheels need glibc 2.27, so Debian buster's 2.28 takes them and
    // glibc 2.26 builds the sdist; cryptography falls back to its manylinux2014 wheel.
    let (_, old) = run_json(&index, &path, &["--libc", "glibc", "--glibc", "2.26"]);
    let id = "cp312-manylinux_2_26_x86_64";
    assert_eq!(cell(&old, "numpy", id)["outcome"], "build");
    let reason = cell(&old, "numpy", id)["reason"].as_str().unwrap();
    assert!(
        reason.contains("no manylinux wheel for glibc 2.26 (only manylinux_2_27"),
        "{reason}"
    );
    assert_eq!(
        cell(&old, "cryptography", id)["file"],
        "cryptography-43.0.3-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    );
}

#[test]
fn compare_says_what_switching_to_alpine_changes() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements(
        "six==1.16.0\nspacy==3.8.2\ntorch==2.5.1\npsycopg2==2.9.10\ncryptography==43.0.3\n",
    );
    let (exit, report) = run_json(
        &index,
        &path,
        &["--compare", "--glibc", "2.36", "--arch", "x86_64,aarch64"],
    );
    assert_eq!(exit, 1);
    let compare = &report["compare"];
    let pairs: Vec<(&str, &str)> = compare["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["from"].as_str().unwrap(), p["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("cp312-manylinux_2_36_x86_64", "cp312-musllinux_1_2_x86_64"),
            (
                "cp312-manylinux_2_36_aarch64",
                "cp312-musllinux_1_2_aarch64"
            ),
        ]
    );
    assert_eq!(compare["counts"]["to_fail"], 1, "torch");
    assert_eq!(compare["counts"]["to_build"], 0, "{compare}");
    let changes: Vec<String> = compare["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {}→{}", c["name"], c["to_target"], c["from"], c["to"]))
        .collect();
    assert_eq!(
        changes,
        [
            r#""torch" "cp312-musllinux_1_2_x86_64" "wheel"→"fail""#,
            r#""torch" "cp312-musllinux_1_2_aarch64" "wheel"→"fail""#,
        ],
        "spacy builds on aarch64 on both sides; psycopg2 builds everywhere"
    );
    let summary = compare["summary"].as_str().unwrap();
    assert!(summary.starts_with("switching to "), "{summary}");
    assert!(summary.contains("1 would fail (torch)"), "{summary}");
    // A wheel against a wheel: psycopg2 builds on both sides, spacy on aarch64.
    for (pair, wheels) in compare["pairs"].as_array().unwrap().iter().zip([3, 2]) {
        assert_eq!(pair["packages_compared"], wheels, "{pair}");
        assert!(pair["download_from"]["bytes"].as_u64().unwrap() > 0);
    }

    // The terminal report ends with the line to paste.
    let url = index.url();
    let out = muslcheck(&[&path, "--no-deps", "--index-url", &url, "--compare"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("switching python:3.12-slim"), "{text}");
    assert!(text.contains("torch  wheel → fail"), "{text}");
    assert!(
        text.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("switching to python:3.12-alpine"),
        "{text}"
    );
}

/// A project directory with a requirements file and a Dockerfile beside it.
fn project(dockerfile: &str, requirements: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, requirements).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

fn target_ids(report: &Value) -> Vec<String> {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

const MULTI_STAGE: &str = "\
ARG PYTHON_VERSION=3.11
FROM --platform=linux/arm64 python:${PYTHON_VERSION}-slim-bookworm AS build
RUN pip wheel --wheel-dir /wheels -r requirements.txt
FROM python:${PYTHON_VERSION}-alpine3.20
COPY --from=build /wheels /wheels
";

#[test]
fn a_dockerfile_beside_the_input_names_the_targets() {
    let index = TestIndex::start();
    let (_dir, path) = project(MULTI_STAGE, "spacy==3.8.2\nsix==1.16.0\n");
    let (_, report) = run_json(&index, &path, &[]);
    // The slim stage is put beside its Alpine counterpart (what switching does); the alpine stage is
    // checked as it is.
    assert_eq!(
        target_ids(&report),
        [
            "cp311-manylinux_2_36_aarch64",
            "cp311-musllinux_1_2_aarch64",
            "cp311-musllinux_1_2_x86_64"
        ]
    );
    assert_eq!(report["targets"][0]["image"], "python:3.11-slim-bookworm");
    assert_eq!(report["targets"][1]["image"], "python:3.11-alpine");
    assert_eq!(report["targets"][2]["image"], "python:3.11-alpine3.20");
    assert_eq!(report["compare"]["from"], "python:3.11-slim-bookworm");
    assert_eq!(report["compare"]["to"], "python:3.11-alpine");
    assert_eq!(report["compare"]["pairs"].as_array().unwrap().len(), 1);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("Dockerfile (found beside the input)"),
        "{notes}"
    );
    assert!(
        notes.contains("Dockerfile:4 (stage 1): python:3.11-alpine3.20 → CPython 3.11"),
        "{notes}"
    );
    assert!(
        notes.contains("musl 1.2 (Alpine 3.20 ships musl 1.2."),
        "{notes}"
    );
    assert!(
        notes.contains("aarch64 (--platform=linux/arm64)"),
        "{notes}"
    );
    assert_eq!(
        cell(&report, "spacy", "cp311-musllinux_1_2_x86_64")["outcome"],
        "wheel"
    );
    assert_eq!(
        cell(&report, "spacy", "cp311-manylinux_2_36_aarch64")["outcome"],
        "build"
    );

    // A build argument changes the tag; --arch applies to stages without --platform.
    let (_, report) = run_json(
        &index,
        &path,
        &[
            "--build-arg",
            "PYTHON_VERSION=3.13",
            "--arch",
            "x86_64,aarch64",
        ],
    );
    assert_eq!(
        target_ids(&report),
        [
            "cp313-manylinux_2_36_aarch64",
            "cp313-musllinux_1_2_aarch64",
            "cp313-musllinux_1_2_x86_64"
        ]
    );

    // A target flag, or --no-dockerfile, leaves the Dockerfile alone.
    let (_, report) = run_json(&index, &path, &["--python", "3.12"]);
    assert_eq!(target_ids(&report), ["cp312-musllinux_1_2_x86_64"]);
    let (_, report) = run_json(&index, &path, &["--no-dockerfile"]);
    assert_eq!(target_ids(&report), ["cp312-musllinux_1_2_x86_64"]);
}

#[test]
fn a_dockerfile_that_names_no_python_image_says_so() {
    let index = TestIndex::start();
    let (dir, path) = project("FROM alpine:3.20\nRUN apk add python3\n", "six==1.16.0\n");
    // Found beside the input: a warning, and the default target is checked.
    let (exit, report) = run_json(&index, &path, &[]);
    assert_eq!(exit, 0);
    assert_eq!(target_ids(&report), ["cp312-musllinux_1_2_x86_64"]);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("Dockerfile:1:1: no stage is built FROM the official python image"),
        "{warnings}"
    );
    assert!(warnings.contains("with --python"), "{warnings}");
    // Named with --dockerfile: a usage error that says why.
    let dockerfile = dir.path().join("Dockerfile");
    let url = index.url();
    let out = muslcheck(&[
        &path,
        "--index-url",
        &url,
        "--dockerfile",
        dockerfile.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("alpine:3.20 at line 1"), "{stderr}");
    assert!(stderr.contains("cannot tell which CPython"), "{stderr}");

    // A bad FROM line of a Dockerfile named with --dockerfile is an input error with its position; the other
    // stages are still checked. Found beside the input, the same file only earns a warning.
    let (dir2, path2) = project(
        "FROM python:3.12-alpine AS app\nFROM --platform python:3.12-slim\n",
        "six==1.16.0\n",
    );
    let (exit, implicit) = run_json(&index, &path2, &[]);
    assert_eq!(exit, 0);
    assert!(
        implicit["warnings"].to_string().contains("Dockerfile:2:"),
        "{implicit}"
    );
    let named = dir2.path().join("Dockerfile");
    let out = muslcheck(&[
        &path2,
        "--index-url",
        &url,
        "--format",
        "json",
        "--dockerfile",
        named.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(target_ids(&report), ["cp312-musllinux_1_2_x86_64"]);
    let error = &report["errors"][0];
    assert!(
        error["path"].as_str().unwrap().ends_with("Dockerfile"),
        "{error}"
    );
    assert_eq!(error["line"], 2, "{error}");
    assert!(error["column"].as_u64().is_some(), "{error}");
}

#[test]
fn two_images_compared_with_from_and_to() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("torch==2.5.1\nspacy==3.8.2\nsix==1.16.0\n");
    let (exit, report) = run_json(
        &index,
        &path,
        &[
            "--from",
            "python:3.12-slim-bookworm",
            "--to",
            "python:3.12-alpine",
            "--arch",
            "amd64,arm64",
        ],
    );
    assert_eq!(exit, 1, "torch fails on alpine");
    assert_eq!(
        target_ids(&report),
        [
            "cp312-manylinux_2_36_x86_64",
            "cp312-musllinux_1_2_x86_64",
            "cp312-manylinux_2_36_aarch64",
            "cp312-musllinux_1_2_aarch64"
        ],
        "each pair side by side"
    );
    let compare = &report["compare"];
    assert_eq!(compare["from"], "python:3.12-slim-bookworm");
    assert_eq!(compare["to"], "python:3.12-alpine");
    assert_eq!(compare["pairs"][1]["from"], "cp312-manylinux_2_36_aarch64");
    assert_eq!(compare["pairs"][1]["to"], "cp312-musllinux_1_2_aarch64");
    assert_eq!(compare["counts"]["to_fail"], 1);
    assert!(
        compare["summary"]
            .as_str()
            .unwrap()
            .starts_with("switching to python:3.12-alpine: 1 would fail (torch)"),
        "{compare}"
    );
    // An image that pins its architecture (an official per-architecture repository) is paired on it.
    let (_, pinned) = run_json(
        &index,
        &path,
        &[
            "--from",
            "arm64v8/python:3.12-slim-bookworm",
            "--to",
            "python:3.12-alpine",
        ],
    );
    assert_eq!(
        target_ids(&pinned),
        [
            "cp312-manylinux_2_36_aarch64",
            "cp312-musllinux_1_2_aarch64"
        ]
    );
    // --glibc takes a Debian release name.
    let (_, report) = run_json(&index, &path, &["--libc", "glibc", "--glibc", "bookworm"]);
    assert_eq!(target_ids(&report), ["cp312-manylinux_2_36_x86_64"]);
    // An image that is not the python image cannot be compared.
    let url = index.url();
    let out = muslcheck(&[
        &path,
        "--index-url",
        &url,
        "--from",
        "alpine:3.20",
        "--to",
        "python:3.12-alpine",
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("with --python"));
}
