//! The pipeline over an index in memory: one verdict per line and target, lookups failing as unknown, pip's
//! metadata check, the tree's verdicts.

use std::sync::Arc;

use indicatif::ProgressBar;

use super::*;
use crate::index::fake::{FakeIndex, metadata};
use crate::input::read_requirement_files;
use crate::target::Arch;

fn settings(arches: &[Arch]) -> Settings {
    Settings {
        targets: arches
            .iter()
            .map(|&arch| Target::cp312_musl(arch))
            .collect(),
        pre: false,
        prefer_binary: false,
        formats: FormatControl::default(),
        in_flight: 2,
    }
}

fn input(text: &str) -> Input {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, text).unwrap();
    let input = read_requirement_files(&[path.to_string_lossy().into_owned()]);
    assert!(input.errors.is_empty(), "{:?}", input.errors);
    input
}

/// Each line's outcome and version, one per target.
fn outcomes(verdicts: &[Vec<Verdict>]) -> Vec<Vec<(Outcome, Option<&str>)>> {
    verdicts
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| (v.outcome, v.version.as_deref()))
                .collect()
        })
        .collect()
}

fn check_lines(index: &Arc<FakeIndex>, text: &str, arches: &[Arch]) -> Vec<Vec<Verdict>> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(check_all(
            &input(text),
            &settings(arches),
            index.clone(),
            &ProgressBar::hidden(),
            false,
        ))
        .verdicts
}

#[test]
fn each_line_gets_a_verdict_per_target_in_input_order() {
    let index = Arc::new(
        FakeIndex::default()
            .tagged("fast", "2.0", "cp312-cp312-musllinux_1_2_x86_64", &[])
            .sdist("fast", "2.0")
            .wheel("pure", "1.0", &[])
            .tagged("glibc", "1.0", "cp312-cp312-manylinux_2_17_x86_64", &[])
            .failing("flaky"),
    );
    let verdicts = check_lines(
        &index,
        "fast\npure\nglibc\nnowhere\nflaky\nskipped; sys_platform == 'win32'\n",
        &[Arch::X86_64, Arch::Aarch64],
    );
    use Outcome::*;
    assert_eq!(
        outcomes(&verdicts),
        [
            vec![(Wheel, Some("2.0")), (Build, Some("2.0"))],
            vec![(Wheel, Some("1.0")), (Wheel, Some("1.0"))],
            vec![(Fail, Some("1.0")), (Fail, Some("1.0"))],
            vec![(Missing, None), (Missing, None)],
            vec![(Unknown, None), (Unknown, None)],
            vec![(Skip, None), (Skip, None)],
        ]
    );
    assert!(
        verdicts[4][0].reason.starts_with("index lookup failed: ")
            && verdicts[4][0].reason.contains("server answered 503"),
        "{}",
        verdicts[4][0].reason
    );
    assert_eq!(
        verdicts[5][0].reason,
        "marker sys_platform == 'win32' is false on this target"
    );
}

#[test]
fn a_line_asked_for_twice_is_looked_up_once() {
    let index = Arc::new(FakeIndex::default().wheel("six", "1.16.0", &[]));
    let verdicts = check_lines(&index, "six==1.16.0\nsix==1.16.0\n", &[Arch::X86_64]);
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0][0].outcome, Outcome::Wheel);
    assert_eq!(verdicts[1][0].file, verdicts[0][0].file);
    assert_eq!(
        index.asked(),
        [
            "page six",
            "metadata six-1.16.0-py3-none-any.whl",
            "forget six Never"
        ]
    );
}

#[test]
fn a_page_is_let_go_once_after_the_last_line_that_asks_for_it() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel("a", "1.0", &[])
            .wheel("b", "1.0", &[])
            .wheel("c", "1.0", &[]),
    );
    // Two entries ask for a's page; `settings` lets two entries be checked at once.
    check_lines(
        &index,
        "a==1.0\nb==1.0\nc==1.0\na[x]==1.0\n",
        &[Arch::X86_64, Arch::Aarch64],
    );
    let asked = index.asked();
    for name in ["a", "b", "c"] {
        let forgotten: Vec<usize> = (0..asked.len())
            .filter(|&i| asked[i] == format!("forget {name} Never"))
            .collect();
        assert_eq!(forgotten.len(), 1, "{name}: {asked:?}");
        let last_use = asked
            .iter()
            .rposition(|a| {
                a == &format!("page {name}") || a.starts_with(&format!("metadata {name}-"))
            })
            .unwrap();
        assert!(forgotten[0] > last_use, "{name}: {asked:?}");
    }
    // Two lines, two targets: a's page asked for four times, b's and c's twice.
    let pages = |name: &str| {
        asked
            .iter()
            .filter(|a| *a == &format!("page {name}"))
            .count()
    };
    assert_eq!((pages("a"), pages("b"), pages("c")), (4, 2, 2));
}

