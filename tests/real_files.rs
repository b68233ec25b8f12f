//! Real dependency files of public projects (tests/fixtures/formats/real, sources in its SOURCES.md): each
//! reader must find exactly the pins that an independent reading finds (`expected-requirements.txt`, written
//! by `to_requirements.py` there with every group and extra selected), and read every real file of every
//! format without an input error.

mod common;

use std::collections::BTreeSet;

use muslcheck::input::{Selection, Wanted, read_inputs};

fn real(path: &str) -> String {
    common::fixtures()
        .join("formats/real")
        .join(path)
        .display()
        .to_string()
}

fn everything() -> Selection {
    Selection {
        all_extras: true,
        all_groups: true,
        dev: true,
        ..Default::default()
    }
}

/// `name==version` of every index requirement, names normalized.
fn pins_read(path: &str) -> BTreeSet<String> {
    let input = read_inputs(&[real(path)], &everything());
    assert!(input.errors.is_empty(), "{path}: {:?}", input.errors);
    input
        .entries
        .iter()
        .filter_map(|e| match &e.wanted {
            Wanted::Index(r) => Some(format!("{}{}", r.name, r.specifiers)),
            Wanted::NotIndex { .. } => None,
        })
        .collect()
}

fn pins_expected(dir: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(real(&format!("{dir}/expected-requirements.txt"))).unwrap();
    text.lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim()
        })
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, version) = l.split_once("==").unwrap();
            let name: String = name.to_lowercase().replace(['_', '.'], "-");
            format!("{name}=={version}")
        })
        .collect()
}

#[test]
fn lock_files_pin_what_an_independent_reading_pins() {
    for (dir, file) in [
        ("pytest-dev__pluggy", "uv.lock"),
        ("python-poetry__tomlkit", "poetry.lock"),
        ("sdispater__pastel", "poetry.lock"),
        ("psf__requests-html", "Pipfile.lock"),
        ("frostming__findpython", "pdm.lock"),
        ("pdm-project__pdm-backend", "pdm.lock"),
        ("Fuyukai__h11", "pylock.toml"),
    ] {
        let read = pins_read(&format!("{dir}/{file}"));
        let expected = pins_expected(dir);
        assert!(expected.len() >= 8, "{dir}");
        assert_eq!(read, expected, "{dir}/{file}");
    }
}

#[test]
fn project_files_read_without_errors() {
    for (path, at_least) in [
        ("pallets__flask/pyproject.toml", 7),
        ("pypa__cibuildwheel/pyproject.toml", 12),
        ("langchain-ai__langchain/pyproject.toml", 1),
        ("Textualize__textual/pyproject.toml", 5),
        ("sdispater__pastel/pyproject.toml", 1),
        ("psf__requests-html/Pipfile", 8),
        ("pypa__pipenv/Pipfile", 10),
        ("googlecolab__backend-info/pip-freeze.txt", 460),
    ] {
        let input = read_inputs(&[real(path)], &everything());
        assert!(input.errors.is_empty(), "{path}: {:?}", input.errors);
        assert!(
            input.entries.len() >= at_least,
            "{path}: {} entries",
            input.entries.len()
        );
    }
}
