//! Every fixture under tests/fixtures/dockerfiles/ (real-world Dockerfile shapes) and what it must give.

use super::*;
use crate::data;

/// What one fixture must give. Targets read `stage@line CPython · libc · distro · arch`; `{alpine}` and
/// `{debian}` stand for what the bare `-alpine` and `-slim` tags mean in data/images.toml.
struct Case {
    file: &'static str,
    build_args: &'static [(&'static str, &'static str)],
    arch_flag: &'static [Arch],
    targets: &'static [&'static str],
    /// Words each note must hold, in order: one entry per note.
    notes: &'static [&'static str],
    /// `(line, column, words of the message)`.
    errors: &'static [(usize, usize, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        file: "multi-stage-builder.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["builder@4 3.12.8 · musl 1.2 · Alpine 3.20 · -"],
        notes: &[
            "multi-stage-builder.Dockerfile:4 (stage builder): python:3.12.8-alpine3.20 → CPython 3.12.8 (tag)",
            "multi-stage-builder.Dockerfile:15 (stage 1): python:3.12.8-alpine3.20: the same target as stage builder (multi-stage-builder.Dockerfile:4)",
        ],
        errors: &[],
    },
    Case {
        file: "arg-python-version.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["builder@2 3.11 · musl 1.2 · Alpine {alpine} · -"],
        notes: &[
            "arg-python-version.Dockerfile:2 (stage builder): python:3.11-alpine → CPython 3.11",
            // The ARG inside the second stage does not reach its FROM.
            ":9 (stage 1): python:3.11-alpine: the same target as stage builder",
        ],
        errors: &[],
    },
    Case {
        file: "arg-python-version.Dockerfile",
        build_args: &[("PYTHON_VERSION", "3.13")],
        arch_flag: &[],
        targets: &["builder@2 3.13 · musl 1.2 · Alpine {alpine} · -"],
        notes: &["python:3.13-alpine → CPython 3.13 (tag)", "the same target"],
        errors: &[],
    },
    Case {
        file: "platform-flag.Dockerfile",
        build_args: &[],
        arch_flag: &[Arch::X86_64],
        targets: &[
            "wheels-arm64@2 3.12 · glibc 2.36 · Debian bookworm · aarch64",
            "wheels-amd64@5 3.12 · glibc 2.36 · Debian bookworm · x86_64",
            "pi@8 3.12 · musl 1.2 · Alpine 3.21 · armv7l",
        ],
        notes: &[
            ":2 (stage wheels-arm64): python:3.12-slim-bookworm → CPython 3.12 (tag), Debian bookworm (tag), glibc 2.36 (Debian 12 (bookworm) ships glibc 2.36), aarch64 (--platform=linux/arm64)",
            ":2 (stage wheels-arm64): --platform=linux/arm64 pins this stage to aarch64; --arch x86_64 does not apply to it",
            ":5 (stage wheels-amd64): python:3.12-slim-bookworm → CPython 3.12",
            ":8 (stage pi): python:3.12-alpine3.21 → CPython 3.12 (tag), Alpine 3.21 (tag), musl 1.2",
            "--platform=linux/arm/v7 pins this stage to armv7l",
        ],
        errors: &[],
    },
    Case {
        file: "buildplatform-cross.Dockerfile",
        build_args: &[],
        arch_flag: &[Arch::Aarch64],
        targets: &["build@2 3.12 · musl 1.2 · Alpine {alpine} · -"],
        notes: &[
            ":2 (stage build): python:3.12-alpine → CPython 3.12",
            ":2 (stage build): --platform=$BUILDPLATFORM: $BUILDPLATFORM is decided when the image is built",
            ":9 (stage 1): python:3.12-alpine: the same target as stage build",
            ":9 (stage 1): --platform=${TARGETPLATFORM:-linux/amd64}: $TARGETPLATFORM is decided when the image is built (BUILDPLATFORM is the building machine's, TARGETPLATFORM the --platform of docker build); the architecture comes from --arch (aarch64)",
        ],
        errors: &[],
    },
    Case {
        file: "buildplatform-cross.Dockerfile",
        build_args: &[("TARGETPLATFORM", "linux/arm64")],
        arch_flag: &[],
        targets: &[
            "build@2 3.12 · musl 1.2 · Alpine {alpine} · -",
            "1@9 3.12 · musl 1.2 · Alpine {alpine} · aarch64",
        ],
        notes: &[
            ":2 (stage build): python:3.12-alpine",
            "$BUILDPLATFORM is decided",
            ":9 (stage 1): python:3.12-alpine → CPython 3.12 (tag), Alpine {alpine} (what -alpine means as of",
        ],
        errors: &[],
    },
    Case {
        file: "digest-pinned.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["base@2 3.13.1 · glibc 2.36 · Debian bookworm · -"],
        notes: &["glibc 2.36); the digest is not resolved: the tag decides"],
        errors: &[],
    },
    Case {
        file: "digest-only.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[],
        notes: &[],
        errors: &[(1, 1, "a digest alone does not tell the Python version")],
    },
    Case {
        file: "heredoc.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["0@2 3.13 · musl 1.2 · Alpine 3.21 · -"],
        notes: &["heredoc.Dockerfile:2 (stage 0): python:3.13-alpine3.21 → CPython 3.13"],
        errors: &[],
    },
    Case {
        file: "continuation.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["base@1 3.10 · glibc 2.31 · Debian bullseye · -"],
        notes: &[
            "continuation.Dockerfile:1 (stage base): python:3.10-slim-bullseye → CPython 3.10",
        ],
        errors: &[],
    },
    Case {
        file: "escape-directive.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["app@2 3.11 · glibc 2.36 · Debian bookworm · -"],
        notes: &["escape-directive.Dockerfile:2 (stage app): python:3.11-slim-bookworm"],
        errors: &[],
    },
    Case {
        file: "lowercase-instructions.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["base@1 3.10 · musl 1.2 · Alpine 3.19 · -"],
        notes: &[
            "musl 1.2 (Alpine 3.19 ships musl 1.2.4_git20230717)",
            ":6 (stage test): FROM base: the same target as stage base (lowercase-instructions.Dockerfile:1)",
        ],
        errors: &[],
    },
    Case {
        file: "from-stage-alias.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["Base@1 3.12 · glibc {glibc} · Debian {debian} · -"],
        notes: &[
            ":1 (stage Base): python:3.12-slim → CPython 3.12 (tag), Debian {debian} (what -slim means as of",
            ":7 (stage test): FROM base: the same target as stage Base (from-stage-alias.Dockerfile:1)",
            ":12 (stage production): FROM BASE: the same target as stage Base",
        ],
        errors: &[],
    },
    Case {
        file: "non-python-base.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[],
        notes: &[],
        errors: &[(
            1,
            1,
            "no stage is built FROM the official python image (found alpine:3.20 at line 1, Alpine 3.20 with musl 1.2.5): muslcheck cannot tell which CPython these have; name the target with --python (and --musl for an Alpine image) instead",
        )],
    },
    Case {
        file: "slim-debian.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["0@1 3.12 · glibc {glibc} · Debian {debian} · -"],
        notes: &["slim-debian.Dockerfile:1 (stage 0): python:3.12-slim → CPython 3.12"],
        errors: &[],
    },
    Case {
        file: "build-arg-default-expansion.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[
            "runtime@6 3.12 · musl 1.2 · Alpine 3.21 · -",
            "test@9 3.11 · glibc {glibc} · Debian {debian} · -",
        ],
        notes: &[
            ":6 (stage runtime): python:3.12-alpine3.21 → CPython 3.12",
            ":9 (stage test): python:3.11-slim → CPython 3.11",
        ],
        errors: &[],
    },
    Case {
        file: "build-arg-default-expansion.Dockerfile",
        build_args: &[
            ("PY", "3.13"),
            ("VARIANT", "slim-bookworm"),
            ("TEST_PY", "3.10"),
        ],
        arch_flag: &[],
        targets: &[
            "runtime@6 3.13 · glibc 2.36 · Debian bookworm · -",
            "test@9 3.10 · glibc {glibc} · Debian {debian} · -",
        ],
        notes: &[
            "python:3.13-slim-bookworm → CPython 3.13",
            "python:3.10-slim → CPython 3.10",
        ],
        errors: &[],
    },
    Case {
        file: "scratch-final.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["build@1 3.12 · musl 1.2 · Alpine {alpine} · -"],
        notes: &[
            ":1 (stage build): python:3.12-alpine → CPython 3.12",
            "scratch-final.Dockerfile:6 (stage 1): FROM scratch: an empty image, no Python",
        ],
        errors: &[],
    },
    Case {
        file: "windows-base.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[],
        notes: &[],
        errors: &[(
            2,
            1,
            "python:3.12-windowsservercore-ltsc2022: not a Linux image",
        )],
    },
    Case {
        file: "registry-mirror-prefix.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["builder@3 3.11 · musl 1.2 · Alpine 3.19 · -"],
        notes: &[
            ":3 (stage builder): mirror.example.com/library/python:3.11-alpine3.19 → CPython 3.11",
            ":6 (stage 1): registry.example.com/team/base:1: muslcheck cannot tell which CPython this image has",
        ],
        errors: &[],
    },
    Case {
        file: "unresolved-arg.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[],
        notes: &[],
        errors: &[(
            2,
            1,
            "FROM python:${PYTHON_VERSION}-slim: $PYTHON_VERSION has no value here",
        )],
    },
    Case {
        file: "unresolved-arg.Dockerfile",
        build_args: &[("PYTHON_VERSION", "3.12")],
        arch_flag: &[],
        targets: &["0@2 3.12 · glibc {glibc} · Debian {debian} · -"],
        notes: &["python:3.12-slim → CPython 3.12"],
        errors: &[],
    },
    Case {
        file: "malformed-from.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["app@5 3.11 · musl 1.2 · Alpine 3.20 · -"],
        notes: &[":5 (stage app): python:3.11-alpine3.20"],
        errors: &[
            (1, 1, "FROM needs an image"),
            (2, 25, "FROM … AS: a stage name must follow"),
            (3, 25, "expected AS <name> after the image, found 'builder'"),
            (4, 6, "unknown flag --platfrom=linux/amd64"),
        ],
    },
    Case {
        file: "distroless-final.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["build@1 3.11 · glibc 2.36 · Debian bookworm · -"],
        notes: &[
            ":1 (stage build): python:3.11-slim-bookworm",
            ":4 (stage 1): registry.example.com/distroless/python3-debian12: muslcheck cannot tell which CPython",
        ],
        errors: &[],
    },
    Case {
        file: "old-alpine-musl11.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["0@1 3.8 · musl 1.1 · Alpine 3.12 · -"],
        notes: &["musl 1.1 (Alpine 3.12 ships musl 1.1.24)"],
        errors: &[],
    },
    Case {
        file: "unknown-alpine.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &[],
        notes: &[],
        errors: &[(
            1,
            1,
            "Alpine 3.99 is not in muslcheck's table (it knows Alpine 3.9 to {newest_alpine}",
        )],
    },
    Case {
        file: "per-arch-namespace.Dockerfile",
        build_args: &[],
        arch_flag: &[],
        targets: &["app@1 3.12 · musl 1.2 · Alpine {alpine} · aarch64"],
        notes: &[
            "musl 1.2 (Alpine {alpine} ships musl {alpine_musl}), aarch64 (the arm64v8/ repository)",
        ],
        errors: &[],
    },
];

