//! A hostile index on 127.0.0.1 and hostile checkouts: what they serve or contain may make an answer
//! `unknown` or an input line an error, and never aborts, bloats or spoofs the report.

mod common;

use std::process::Output;

use common::universe::Universe;
use common::{Behaviour, TestIndex, code, command, json};
use serde_json::Value;

const TARGET: &str = "cp312-musllinux_1_2_x86_64";

/// `universe` served on 127.0.0.1, and a directory for inputs and a cache.
struct Hostile {
    index: TestIndex,
    dir: tempfile::TempDir,
}

impl Hostile {
    fn serve(universe: &Universe) -> Self {
        let dir = tempfile::tempdir().unwrap();
        universe.write(&dir.path().join("index-root"));
        let index = TestIndex::start_with(Behaviour {
            root: Some(dir.path().join("index-root")),
            ..Default::default()
        });
        Hostile { index, dir }
    }

    /// muslcheck on `requirements` with `flags`, for CPython 3.12, with a cache of its own.
    fn check(&self, requirements: &str, flags: &[&str]) -> Output {
        let input = self.dir.path().join("requirements.txt");
        std::fs::write(&input, requirements).unwrap();
        let cache = self.dir.path().join("cache");
        let url = self.index.url();
        command()
            .env_remove("MUSLCHECK_NO_CACHE")
            .args([
                input.to_str().unwrap(),
                "--index-url",
                &url,
                "--python",
                "3.12",
            ])
            .args(["--cache-dir", cache.to_str().unwrap()])
            .args(flags)
            .output()
            .unwrap()
    }
}

/// The report of a run that ended with exit code `expected`.
fn report_of(out: &Output, expected: i32, flags: &[&str]) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(out), expected, "{flags:?}: {stderr}");
    json(out)
}

/// `name`'s reason, after checking that it is `unknown` and that the reason says `says`.
fn unknown_because<'r>(report: &'r Value, name: &str, says: &str) -> &'r str {
    let cell = verdict(report, name);
    assert_eq!(cell["outcome"], "unknown", "{cell}");
    let reason = cell["reason"].as_str().unwrap();
    assert!(reason.contains(says), "{reason}");
    reason
}

fn verdict<'r>(report: &'r Value, name: &str) -> &'r Value {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["targets"][TARGET])
        .unwrap_or_else(|| panic!("{name} not in {report}"))
}

