use super::*;

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn images(d: &Dockerfile) -> Vec<&str> {
    d.stages.iter().map(|s| s.image.as_str()).collect()
}

#[test]
fn global_args_defaults_and_build_args() {
    let text = "ARG PY=3.12\nARG FLAVOUR\nARG A=1 B=\"two words\"\nFROM python:${PY}-alpine\n\
                FROM python:$PY-${FLAVOUR:-slim}\nFROM x:$A-$B\n";
    let d = parse(text, &[]);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(
        images(&d),
        ["python:3.12-alpine", "python:3.12-slim", "x:1-two words"]
    );
    let d = parse(text, &args(&[("PY", "3.13"), ("FLAVOUR", "bookworm")]));
    assert_eq!(
        images(&d)[..2],
        ["python:3.13-alpine", "python:3.13-bookworm"]
    );
}

#[test]
fn arg_defaults_may_use_earlier_args_and_later_declarations_win() {
    let text =
        "ARG PY=3.11\nARG BASE=python:${PY}-slim\nARG PY=3.12\nFROM $BASE\nFROM python:$PY\n";
    let d = parse(text, &[]);
    assert_eq!(images(&d), ["python:3.11-slim", "python:3.12"]);
}

#[test]
fn args_inside_a_stage_do_not_reach_from() {
    let text = "FROM python:3.12 AS a\nARG PY=3.9\nFROM python:${PY:-3.11}\n";
    let d = parse(text, &args(&[("PY", "3.10")]));
    // PY is not declared before the first FROM: the build argument does not reach FROM.
    assert_eq!(images(&d), ["python:3.12", "python:3.11"]);
}

#[test]
fn unresolved_variables_are_named_and_left_as_written() {
    let text = "ARG PY\nFROM --platform=$TARGETPLATFORM python:${PY}-alpine AS a\nFROM --platform=linux/arm64 b:$NOPE\n";
    let d = parse(text, &[]);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let a = &d.stages[0];
    assert_eq!(a.image, "python:${PY}-alpine");
    assert_eq!(a.platform.as_deref(), Some("$TARGETPLATFORM"));
    assert_eq!(a.unresolved, ["PY", "TARGETPLATFORM"]);
    assert_eq!(a.image_unresolved, ["PY"]);
    assert_eq!(a.platform_unresolved, ["TARGETPLATFORM"]);
    let b = &d.stages[1];
    assert_eq!(
        (b.image.as_str(), b.platform.as_deref()),
        ("b:$NOPE", Some("linux/arm64"))
    );
    assert_eq!(b.unresolved, ["NOPE"]);
    // The caller may say what the build's platform is.
    let d = parse(text, &args(&[("TARGETPLATFORM", "linux/amd64")]));
    assert_eq!(d.stages[0].platform.as_deref(), Some("linux/amd64"));
}

#[test]
fn stage_aliases_link_case_insensitively() {
    let text =
        "FROM python:3.12-slim AS Base\nfrom base as Test\nFROM TEST\nFROM python:3.12 AS other\n";
    let d = parse(text, &[]);
    let bases: Vec<Option<usize>> = d.stages.iter().map(|s| s.base_stage).collect();
    assert_eq!(bases, [None, Some(0), Some(1), None]);
    assert_eq!(d.stages[1].alias.as_deref(), Some("Test"));
    assert_eq!((d.stages[1].line, d.stages[1].column), (2, 1));
}

#[test]
fn scratch_is_a_stage_without_image() {
    let d = parse("FROM scratch\n", &[]);
    assert_eq!(images(&d), ["scratch"]);
    assert_eq!(d.stages[0].base_stage, None);
}

#[test]
fn malformed_lines_are_errors_and_reading_goes_on() {
    let text = "RUN echo early\nFROM\nFROM a b c d\nFROM a AS 9lives\nFROM a AS x\nFROM b AS X\n\
                FROM --platform c\nFRON d\nARG 1BAD=2\nFROM ${BROKEN\n  FROM ok:1\n";
    let d = parse(text, &[]);
    let errors: Vec<(usize, usize, &str)> = d
        .errors
        .iter()
        .map(|e| (e.line, e.column, e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                1,
                1,
                "RUN before the first FROM: only ARG may come before it"
            ),
            (2, 1, "FROM needs an image"),
            (3, 12, "FROM: unexpected 'd' after the stage name"),
            (
                4,
                11,
                "FROM … AS 9lives: a stage name starts with a letter and has only letters, digits, -, _ and ."
            ),
            (6, 11, "FROM … AS X: the stage name is already used"),
            (
                7,
                6,
                "FROM --platform needs a value: --platform=linux/arm64"
            ),
            (8, 1, "unknown instruction FRON"),
            (9, 5, "ARG: '1BAD' is not a variable name"),
            (10, 6, "${BROKEN: ${BROKEN is not closed by }"),
        ]
    );
    assert_eq!(images(&d), ["a", "ok:1"]);
    assert_eq!((d.stages[1].line, d.stages[1].column), (11, 3));
}

#[test]
fn heredocs_and_continuations_do_not_hide_or_invent_stages() {
    let text =
        "FROM python:3.12 AS a\nRUN <<EOF\nFROM evil\nEOF\nFROM \\\n  python:3.11 \\\n  AS b\n";
    let d = parse(text, &[]);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(images(&d), ["python:3.12", "python:3.11"]);
    assert_eq!(d.stages[1].alias.as_deref(), Some("b"));
    assert_eq!((d.stages[1].line, d.stages[1].column), (5, 1));
}

#[test]
fn an_escaped_dollar_is_literal() {
    let d = parse("ARG V=1\nFROM a:\\$V\n", &[]);
    assert_eq!(images(&d), ["a:$V"]);
    let d = parse("# escape=`\nARG V=1\nFROM a:`$V\n", &[]);
    assert_eq!(images(&d), ["a:$V"]);
}

#[test]
fn errors_display_with_their_position() {
    let d = parse("FROM\n", &[]);
    assert_eq!(d.errors[0].to_string(), "1:1: FROM needs an image");
}

#[test]
fn args_that_double_one_another_stop_at_the_length_bound_with_the_line() {
    let mut text = String::from("ARG A=abcdefgh\n");
    for _ in 0..40 {
        text.push_str("ARG A=$A$A\n");
    }
    text.push_str("FROM python:3.12-alpine\nFROM x:$A\n");
    let d = parse(&text, &[]);
    // The thirteenth doubling would pass 64 KiB: that line is the error, the later ones go on from its value.
    let first = &d.errors[0];
    assert_eq!((first.line, first.column), (15, 5), "{:?}", d.errors);
    assert!(
        first
            .message
            .contains("expands to more than 65536 characters"),
        "{}",
        first.message
    );
    assert_eq!(images(&d)[0], "python:3.12-alpine");
    assert!(d.errors.iter().all(|e| e.message.len() < 300));
}
