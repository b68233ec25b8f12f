//! The resolver's scenarios over an index in memory: what pip installs, what fails and what it blocks, and
//! which lookups the resolution makes. The same scenarios run end to end over HTTP in `tests/resolve.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use indicatif::ProgressBar;

use super::*;
use crate::index::fake::FakeIndex;
use crate::input::{FormatControl, Wanted};
use crate::target::{Arch, TagRanks, Target};

/// The tree of `lines` (and `constraints`) on CPython 3.12, musl 1.2, `arch`, over `index`.
fn resolve_on(
    index: &Arc<FakeIndex>,
    lines: &[&str],
    constraints: &[&str],
    arch: Arch,
) -> Resolution {
    let requirement = |text: &str| match crate::input::parse_requirement(text, Path::new("")) {
        Ok(Wanted::Index(r)) => r,
        other => panic!("{text}: {other:?}"),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let target = Target::cp312_musl(arch);
    let ctx = Arc::new(Context {
        index: WaitingSource::new(index.clone(), runtime.handle().clone()),
        target,
        ranks: TagRanks::new(&target),
        env: target.marker_environment(),
        pre: false,
        prefer_binary: false,
        formats: FormatControl::default(),
        roots: lines
            .iter()
            .map(|l| (requirement(l), l.to_string()))
            .collect(),
        constraints: constraints.iter().map(|c| requirement(c)).collect(),
        progress: ProgressBar::hidden(),
        crawled: Default::default(),
        read: Default::default(),
    });
    resolve(ctx)
}

fn resolve_x86(index: FakeIndex, lines: &[&str]) -> (Resolution, Arc<FakeIndex>) {
    let index = Arc::new(index);
    (resolve_on(&index, lines, &[], Arch::X86_64), index)
}

/// Each project installed, with its version.
fn installed(resolution: &Resolution) -> BTreeMap<&str, String> {
    resolution
        .packages
        .iter()
        .filter(|(_, p)| p.standing == Standing::Installed)
        .map(|(name, p)| (name.as_str(), p.version.to_string()))
        .collect()
}

fn pairs<'a>(list: &[(&'a str, &str)]) -> BTreeMap<&'a str, String> {
    list.iter().map(|(n, v)| (*n, v.to_string())).collect()
}

#[test]
fn a_diamond_takes_the_newest_version_both_sides_admit() {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["left>=1", "right>=1"])
        .wheel("left", "1.0", &["base<2"])
        .wheel("right", "1.0", &["base>=1.1"])
        .wheel("base", "1.0", &[])
        .wheel("base", "1.5", &[])
        .wheel("base", "2.0", &[]);
    let (resolution, index) = resolve_x86(index, &["app>=1"]);
    assert_eq!(
        installed(&resolution),
        pairs(&[
            ("app", "1.0"),
            ("base", "1.5"),
            ("left", "1.0"),
            ("right", "1.0")
        ])
    );
    assert_eq!(
        resolution.packages["base"].via,
        [vec!["left", "app"], vec!["right", "app"]]
    );
    assert_eq!(resolution.packages["base"].requirement, "base<2");
    assert!(resolution.failures.is_empty());
    // Only the releases pip would look at are read: never base 1.0, which nothing needs.
    let asked = index.asked();
    assert!(
        !asked.contains(&"metadata base-1.0-py3-none-any.whl".to_string()),
        "{asked:?}"
    );
}

#[test]
fn a_conflict_is_solved_by_backtracking_to_an_older_version() {
    let index = FakeIndex::default()
        .wheel("x", "1.0", &["z"])
        .wheel("x", "2.0", &["z==1.0"])
        .wheel("y", "1.0", &["z>=2"])
        .wheel("z", "1.0", &[])
        .wheel("z", "2.0", &[]);
    let (resolution, _) = resolve_x86(index, &["x", "y"]);
    assert_eq!(
        installed(&resolution),
        pairs(&[("x", "1.0"), ("y", "1.0"), ("z", "2.0")])
    );
}

#[test]
fn markers_and_extras_decide_what_is_pulled_in() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel(
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
            .wheel("arm", "1.0", &[]),
    );
    let x86 = resolve_on(&index, &["req[socks]>=1"], &[], Arch::X86_64);
    assert_eq!(
        installed(&x86).into_keys().collect::<Vec<_>>(),
        ["plain", "pysocks", "req"]
    );
    assert_eq!(x86.packages["pysocks"].via, [vec!["req[socks]"]]);
    let arm = resolve_on(&index, &["req[socks]>=1"], &[], Arch::Aarch64);
    assert_eq!(
        installed(&arm).into_keys().collect::<Vec<_>>(),
        ["arm", "plain", "pysocks", "req"]
    );
}

#[test]
fn a_dependency_cycle_resolves_once() {
    let index = FakeIndex::default()
        .wheel("p", "1.0", &["q"])
        .wheel("q", "1.0", &["p"]);
    let (resolution, _) = resolve_x86(index, &["p>=1"]);
    assert_eq!(installed(&resolution), pairs(&[("p", "1.0"), ("q", "1.0")]));
    assert_eq!(resolution.packages["q"].via, [vec!["p"]]);
    assert!(resolution.packages["p"].via.is_empty());
}

#[test]
fn a_dependency_with_no_file_for_the_target_fails_and_blocks_what_needs_it() {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["glibconly", "fine"])
        .tagged("glibconly", "1.0", "cp312-cp312-manylinux_2_17_x86_64", &[])
        .wheel("fine", "1.0", &[]);
    let (resolution, _) = resolve_x86(index, &["app>=1"]);
    let packages = &resolution.packages;
    assert_eq!(
        packages["glibconly"].standing,
        Standing::Fails(Cause::NoFile)
    );
    assert_eq!(
        packages["app"].standing,
        Standing::Blocked(vec![vec!["glibconly".to_string()]])
    );
    assert_eq!(
        packages["fine"].standing,
        Standing::NeededOnlyBy(vec!["app".to_string()])
    );
    assert_eq!(resolution.failures.len(), 1);
    let failure = resolution.failures[0].sentence();
    assert!(
        failure.contains("pip cannot resolve the requirements (app)")
            && failure.contains("glibconly"),
        "{failure}"
    );
}