fn fill(s: &str) -> String {
    let images = data::images();
    let image = &images.python_image;
    let debian = images.debian(&image.debian).map(|d| d.glibc.to_string());
    let newest = images.newest_alpine();
    s.replace("{alpine}", &image.alpine)
        .replace("{alpine_musl}", &newest.musl_full)
        .replace("{newest_alpine}", &newest.release)
        .replace("{debian}", &image.debian)
        .replace("{glibc}", &debian.unwrap_or_default())
}

fn shown(t: &StageTarget) -> String {
    let stage = t.stage.clone().unwrap_or_else(|| t.index.to_string());
    let arch = t.target.arch.map_or("-".to_string(), |a| a.to_string());
    let target = &t.target;
    format!(
        "{stage}@{} {} · {} · {} · {arch}",
        t.line, target.python, target.libc, target.distro
    )
}

#[test]
fn every_fixture_gives_its_targets_notes_and_errors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dockerfiles");
    let mut covered = Vec::new();
    for case in CASES {
        let text = std::fs::read_to_string(format!("{dir}/{}", case.file)).unwrap();
        let args: Vec<(String, String)> = case
            .build_args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let got = targets(case.file, &text, &args, case.arch_flag);
        let what = format!("{} {:?}", case.file, case.build_args);

        let targets: Vec<String> = got.targets.iter().map(shown).collect();
        let expected: Vec<String> = case.targets.iter().map(|t| fill(t)).collect();
        assert_eq!(targets, expected, "{what}");

        assert_eq!(
            got.notes.len(),
            case.notes.len(),
            "{what}: {:#?}",
            got.notes
        );
        for (note, words) in got.notes.iter().zip(case.notes) {
            assert!(
                note.contains(&fill(words)),
                "{what}: '{}' not in: {note}",
                fill(words)
            );
            if !case.targets.is_empty() {
                assert!(
                    note.starts_with(&format!("{}:", case.file)),
                    "{what}: {note}"
                );
            }
        }

        assert_eq!(
            got.errors.len(),
            case.errors.len(),
            "{what}: {:#?}",
            got.errors
        );
        for (error, (line, column, words)) in got.errors.iter().zip(case.errors) {
            assert_eq!(
                (error.line, error.column),
                (*line, *column),
                "{what}: {error}"
            );
            assert!(
                error.message.contains(&fill(words)),
                "{what}: '{}' not in: {error}",
                fill(words)
            );
        }
        covered.push(case.file);
    }
    // Every fixture is in the table.
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".Dockerfile"))
        .collect();
    files.sort();
    for file in &files {
        assert!(covered.contains(&file.as_str()), "{file} has no case");
    }
    assert!(files.len() >= 15);
}

