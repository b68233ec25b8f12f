//! The dependency tree, end to end on the built binary against small synthetic indexes served on 127.0.0.1:
//! diamonds, conflicts that need backtracking, markers on extras, cycles, constraints, a dependency with no
//! file for the target, and conflicts pip cannot resolve.

mod common;

use std::collections::BTreeMap;

use common::universe::Universe;
use common::{Behaviour, TestIndex, code, json, muslcheck};
use serde_json::{Value, json};

const TARGET: &str = "cp312-musllinux_1_2_x86_64";

struct Run {
    code: i32,
    report: Value,
    index: TestIndex,
    _dir: tempfile::TempDir,
}

impl Run {
    /// `name` → (outcome, version) on the target, for every package of the report.
    fn verdicts(&self) -> BTreeMap<String, (String, Option<String>)> {
        self.report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let v = &p["targets"][TARGET];
                (
                    p["name"].as_str().unwrap().to_string(),
                    (
                        v["outcome"].as_str().unwrap().to_string(),
                        v["version"].as_str().map(str::to_string),
                    ),
                )
            })
            .collect()
    }

    fn version(&self, name: &str) -> Option<String> {
        self.verdicts().get(name).and_then(|v| v.1.clone())
    }

    fn package(&self, name: &str) -> &Value {
        self.report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is in the report"))
    }

    fn via(&self, name: &str) -> Vec<Vec<String>> {
        serde_json::from_value(self.package(name)["targets"][TARGET]["via"].clone())
            .unwrap_or_default()
    }

    fn blocked_by(&self, name: &str) -> Vec<Vec<String>> {
        serde_json::from_value(self.package(name)["targets"][TARGET]["blocked_by"].clone())
            .unwrap_or_default()
    }

    fn needed_only_by(&self, name: &str) -> Vec<String> {
        serde_json::from_value(self.package(name)["targets"][TARGET]["needed_only_by"].clone())
            .unwrap_or_default()
    }

    fn reason(&self, name: &str) -> String {
        self.package(name)["targets"][TARGET]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn warnings(&self) -> String {
        self.report["warnings"].to_string()
    }
}

/// Writes `universe` and the input files, runs muslcheck on the first file with `flags`.
fn run(universe: &Universe, files: &[(&str, &str)], flags: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    universe.write(&dir.path().join("index-root"));
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let index = TestIndex::start_with(Behaviour {
        root: Some(dir.path().join("index-root")),
        ..Default::default()
    });
    let input = dir.path().join(files[0].0).display().to_string();
    let url = index.url();
    let mut args = vec![input.as_str(), "--index-url", &url, "--format", "json"];
    args.extend_from_slice(flags);
    let out = muslcheck(&args);
    Run {
        code: code(&out),
        report: json(&out),
        index,
        _dir: dir,
    }
}

fn names(run: &Run) -> Vec<String> {
    run.verdicts().into_keys().collect()
}