#[test]
fn an_impossible_conflict_fails_both_sides_and_the_rest_installs() {
    let index = FakeIndex::default()
        .wheel("a", "1.0", &["c<2"])
        .wheel("b", "1.0", &["c>=2"])
        .wheel("c", "1.0", &[])
        .wheel("c", "2.0", &[])
        .wheel("d", "1.0", &["c"]);
    let (resolution, _) = resolve_x86(index, &["a==1.0", "b>=1", "d"]);
    assert_eq!(installed(&resolution), pairs(&[("c", "2.0"), ("d", "1.0")]));
    for side in ["a", "b"] {
        let Standing::Fails(Cause::Conflict(why)) = &resolution.packages[side].standing else {
            panic!("{side}: {:?}", resolution.packages[side].standing);
        };
        assert!(
            why.contains("a 1.0 depends on c<2") && why.contains("b 1.0 depends on c>=2"),
            "{side}: {why}"
        );
    }
}

#[test]
fn requirements_on_one_project_are_merged_and_a_pin_lets_a_yanked_release_in() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel("lib", "1.0", &[])
            .wheel("lib", "1.1", &[])
            .yank("lib", "1.1")
            .wheel("lib", "1.2", &[]),
    );
    let pinned = resolve_on(&index, &["lib>=1.0", "lib==1.1"], &[], Arch::X86_64);
    assert_eq!(installed(&pinned), pairs(&[("lib", "1.1")]));
    let unpinned = resolve_on(&index, &["lib>=1.0,<1.2"], &[], Arch::X86_64);
    assert_eq!(installed(&unpinned), pairs(&[("lib", "1.0")]));
}

#[test]
fn constraints_narrow_the_tree_without_adding_to_it() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel("app", "1.0", &["lib"])
            .wheel("lib", "1.0", &[])
            .wheel("lib", "2.0", &[])
            .wheel("unused", "1.0", &[]),
    );
    let resolution = resolve_on(&index, &["app"], &["lib<2", "unused==1.0"], Arch::X86_64);
    assert_eq!(
        installed(&resolution),
        pairs(&[("app", "1.0"), ("lib", "1.0")])
    );
    assert!(!index.asked().contains(&"page unused".to_string()));
}

#[test]
fn a_file_whose_metadata_pip_rejects_gives_way_to_the_next_file_then_the_older_release() {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["dep"])
        .wheel("dep", "1.0", &[])
        .wheel("dep", "1.1", &["pytz (>dev)"])
        .sdist("dep", "1.1");
    let (resolution, index) = resolve_x86(index, &["app"]);
    // 1.1's wheel is rejected; its sdist has no metadata beside it and states the same: 1.0 is taken.
    assert_eq!(
        installed(&resolution),
        pairs(&[("app", "1.0"), ("dep", "1.0")])
    );
    assert!(
        index
            .asked()
            .contains(&"declared dep-1.1.tar.gz".to_string())
    );
}

#[test]
fn an_sdist_with_declared_metadata_that_passes_builds_after_a_rejected_wheel() {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["dep"])
        .wheel("dep", "1.0", &[])
        .wheel("dep", "1.1", &["pytz (>dev)"])
        .file(
            "dep",
            "dep-1.1.tar.gz",
            Some(crate::index::fake::metadata("dep", "1.1", &["six"])),
        )
        .wheel("six", "1.16", &[]);
    let (resolution, _) = resolve_x86(index, &["app"]);
    assert_eq!(
        installed(&resolution),
        pairs(&[("app", "1.0"), ("dep", "1.1"), ("six", "1.16")])
    );
}

#[test]
fn an_sdist_without_declared_metadata_leaves_its_dependencies_unknown_unless_the_index_declares_them()
 {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["built"])
        .sdist("built", "1.0");
    let (resolution, _) = resolve_x86(index, &["app"]);
    let built = &resolution.packages["built"];
    assert_eq!(built.version.to_string(), "1.0");
    assert!(built.dependencies_unknown.is_some());

    let declared = FakeIndex::default()
        .wheel("app", "1.0", &["built"])
        .sdist("built", "1.0")
        .declare("built", "1.0", &["helper>=2"])
        .wheel("helper", "2.1", &[]);
    let (resolution, _) = resolve_x86(declared, &["app"]);
    assert_eq!(
        installed(&resolution),
        pairs(&[("app", "1.0"), ("built", "1.0"), ("helper", "2.1")])
    );
    assert!(resolution.packages["built"].dependencies_unknown.is_none());
}

#[test]
fn a_page_that_cannot_be_read_leaves_its_project_unavailable_for_the_check_to_report() {
    let index = FakeIndex::default()
        .wheel("app", "1.0", &["flaky"])
        .wheel("flaky", "1.0", &[])
        .failing("flaky");
    let (resolution, _) = resolve_x86(index, &["app"]);
    // The resolver does not guess a version; the check of `flaky` then says the lookup failed.
    assert_eq!(
        resolution.packages["flaky"].version,
        ResolverVersion::Unavailable
    );
    assert_eq!(resolution.packages["flaky"].via, [vec!["app"]]);
    assert_eq!(
        installed(&resolution),
        pairs(&[("app", "1.0"), ("flaky", "(none)")])
    );
    assert!(resolution.failures.is_empty());
}