#[test]
fn platforms_map_to_architectures() {
    let ok = [
        ("linux/amd64", Arch::X86_64),
        ("linux/amd64/v3", Arch::X86_64),
        ("linux/arm64", Arch::Aarch64),
        ("linux/arm64/v8", Arch::Aarch64),
        ("linux/arm/v7", Arch::Armv7l),
        ("linux/arm", Arch::Armv7l),
        ("linux/386", Arch::I686),
        ("linux/ppc64le", Arch::Ppc64le),
        ("linux/s390x", Arch::S390x),
        ("Linux/ARM64", Arch::Aarch64),
    ];
    for (platform, arch) in ok {
        assert_eq!(arch_of_platform(platform), Ok(arch), "{platform}");
    }
    for bad in [
        "linux/riscv64",
        "linux/arm/v6",
        "windows/amd64",
        "linux",
        "amd64",
    ] {
        assert!(arch_of_platform(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_dockerfile_without_from_is_an_error() {
    let got = targets("Dockerfile", "# nothing\nARG X=1\n", &[], &[]);
    assert!(got.targets.is_empty());
    assert_eq!(got.errors.len(), 1);
    assert!(got.errors[0].message.contains("no FROM instruction"));
}

#[test]
fn identical_targets_are_given_once() {
    let text = "FROM python:3.12-alpine3.20 AS a\nFROM python:3.12.7-alpine3.21 AS b\nFROM python:3.12-alpine3.21\n";
    let got = targets("Dockerfile", text, &[], &[]);
    let shown: Vec<String> = got.targets.iter().map(shown).collect();
    // Alpine 3.20 and 3.21 are both musl 1.2: CPython 3.12 there is one target; 3.12.7 is another.
    assert_eq!(
        shown,
        [
            "a@1 3.12 · musl 1.2 · Alpine 3.20 · -",
            "b@2 3.12.7 · musl 1.2 · Alpine 3.21 · -"
        ]
    );
    assert!(
        got.notes[2].contains("the same target as stage a (Dockerfile:1)"),
        "{:?}",
        got.notes
    );
}

#[test]
fn an_unsupported_platform_is_an_error_at_its_stage() {
    let text =
        "FROM python:3.12-alpine AS ok\nFROM --platform=linux/riscv64 python:3.12-alpine AS rv\n";
    let got = targets("Dockerfile", text, &[], &[]);
    assert_eq!(got.targets.len(), 1);
    assert_eq!((got.errors[0].line, got.errors[0].column), (2, 1));
    assert!(
        got.errors[0]
            .message
            .contains("riscv64 is not an architecture muslcheck checks")
    );
}

#[test]
fn a_chain_of_many_stages_reads_in_linear_time_to_its_first_image() {
    let mut text = String::from("FROM python:3.12-alpine AS s0\n");
    for i in 0..50_000 {
        text.push_str(&format!("FROM S{i} AS s{}\n", i + 1));
    }
    let got = targets("Dockerfile", &text, &[], &[]);
    assert!(got.errors.is_empty(), "{:?}", &got.errors[..1]);
    // One target, derived at the chain's first stage; every later stage says it is the same.
    assert_eq!(got.targets.len(), 1);
    assert_eq!(got.notes.len(), 50_001);
    assert!(
        got.notes[50_000].contains("the same target as stage s0"),
        "{}",
        got.notes[50_000]
    );
    // A name used twice is still an error, at the second use.
    let twice = "FROM python:3.12-alpine AS a\nFROM python:3.13-alpine AS A\n";
    let got = targets("Dockerfile", twice, &[], &[]);
    assert_eq!((got.errors[0].line, got.errors[0].column), (2, 28));
    assert!(
        got.errors[0].message.contains("already used"),
        "{}",
        got.errors[0].message
    );
}