#[test]
fn metadata_with_markers_nested_thousands_deep_is_unknown_not_an_abort_and_stays_so_cached() {
    let deep = format!(
        "helper; {}os_name == 'posix'{}",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    let mut u = Universe::default();
    u.wheel("app", "1.0", &[deep.as_str()])
        .wheel("helper", "1.0", &[])
        .wheel("fine", "2.0", &[]);
    let hostile = Hostile::serve(&u);
    for flags in [
        &["--format", "json"][..],
        &["--format", "json", "--no-deps"],
        &["--format", "json", "--offline"],
    ] {
        // Exit 3: nothing fails the gate, one answer is unknown.
        let report = report_of(&hostile.check("app\nfine\n", flags), 3, flags);
        let reason = unknown_because(&report, "app", "nested deeper than 64");
        assert!(reason.len() < 300, "{} bytes", reason.len());
        assert_eq!(verdict(&report, "fine")["outcome"], "wheel");
        assert!(report.to_string().len() < 20_000, "{flags:?}");
    }
}

#[test]
fn text_from_the_index_cannot_act_on_a_terminal_or_forge_lines_in_any_format() {
    let forged = "bad build\x1b[2J\x1b]0;pwned\x07\n::error::forged by the index\n\
                  WHEEL    fake    1.0   all good";
    let mut u = Universe::default();
    u.wheel("yanky", "1.0", &[])
        .yank_because("yanky", "1.0", forged)
        .wheel("fine", "2.0", &[]);
    // A wheel whose metadata names another project, with escapes in the name pip quotes.
    u.wheel("liar", "1.0", &[]);
    u.metadata.retain(|(f, _)| !f.starts_with("liar-"));
    u.metadata.push((
        "liar-1.0-py3-none-any.whl.metadata".into(),
        "Metadata-Version: 2.1\nName: evil\x1b[31m\r\n::add-mask::x\nVersion: 1.0\n".into(),
    ));
    let hostile = Hostile::serve(&u);
    for format in ["terminal", "markdown", "github", "html"] {
        let out = hostile.check(
            "yanky==1.0\nfine\nliar\n",
            &["--format", format, "--no-deps"],
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains('\x1b'),
            "{format}: an escape reached the output:\n{text}"
        );
        assert!(!text.contains('\x07'), "{format}");
        assert!(
            text.contains("x1b"),
            "{format}: the escape is shown:\n{text}"
        );
        for line in text.lines() {
            let ours = format == "github"
                && ["::error ", "::warning ", "::notice "]
                    .iter()
                    .any(|c| line.starts_with(c));
            assert!(
                ours || !line.trim_start().starts_with("::"),
                "{format}: a line starts a workflow command: {line}"
            );
            assert!(
                !line.starts_with("WHEEL    fake"),
                "{format}: a forged row: {line}"
            );
        }
    }
    // JSON keeps the text as the index gave it, in JSON's own escaping.
    let report = json(&hostile.check("yanky==1.0\n", &["--format", "json", "--no-deps"]));
    assert!(
        verdict(&report, "yanky")["reason"]
            .as_str()
            .unwrap()
            .contains(forged)
    );
}

#[test]
fn many_releases_whose_metadata_pip_rejects_are_walked_down_as_pip_walks_them() {
    let mut u = Universe::default();
    u.wheel("celeryish", "9.0", &[]);
    for minor in 1..=60 {
        u.wheel("celeryish", &format!("9.{minor}"), &["pytz (>dev)"]);
    }
    let hostile = Hostile::serve(&u);
    for flags in [
        &["--format", "json", "--no-deps"][..],
        &["--format", "json"],
    ] {
        let out = hostile.check("celeryish\n", flags);
        assert_eq!(code(&out), 0, "{flags:?}");
        let report = json(&out);
        let cell = verdict(&report, "celeryish");
        assert_eq!(cell["outcome"], "wheel", "{flags:?}: {cell}");
        assert_eq!(cell["version"], "9.0", "{flags:?}: {cell}");
        if flags.contains(&"--no-deps") {
            let reason = cell["reason"].as_str().unwrap();
            assert!(
                reason.contains("celeryish-9.60-py3-none-any.whl"),
                "{reason}"
            );
            assert!(reason.contains("and 57 more files"), "{reason}");
            assert!(reason.len() < 1000, "{reason}");
        }
    }
}

#[test]
fn a_wheel_whose_metadata_is_a_deflate_bomb_is_unknown_in_one_line() {
    let fixture =
        |name: &str| std::fs::read(common::fixtures().join("hostile").join(name)).unwrap();
    let mut u = Universe::default();
    u.file(
        "bomb",
        "bomb-1.0-py3-none-any.whl",
        fixture("bomb-1.0-py3-none-any.whl"),
    )
    .file(
        "liar",
        "liar-1.0-py3-none-any.whl",
        fixture("liar-1.0-py3-none-any.whl"),
    )
    .wheel("fine", "2.0", &[]);
    let hostile = Hostile::serve(&u);
    for flags in [
        &["--format", "json", "--no-deps"][..],
        &["--format", "json"],
    ] {
        let out = hostile.check("bomb\nliar\nfine\n", flags);
        let report = report_of(&out, 3, flags);
        unknown_because(&report, "bomb", "declares 41943100 bytes uncompressed");
        unknown_because(&report, "liar", "inflates to more than 16777216 bytes");
        assert_eq!(verdict(&report, "fine")["outcome"], "wheel");
        // Nothing of the 40 MiB reaches the report.
        assert!(
            out.stdout.len() < 20_000,
            "{flags:?}: {} bytes",
            out.stdout.len()
        );
    }
}
