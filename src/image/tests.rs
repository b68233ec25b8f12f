use super::*;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// What a reference must give: the target as `CPython · libc · distro · arch`, or words of the error.
enum Want {
    Target(&'static str),
    Error(&'static [&'static str]),
}

fn shown(t: &ImageTarget) -> String {
    let arch = t.arch.map_or("-".to_string(), |a| a.to_string());
    format!("{} · {} · {} · {arch}", t.python, t.libc, t.distro)
}

#[test]
fn references_give_targets_or_say_why_not() {
    use Want::{Error, Target};
    let newest = data::images().python_image.newest_python.to_string();
    let alpine = data::images().python_image.alpine.clone();
    let with_digest = format!("python:3.12-alpine3.20@{DIGEST}");
    let digest_only = format!("python@{DIGEST}");
    let cases: Vec<(&str, Option<Arch>, Want)> = vec![
        (
            "python:3.12-alpine",
            None,
            Target("3.12 · musl 1.2 · Alpine 3.24 · -"),
        ),
        (
            "python:3.12.7-alpine3.20",
            None,
            Target("3.12.7 · musl 1.2 · Alpine 3.20 · -"),
        ),
        (
            "python:3.12-alpine3.20",
            None,
            Target("3.12 · musl 1.2 · Alpine 3.20 · -"),
        ),
        (
            "python:3.9-alpine3.12",
            None,
            Target("3.9 · musl 1.1 · Alpine 3.12 · -"),
        ),
        (
            "python:3-alpine",
            None,
            Target("3.15 · musl 1.2 · Alpine 3.24 · -"),
        ),
        (
            "python:alpine",
            None,
            Target("3.15 · musl 1.2 · Alpine 3.24 · -"),
        ),
        (
            "python:alpine3.20",
            None,
            Error(&["stopped moving", "write the Python in the tag"]),
        ),
        ("python:bullseye", None, Error(&["stopped moving"])),
        (
            "python:alpine3.24",
            None,
            Target("3.15 · musl 1.2 · Alpine 3.24 · -"),
        ),
        (
            "python:3.13.0rc2-alpine3.20",
            None,
            Target("3.13 · musl 1.2 · Alpine 3.20 · -"),
        ),
        (
            "python:3.12-slim",
            None,
            Target("3.12 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:3.12-slim-bookworm",
            None,
            Target("3.12 · glibc 2.36 · Debian bookworm · -"),
        ),
        (
            "python:3.12-bookworm",
            None,
            Target("3.12 · glibc 2.36 · Debian bookworm · -"),
        ),
        (
            "python:3.12",
            None,
            Target("3.12 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:slim",
            None,
            Target("3.15 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:latest",
            None,
            Target("3.15 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python",
            None,
            Target("3.15 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:3.12.7",
            None,
            Target("3.12.7 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:3.12-trixie",
            None,
            Target("3.12 · glibc 2.41 · Debian trixie · -"),
        ),
        (
            "python:3.12-slim-bullseye",
            None,
            Target("3.12 · glibc 2.31 · Debian bullseye · -"),
        ),
        (
            "python:3.10-buster",
            None,
            Target("3.10 · glibc 2.28 · Debian buster · -"),
        ),
        (
            "library/python:3.12-alpine",
            Some(Arch::Aarch64),
            Target("3.12 · musl 1.2 · Alpine 3.24 · aarch64"),
        ),
        (
            "mirror.example.com/library/python:3.11-alpine3.19",
            None,
            Target("3.11 · musl 1.2 · Alpine 3.19 · -"),
        ),
        (
            "arm64v8/python:3.12-alpine",
            None,
            Target("3.12 · musl 1.2 · Alpine 3.24 · aarch64"),
        ),
        (
            &with_digest,
            None,
            Target("3.12 · musl 1.2 · Alpine 3.20 · -"),
        ),
        (
            &digest_only,
            None,
            Error(&["digest alone", "--python", "--musl"]),
        ),
        (
            "python:3.12-windowsservercore-ltsc2022",
            None,
            Error(&["not a Linux image", "windowsservercore-ltsc2022"]),
        ),
        (
            "python:3.12-nanoserver-1809",
            None,
            Error(&["not a Linux image"]),
        ),
        (
            "python:alpine3.99",
            None,
            Error(&["Alpine 3.99 is not in muslcheck's table", "3.24"]),
        ),
        (
            "python:3.12-alpine3.8",
            None,
            Error(&["Alpine 3.8 is not in", "3.9 to 3.24"]),
        ),
        (
            "python:3.7-alpine",
            None,
            Error(&["python:3.7-alpine", "CPython 3.7 is not supported"]),
        ),
        ("python:2.7-slim", None, Error(&["not a CPython version"])),
        (
            "python:3.12-slim-stretch",
            None,
            Error(&["'-slim-stretch' is not a variant", "bookworm"]),
        ),
        (
            "python:3.12-onbuild",
            None,
            Error(&["'-onbuild' is not a variant"]),
        ),
        (
            "python:3.12-alpinex",
            None,
            Error(&["'-alpinex' is not a variant"]),
        ),
        (
            "alpine:3.20",
            None,
            Error(&[
                "cannot tell which CPython",
                "--python",
                "it is Alpine 3.20 with musl 1.2.5",
            ]),
        ),
        (
            "debian:bookworm-slim",
            None,
            Error(&[
                "cannot tell which CPython",
                "it is Debian bookworm with glibc 2.36",
            ]),
        ),
        (
            "ubuntu",
            None,
            Error(&["ubuntu: muslcheck cannot tell which CPython", "--python"]),
        ),
        (
            "node:20-alpine",
            None,
            Error(&["not the official python image"]),
        ),
        (
            "registry.example.com/team/base:1",
            None,
            Error(&["registry.example.com/team/base:1", "--python"]),
        ),
        (
            "team/python:3.12-alpine",
            None,
            Error(&["not the official python image"]),
        ),
        (
            "arm64v8/python:3.12",
            Some(Arch::X86_64),
            Error(&["arm64v8/ repository holds aarch64"]),
        ),
        (
            "Python:3.12",
            None,
            Error(&["not an image reference", "lowercase"]),
        ),
    ];
    assert!(cases.len() >= 20);
    for (reference, arch, want) in cases {
        let got = target_of(reference, arch);
        match (want, got) {
            (Target(expected), Ok(t)) => {
                // The bare tags follow the table, so the expectations do too.
                let expected = expected
                    .replace("3.15 ·", &format!("{newest} ·"))
                    .replace("Alpine 3.24", &format!("Alpine {alpine}"));
                assert_eq!(shown(&t), expected, "{reference}");
                assert!(
                    t.how.starts_with(&format!("{reference} → CPython")),
                    "{}",
                    t.how
                );
            }
            (Error(words), Err(e)) => {
                let message = e.to_string();
                for w in words {
                    assert!(message.contains(w), "{reference}: '{w}' not in: {message}");
                }
            }
            (Target(expected), Err(e)) => panic!("{reference}: expected {expected}, got error {e}"),
            (Error(words), Ok(t)) => panic!(
                "{reference}: expected an error with {words:?}, got {}",
                t.how
            ),
        }
    }
}

#[test]
fn how_says_where_each_part_came_from() {
    let images = data::images();
    let checked = &images.python_image.checked;
    let alpine = images.newest_alpine();
    let (release, musl) = (&alpine.release, &alpine.musl_full);
    let t = target_of("python:3.12-alpine", None).unwrap();
    assert_eq!(
        t.how,
        format!(
            "python:3.12-alpine → CPython 3.12 (tag), Alpine {release} (what -alpine means as of {checked}), \
             musl 1.2 (Alpine {release} ships musl {musl})"
        )
    );
    let t = target_of("python:3.13.0rc2-slim-bookworm", None).unwrap();
    assert!(
        t.how
            .contains("CPython 3.13 (tag; a pre-release, checked as its minor)"),
        "{}",
        t.how
    );
    assert!(
        t.how
            .contains("Debian bookworm (tag), glibc 2.36 (Debian 12 (bookworm) ships glibc 2.36)")
    );
    let t = target_of("python:latest", None).unwrap();
    assert!(
        t.how
            .contains(&format!("the newest the image carries as of {checked}")),
        "{}",
        t.how
    );
    assert!(
        t.how
            .contains(&format!("what a tag without variant means as of {checked}"))
    );
    let t = target_of(&format!("python:3.12-alpine@{DIGEST}"), None).unwrap();
    assert!(
        t.how
            .ends_with("the digest is not resolved: the tag decides"),
        "{}",
        t.how
    );
    let t = target_of("arm64v8/python:3.12-alpine", None).unwrap();
    assert!(
        t.how.contains("aarch64 (the arm64v8/ repository)"),
        "{}",
        t.how
    );
}

#[test]
fn an_image_target_becomes_a_target() {
    let t = target_of("python:3.12-alpine", None).unwrap();
    assert_eq!(t.target(Arch::X86_64).id(), "cp312-musllinux_1_2_x86_64");
    let t = target_of("python:3.12-slim-bookworm", Some(Arch::Aarch64)).unwrap();
    assert_eq!(t.target(Arch::X86_64).id(), "cp312-manylinux_2_36_aarch64");
}
