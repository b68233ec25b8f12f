//! What the report says to do about each problem: the upgrade path computed from the index, the Alpine
//! packages that building needs (data/packages.toml), and `--emit apk|dockerfile`.

mod common;

use common::{TestIndex, code, json, muslcheck, temp_requirements};

const TID: &str = "cp312-musllinux_1_2_x86_64";

#[test]
fn every_problem_carries_concrete_advice_and_the_run_gets_one_pair_of_apk_lines() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements(
        "psycopg2==2.9.10\nPyYAML==6.0\ntorch==2.5.1\nscipy==1.11.1\nsix==1.16.0\n",
    );
    let url = index.url();
    let out = muslcheck(&[&path, "--index-url", &url, "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report = json(&out);
    let advice = |i: usize| -> Vec<String> {
        report["packages"][i]["targets"][TID]["advice"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    for (i, package) in report["packages"].as_array().unwrap().iter().enumerate() {
        let outcome = package["targets"][TID]["outcome"].as_str().unwrap();
        if ["build", "fail"].contains(&outcome) {
            assert!(!advice(i).is_empty(), "{}: no advice", package["name"]);
        }
    }
    let psycopg2 = advice(0).join("\n");
    assert!(
        psycopg2.contains("to build psycopg2 on Alpine: apk add "),
        "{psycopg2}"
    );
    assert!(
        psycopg2.contains("at run time it needs: apk add libpq"),
        "{psycopg2}"
    );
    assert!(
        psycopg2.contains("alternative: psycopg2-binary"),
        "{psycopg2}"
    );
    // The index's part: pyyaml 6.0 has no musllinux wheel; a later release has.
    let pyyaml = advice(1).join("\n");
    assert!(
        pyyaml.contains("is the first release after 6.0 with a wheel for this target"),
        "{pyyaml}"
    );
    assert!(
        pyyaml.contains("the requirement pyyaml==6.0 excludes it"),
        "{pyyaml}"
    );
    let torch = advice(2).join("\n");
    assert!(
        torch.contains("no release of torch listed on the index"),
        "{torch}"
    );

    let apk = &report["apk"];
    let build = apk["build_command"].as_str().unwrap();
    assert!(
        build.starts_with("apk add --no-cache --virtual .build-deps "),
        "{apk}"
    );
    for needed in ["gcc", "musl-dev", "gfortran", "yaml-dev"] {
        assert!(build.split(' ').any(|w| w == needed), "{needed} in {build}");
    }
    assert!(
        apk["run_command"].as_str().unwrap().contains("libpq"),
        "{apk}"
    );
    assert_eq!(
        apk["covers"],
        serde_json::json!(["psycopg2", "pyyaml", "scipy"])
    );

    // --emit apk prints the two lines; --emit dockerfile a builder and a runtime stage.
    let out = muslcheck(&[&path, "--index-url", &url, "--emit", "apk"]);
    assert_eq!(code(&out), 1, "the exit code is the report's");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], build);
    assert_eq!(lines[1], apk["run_command"].as_str().unwrap());
    let out = muslcheck(&[&path, "--index-url", &url, "--emit", "dockerfile"]);
    let dockerfile = String::from_utf8(out.stdout).unwrap();
    assert!(
        dockerfile.contains("FROM python:3.12-alpine AS builder"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("RUN pip wheel --no-cache-dir --wheel-dir /wheels"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("COPY --from=builder /wheels /wheels"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains(&format!("RUN {}", apk["run_command"].as_str().unwrap())));
}

#[test]
fn nothing_to_build_means_no_apk_plan() {
    let index = TestIndex::start();
    let (_dir, path) = temp_requirements("six==1.16.0\n");
    let url = index.url();
    let out = muslcheck(&[&path, "--index-url", &url, "--format", "json"]);
    assert_eq!(code(&out), 0);
    assert!(json(&out)["apk"].is_null());
    let out = muslcheck(&[&path, "--index-url", &url, "--emit", "apk"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "# nothing builds from source on the Alpine targets\n"
    );
}