#[test]
fn a_diamond_takes_the_newest_version_both_sides_admit_with_both_chains() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["left>=1", "right>=1"])
        .wheel("left", "1.0", &["base<2"])
        .wheel("right", "1.0", &["base>=1.1"])
        .wheel("base", "1.0", &[])
        .wheel("base", "1.5", &[])
        .wheel("base", "2.0", &[]);
    let run = run(&u, &[("requirements.txt", "app>=1\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(names(&run), ["app", "base", "left", "right"]);
    assert_eq!(run.version("base").as_deref(), Some("1.5"));
    assert_eq!(run.via("base"), [vec!["left", "app"], vec!["right", "app"]]);
    assert_eq!(run.via("left"), [vec!["app"]]);
    assert!(
        run.via("app").is_empty(),
        "a top-level requirement has no chain"
    );
    assert_eq!(run.package("base")["requirement"], "base<2");
    // One request per project page and per metadata file.
    for name in ["app", "left", "right", "base"] {
        assert_eq!(run.index.hits(&format!("/simple/{name}/")), 1, "{name}");
    }
    assert_eq!(
        run.index.hits("/files/base-1.5-py3-none-any.whl.metadata"),
        1
    );
}

#[test]
fn a_conflict_is_solved_by_backtracking_to_an_older_version() {
    let mut u = Universe::default();
    // The newest x pins z 1.0, but y needs z 2: only x 1.0 works with y.
    u.wheel("x", "1.0", &["z"])
        .wheel("x", "2.0", &["z==1.0"])
        .wheel("y", "1.0", &["z>=2"])
        .wheel("z", "1.0", &[])
        .wheel("z", "2.0", &[]);
    let run = run(&u, &[("requirements.txt", "x\ny\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(run.version("x").as_deref(), Some("1.0"));
    assert_eq!(run.version("y").as_deref(), Some("1.0"));
    assert_eq!(run.version("z").as_deref(), Some("2.0"));
}

#[test]
fn markers_and_extras_decide_what_is_pulled_in() {
    let mut u = Universe::default();
    u.wheel(
        "req",
        "1.0",
        &[
            "plain>=1",
            "pysocks>=1.5 ; extra == 'socks'",
            "chardet ; extra == 'chardet'",
            "winonly ; sys_platform == 'win32'",
            "oldpy ; python_version < '3.8'",
            "arm ; platform_machine == 'aarch64'",
        ],
    )
    .wheel("plain", "1.0", &[])
    .wheel("pysocks", "1.7", &[])
    .wheel("chardet", "5.0", &[])
    .wheel("winonly", "1.0", &[])
    .wheel("oldpy", "1.0", &[])
    .wheel("arm", "1.0", &[]);
    let run = run(&u, &[("requirements.txt", "req[socks]>=1\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(names(&run), ["plain", "pysocks", "req"]);
    assert_eq!(run.via("pysocks"), [vec!["req[socks]"]]);
    // aarch64 adds `arm`, on the same index.
    let mut files = u;
    files.wheel("other", "1.0", &[]);
    let arm = self::run(
        &files,
        &[("requirements.txt", "req[socks]>=1\n")],
        &["--arch", "aarch64"],
    );
    let arm_names: Vec<String> = arm.report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(arm_names.contains(&"arm".to_string()), "{arm_names:?}");
}

#[test]
fn a_dependency_cycle_resolves_once() {
    let mut u = Universe::default();
    u.wheel("p", "1.0", &["q"]).wheel("q", "1.0", &["p"]);
    let run = run(&u, &[("requirements.txt", "p>=1\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(names(&run), ["p", "q"]);
    assert_eq!(run.via("q"), [vec!["p"]]);
    assert!(run.via("p").is_empty());
}

#[test]
fn a_dependency_with_no_file_for_the_target_fails_and_blocks_what_needs_it() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["glibconly", "fine"])
        .tagged("glibconly", "1.0", "cp312-cp312-manylinux_2_17_x86_64", &[])
        .wheel("fine", "1.0", &[]);
    let run = run(&u, &[("requirements.txt", "app>=1\n")], &[]);
    assert_eq!(run.code, 1, "{}", run.report);
    let verdicts = run.verdicts();
    assert_eq!(verdicts["glibconly"].0, "fail");
    // app keeps its own verdict and says what blocks it; fine is installed only for app, so pip never
    // gets to it.
    assert_eq!(verdicts["app"].0, "wheel");
    assert_eq!(run.blocked_by("app"), [vec!["glibconly"]]);
    assert_eq!(verdicts["fine"].0, "skip");
    assert_eq!(run.needed_only_by("fine"), ["app"]);
    let warnings = run.warnings();
    assert!(
        warnings.contains("pip cannot resolve the requirements (app)"),
        "{warnings}"
    );
    assert!(warnings.contains("glibconly"), "{warnings}");
    assert_eq!(run.via("glibconly"), [vec!["app"]]);
}

/// torchy has no file for musl. Three top-level requirements need it (one through `mid`); `other` does not,
/// and shares `shared` with a failing one.
fn blocker_universe() -> Universe {
    let mut u = Universe::default();
    u.tagged("torchy", "2.0", "cp312-cp312-manylinux_2_17_x86_64", &[])
        .wheel("web", "1.0", &["torchy", "shared"])
        .wheel("ml", "1.0", &["torchy>=1", "helper"])
        .wheel("helper", "1.0", &["leaf"])
        .wheel("leaf", "1.0", &[])
        .wheel("lib", "1.0", &["mid"])
        .wheel("mid", "1.0", &["torchy<3"])
        .wheel("other", "1.0", &["shared>=1"])
        .wheel("shared", "1.0", &[])
        .wheel("shared", "1.5", &[]);
    u
}

#[test]
fn a_blocker_several_requirements_share_fails_alone_and_everything_else_gets_pips_answer() {
    let u = blocker_universe();
    let run = run(&u, &[("requirements.txt", "web>=1\nml\nother\nlib\n")], &[]);
    assert_eq!(run.code, 1, "{}", run.report);
    let expected: BTreeMap<&str, (&str, Option<&str>)> = BTreeMap::from([
        ("helper", ("skip", None)),
        ("leaf", ("skip", None)),
        ("lib", ("wheel", Some("1.0"))),
        ("mid", ("wheel", Some("1.0"))),
        ("ml", ("wheel", Some("1.0"))),
        ("other", ("wheel", Some("1.0"))),
        ("shared", ("wheel", Some("1.5"))),
        ("torchy", ("fail", Some("2.0"))),
        ("web", ("wheel", Some("1.0"))),
    ]);
    let got = run.verdicts();
    let got: BTreeMap<&str, (&str, Option<&str>)> = got
        .iter()
        .map(|(n, (o, v))| (n.as_str(), (o.as_str(), v.as_deref())))
        .collect();
    assert_eq!(got, expected);
    // Only the project with no file fails; the others say what blocks them, down to it.
    assert_eq!(run.blocked_by("web"), [vec!["torchy"]]);
    assert_eq!(run.blocked_by("ml"), [vec!["torchy"]]);
    assert_eq!(run.blocked_by("mid"), [vec!["torchy"]]);
    assert_eq!(run.blocked_by("lib"), [vec!["mid", "torchy"]]);
    for fine in ["other", "shared", "torchy", "helper", "leaf"] {
        assert!(run.blocked_by(fine).is_empty(), "{fine}");
    }
    assert!(
        run.reason("web").contains("blocked: needs torchy"),
        "{}",
        run.reason("web")
    );
    assert!(
        run.reason("torchy")
            .contains("no sdist and no musllinux wheel"),
        "{}",
        run.reason("torchy")
    );
    // What only failing projects need is not installed, and says which.
    assert_eq!(run.needed_only_by("helper"), ["ml"]);
    assert_eq!(run.needed_only_by("leaf"), ["ml"]);
    assert!(
        run.reason("helper")
            .starts_with("not installed: only ml needs it")
    );
    // Each top-level requirement the blocker stops is named in a warning, each warning once.
    let warnings: Vec<String> = serde_json::from_value(run.report["warnings"].clone()).unwrap();
    for root in ["web", "ml", "lib"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("pip cannot resolve") && w.contains(root)),
            "{root} in {warnings:?}"
        );
    }
    let mut distinct = warnings.clone();
    distinct.dedup();
    assert_eq!(distinct, warnings);
    assert_eq!(run.report["summary"][TARGET]["wheel"], 6);
    assert_eq!(run.report["summary"][TARGET]["skip"], 2);
    assert_eq!(run.report["summary"][TARGET]["fail"], 1);
}

#[test]
fn a_pinned_requirement_that_needs_a_blocker_is_left_out_first_in_pips_terms() {
    let mut u = blocker_universe();
    u.wheel("gpu", "1.0", &["shared", "torchy>=1; extra == 'cuda'"]);
    let text = "web==1.0\nother\ngpu[cuda]==1.0\nlib\n";
    let run = run(&u, &[("requirements.txt", text)], &[]);
    assert_eq!(run.code, 1, "{}", run.report);
    let warnings: Vec<String> = serde_json::from_value(run.report["warnings"].clone()).unwrap();
    // The pinned ones (by name), as a failed resolution states them; then lib, which a resolution finds.
    assert_eq!(
        warnings,
        [
            "cp312-musllinux_1_2_x86_64: pip cannot resolve the requirements (gpu): gpu[cuda] 1.0 depends on torchy>=1; the input \
             requires gpu[cuda]==1.0",
            "cp312-musllinux_1_2_x86_64: pip cannot resolve the requirements (web): web 1.0 depends on torchy; the input requires \
             web==1.0",
            "cp312-musllinux_1_2_x86_64: pip cannot resolve the requirements (lib): mid 1.0 depends on torchy<3; lib 1.0 depends on mid; \
             the input requires lib",
        ]
    );
    assert_eq!(run.blocked_by("gpu"), [vec!["torchy"]]);
    assert_eq!(run.blocked_by("web"), [vec!["torchy"]]);
    assert_eq!(run.blocked_by("lib"), [vec!["mid", "torchy"]]);
    assert_eq!(run.verdicts()["torchy"].0, "fail");
    // What the others install is what pip installs without the three.
    assert_eq!(
        run.verdicts()["other"],
        ("wheel".into(), Some("1.0".into()))
    );
    assert_eq!(
        run.verdicts()["shared"],
        ("wheel".into(), Some("1.5".into()))
    );
}

#[test]
fn a_file_whose_metadata_pip_rejects_gives_way_to_the_next_file_of_its_release() {
    let mut u = Universe::default();
    u.tagged(
        "fast",
        "2.0",
        "cp312-cp312-musllinux_1_2_x86_64",
        &["pytz (>dev)"],
    )
    .wheel("fast", "2.0", &["six"])
    .wheel("fast", "1.0", &[])
    .wheel("six", "1.0", &[])
    .tagged(
        "built",
        "3.0",
        "cp312-cp312-musllinux_1_2_x86_64",
        &["pytz (>dev)"],
    )
    .sdist("built", "3.0")
    .wheel("built", "2.0", &[])
    .tagged(
        "fixed",
        "3.0",
        "cp312-cp312-musllinux_1_2_x86_64",
        &["pytz (>dev)"],
    )
    .sdist("fixed", "3.0")
    .wheel("fixed", "2.0", &[]);
    // The index declares the metadata pip's build of fixed's sdist gives, and pip accepts it.
    u.metadata.push((
        "fixed-3.0.tar.gz.metadata".into(),
        "Metadata-Version: 2.2\nName: fixed\nVersion: 3.0\nRequires-Dist: six\n".into(),
    ));
    for flags in [&[][..], &["--no-deps"]] {
        let run = run(&u, &[("requirements.txt", "fast\nbuilt\nfixed\n")], flags);
        let cell = |name: &str| run.package(name)["targets"][TARGET].clone();
        // pip takes the release's pure-Python wheel, not an older release.
        let fast = cell("fast");
        assert_eq!(
            fast["file"], "fast-2.0-py3-none-any.whl",
            "{flags:?}: {fast}"
        );
        // The sdist after a rejected wheel: pip builds it for its metadata, which states the same, so the
        // release is dropped…
        let built = cell("built");
        assert_eq!(
            built["file"], "built-2.0-py3-none-any.whl",
            "{flags:?}: {built}"
        );
        // Line by line, the reason says what was skipped (in the tree, the resolved release is checked).
        let reason = built["reason"].as_str().unwrap();
        assert!(
            flags.is_empty()
                || reason.contains("pip rejects built-3.0-cp312-cp312-musllinux_1_2_x86_64.whl")
                    && reason.contains(
                        "pip builds built-3.0.tar.gz to read its metadata, which states the same"
                    ),
            "{flags:?}: {reason}"
        );
        // …unless the metadata declared for the sdist passes pip's check: then it is built.
        let fixed = cell("fixed");
        assert_eq!(
            (fixed["outcome"].as_str(), fixed["file"].as_str()),
            (Some("build"), Some("fixed-3.0.tar.gz")),
            "{flags:?}: {fixed}"
        );
        if flags.is_empty() {
            assert_eq!(run.verdicts()["six"].0, "wheel");
        }
    }
}

#[test]
fn a_blocker_on_one_target_only_is_named_once_with_its_target() {
    let mut u = blocker_universe();
    u.tagged("torchy", "2.0", "cp312-cp312-musllinux_1_2_aarch64", &[]);
    let run = run(
        &u,
        &[("requirements.txt", "web>=1\nother\n")],
        &["--arch", "x86_64,aarch64", "--python", "3.12"],
    );
    let warnings: Vec<String> = serde_json::from_value(run.report["warnings"].clone()).unwrap();
    let about: Vec<&String> = warnings.iter().filter(|w| w.contains("torchy")).collect();
    assert_eq!(about.len(), 1, "{warnings:?}");
    assert!(
        about[0].starts_with("cp312-musllinux_1_2_x86_64: "),
        "{about:?}"
    );
    let web = &run.package("web")["targets"];
    assert_eq!(web["cp312-musllinux_1_2_aarch64"]["outcome"], "wheel");
    assert!(web["cp312-musllinux_1_2_aarch64"]["blocked_by"].is_null());
    assert_eq!(
        web["cp312-musllinux_1_2_x86_64"]["blocked_by"],
        json!([["torchy"]])
    );
}

#[test]
fn an_impossible_conflict_fails_both_sides_in_pips_terms_and_the_rest_installs() {
    let mut u = Universe::default();
    u.wheel("a", "1.0", &["c<2"])
        .wheel("b", "1.0", &["c>=2"])
        .wheel("c", "1.0", &[])
        .wheel("c", "2.0", &[])
        .wheel("d", "1.0", &["c"]);
    let run = run(&u, &[("requirements.txt", "a==1.0\nb>=1\nd\n")], &[]);
    assert_eq!(run.code, 1, "{}", run.report);
    let warnings = run.warnings();
    for needle in [
        "pip cannot resolve the requirements (a, b)",
        "a 1.0 depends on c<2",
        "b 1.0 depends on c>=2",
    ] {
        assert!(warnings.contains(needle), "{needle} in {warnings}");
    }
    // Both sides of the conflict fail, naming both; d and c are what pip installs without them.
    let verdicts = run.verdicts();
    assert_eq!(verdicts["a"].0, "fail");
    assert_eq!(verdicts["b"].0, "fail");
    for side in ["a", "b"] {
        let reason = run.reason(side);
        assert!(
            reason.contains("a 1.0 depends on c<2") && reason.contains("b 1.0 depends on c>=2"),
            "{side}: {reason}"
        );
    }
    assert_eq!(
        verdicts["d"],
        ("wheel".to_string(), Some("1.0".to_string()))
    );
    assert_eq!(
        verdicts["c"],
        ("wheel".to_string(), Some("2.0".to_string()))
    );
    assert!(run.blocked_by("d").is_empty());
}

#[test]
fn requirements_on_one_project_are_merged_as_pip_merges_them() {
    let mut u = Universe::default();
    u.wheel("lib", "1.0", &[])
        .wheel("lib", "1.1", &[])
        .yank("lib", "1.1")
        .wheel("lib", "1.2", &[]);
    // A pin among them lets the yanked 1.1 in, as pip's merged specifier set does.
    let run = run(&u, &[("requirements.txt", "lib>=1.0\nlib==1.1\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(run.version("lib").as_deref(), Some("1.1"));
    // Without one, the yanked release is skipped.
    let unpinned = self::run(&u, &[("requirements.txt", "lib>=1.0,<1.2\n")], &[]);
    assert_eq!(unpinned.version("lib").as_deref(), Some("1.0"));
}

#[test]
fn constraints_narrow_the_tree_without_adding_to_it() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["lib"])
        .wheel("lib", "1.0", &[])
        .wheel("lib", "2.0", &[])
        .wheel("unused", "1.0", &[]);
    let run = run(
        &u,
        &[
            ("requirements.txt", "-c constraints.txt\napp\n"),
            ("constraints.txt", "lib<2\nunused==1.0\n"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(names(&run), ["app", "lib"]);
    assert_eq!(run.version("lib").as_deref(), Some("1.0"));
}

#[test]
fn a_version_whose_metadata_pip_rejects_is_skipped() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["dep"])
        .wheel("dep", "1.0", &[])
        .wheel("dep", "1.1", &["pytz (>dev)"]);
    let run = run(&u, &[("requirements.txt", "app\n")], &[]);
    assert_eq!(run.code, 0, "{}", run.report);
    assert_eq!(run.version("dep").as_deref(), Some("1.0"));
}

#[test]
fn an_sdist_without_declared_metadata_leaves_its_dependencies_unknown() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["built"]).sdist("built", "1.0");
    let run = run(&u, &[("requirements.txt", "app\n")], &[]);
    assert_eq!(run.code, 1, "an sdist builds: {}", run.report);
    assert_eq!(run.verdicts()["built"].0, "build");
    let warnings = run.warnings();
    assert!(
        warnings.contains("the dependencies of built are unknown"),
        "{warnings}"
    );
}

#[test]
fn pinned_files_get_the_tree_pip_installs_unless_they_list_it_whole() {
    let mut u = Universe::default();
    u.wheel("app", "1.0", &["lib<2"])
        .wheel("lib", "1.0", &[])
        .wheel("lib", "2.0", &[])
        .wheel("web", "1.0", &["psy[c]"])
        .wheel("psy", "1.0", &["psy-c ; extra == 'c'"])
        .sdist("psy-c", "1.0");
    // A hand-pinned file: pip installs lib too, so the tree is resolved.
    let pinned = run(&u, &[("requirements.txt", "app==1.0\n")], &[]);
    assert_eq!(names(&pinned), ["app", "lib"]);
    assert_eq!(pinned.version("lib").as_deref(), Some("1.0"));
    let notes = pinned.report["notes"].to_string();
    assert!(
        notes.contains("pip also installs what the pins do not list (lib<2 ← app)"),
        "{notes}"
    );
    // A freeze lists everything: checked line by line, and says so.
    let complete = run(&u, &[("requirements.txt", "app==1.0\nlib==1.0\n")], &[]);
    assert_eq!(names(&complete), ["app", "lib"]);
    assert_eq!(complete.version("lib").as_deref(), Some("1.0"));
    assert_eq!(complete.report["warnings"], Value::Null);
    assert!(
        complete.report["notes"]
            .to_string()
            .contains("the pins list all their dependencies")
    );
    // A pin the dependent does not accept is not a freeze: pip would fail, and the tree says why.
    let clash = run(&u, &[("requirements.txt", "app==1.0\nlib==2.0\n")], &[]);
    assert!(
        clash.report["notes"]
            .to_string()
            .contains("pip also installs"),
        "{}",
        clash.report["notes"]
    );
    // The gate judges what pip installs: a pinned web pulls psy[c], whose psy-c builds.
    let builds = run(&u, &[("requirements.txt", "web==1.0\npsy==1.0\n")], &[]);
    assert_eq!(builds.code, 1, "{}", builds.report);
    assert_eq!(builds.verdicts()["psy-c"].0, "build");
    assert_eq!(builds.via("psy-c"), [vec!["psy[c]"]]);
    // A freeze that lists the extra's dependency is closed, and still builds.
    let frozen = run(
        &u,
        &[("requirements.txt", "web==1.0\npsy==1.0\npsy-c==1.0\n")],
        &[],
    );
    assert_eq!(frozen.code, 1);
    assert!(
        frozen.report["notes"]
            .to_string()
            .contains("the pins list all")
    );
    let quiet = run(&u, &[("requirements.txt", "app==1.0\n")], &["--no-deps"]);
    assert_eq!(names(&quiet), ["app"]);
    assert_eq!(
        quiet.report["warnings"],
        Value::Null,
        "--no-deps asks for the lines alone"
    );
    let ranged = run(&u, &[("requirements.txt", "app>=1\n")], &[]);
    assert_eq!(names(&ranged), ["app", "lib"]);
    let off = run(&u, &[("requirements.txt", "app>=1\n")], &["--no-deps"]);
    assert_eq!(names(&off), ["app"]);
}

#[test]
fn a_freeze_with_a_failing_pin_says_what_it_blocks() {
    let mut u = Universe::default();
    u.tagged("torchy", "2.0", "cp312-cp312-manylinux_2_17_x86_64", &[])
        .wheel("vision", "1.0", &["torchy==2.0"])
        .wheel("fine", "1.0", &[]);
    let run = run(
        &u,
        &[("requirements.txt", "torchy==2.0\nvision==1.0\nfine==1.0\n")],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.report["notes"]
            .to_string()
            .contains("the pins list all")
    );
    assert_eq!(run.verdicts()["vision"].0, "wheel");
    assert_eq!(run.blocked_by("vision"), [vec!["torchy"]]);
    assert!(run.blocked_by("fine").is_empty());
}

#[test]
fn a_matrix_resolves_each_target_and_asks_for_each_file_once() {
    let mut u = Universe::default();
    u.wheel(
        "app",
        "1.0",
        &["arm ; platform_machine == 'aarch64'", "lib"],
    )
    .wheel("arm", "1.0", &[])
    .wheel("lib", "1.0", &[]);
    let run = run(
        &u,
        &[("requirements.txt", "app>=1\n")],
        &["--arch", "x86_64,aarch64", "--python", "3.11,3.12"],
    );
    assert_eq!(run.code, 0, "{}", run.report);
    let arm = run.package("arm");
    assert_eq!(
        arm["targets"]["cp312-musllinux_1_2_x86_64"]["outcome"],
        "skip"
    );
    assert_eq!(
        arm["targets"]["cp312-musllinux_1_2_aarch64"]["outcome"],
        "wheel"
    );
    assert_eq!(run.index.hits("/simple/lib/"), 1);
    assert_eq!(
        run.index.hits("/files/lib-1.0-py3-none-any.whl.metadata"),
        1
    );
}