#[test]
fn a_wheel_whose_metadata_pip_rejects_gives_way_to_the_next_version_and_says_so() {
    let index = Arc::new(FakeIndex::default().wheel("dep", "1.0", &[]).file(
        "dep",
        "dep-1.1-py3-none-any.whl",
        Some(metadata("other", "1.1", &[])),
    ));
    let verdicts = check_lines(&index, "dep\n", &[Arch::X86_64]);
    let verdict = &verdicts[0][0];
    assert_eq!(verdict.outcome, Outcome::Wheel);
    assert_eq!(verdict.version.as_deref(), Some("1.0"));
    assert!(
        verdict.reason.contains(
            "pip rejects dep-1.1-py3-none-any.whl: its metadata names another project (other)"
        ) && verdict.reason.ends_with("so pip skips that file"),
        "{}",
        verdict.reason
    );
}

#[test]
fn metadata_that_cannot_be_fetched_makes_the_verdict_unknown_and_none_at_all_is_taken() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel("slow", "1.0", &[])
            .failing("slow-1.0-py3-none-any.whl")
            .file("bare", "bare-1.0-py3-none-any.whl", None),
    );
    let verdicts = check_lines(&index, "slow\nbare\n", &[Arch::X86_64]);
    assert_eq!(verdicts[0][0].outcome, Outcome::Unknown);
    assert_eq!(
        verdicts[0][0].reason,
        "core metadata lookup failed: \
         https://files.example.invalid/slow-1.0-py3-none-any.whl.metadata: timed out after 1 s 4 times"
    );
    // `Missing` means the index has no metadata anywhere, neither beside the wheel nor in it: nothing pip
    // could reject.
    assert_eq!(verdicts[1][0].outcome, Outcome::Wheel);
}

#[test]
fn the_tree_gives_every_project_the_verdict_of_the_version_chosen() {
    let index = Arc::new(
        FakeIndex::default()
            .wheel("app", "1.0", &["lib<2", "flaky"])
            .wheel("lib", "1.5", &[])
            .wheel("lib", "2.0", &[])
            .failing("flaky"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let checked = runtime.block_on(check_tree(
        &input("app\n"),
        &settings(&[Arch::X86_64]),
        index.clone(),
        &ProgressBar::hidden(),
    ));
    assert_eq!(checked.verdicts[0][0].outcome, Outcome::Wheel);
    let added: Vec<(&str, &str, Outcome, Option<&str>)> = checked
        .dependencies
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.requirement.as_str(),
                d.verdicts[0].outcome,
                d.verdicts[0].version.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        added,
        [
            ("flaky", "flaky", Outcome::Unknown, None),
            ("lib", "lib<2", Outcome::Wheel, Some("1.5")),
        ]
    );
    assert!(
        checked.dependencies[0].verdicts[0]
            .reason
            .contains("index lookup failed"),
        "{}",
        checked.dependencies[0].verdicts[0].reason
    );
}

#[test]
fn a_pinned_line_the_tree_cannot_hold_fails_even_when_its_project_is_installed_without_it() {
    // `lim` needs rich<14 and the input pins rich 14; `cli` needs any rich. pip cannot resolve this; without
    // the two failing lines, the tree installs rich 15 for `cli`, which is no answer for the `rich==14.0` line.
    let index = Arc::new(
        FakeIndex::default()
            .wheel("lim", "1.0", &["rich<14"])
            .wheel("rich", "13.0", &[])
            .wheel("rich", "14.0", &[])
            .wheel("rich", "15.0", &[])
            .wheel("cli", "1.0", &["rich"]),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let checked = runtime.block_on(check_tree(
        &input("lim==1.0\nrich==14.0\ncli==1.0\n"),
        &settings(&[Arch::X86_64]),
        index.clone(),
        &ProgressBar::hidden(),
    ));
    assert_eq!(
        outcomes(&checked.verdicts),
        [
            [(Outcome::Fail, Some("1.0"))],
            [(Outcome::Fail, Some("14.0"))],
            [(Outcome::Wheel, Some("1.0"))],
        ]
    );
    let rich = &checked.verdicts[1][0];
    assert!(
        rich.reason.contains("lim 1.0 depends on rich")
            && rich
                .reason
                .contains("without this line, the tree installs rich 15.0"),
        "{}",
        rich.reason
    );
    assert_eq!(rich.file, None);
}
