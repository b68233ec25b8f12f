//! No input may panic or hang a parser: every format's fixtures, mutated a few thousand times with a fixed
//! seed (deleted, inserted and duplicated pieces, truncation), must come back as requirements and errors.
//! The cargo-fuzz targets in `fuzz/` do the same with coverage guidance, without a bound.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use muslcheck::input::{Format, Selection, read_text};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: [&str; 24] = [
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    ",",
    ".",
    "#",
    "\\",
    "\n",
    " ",
    ";",
    "<",
    ">",
    "~",
    "^",
    "*",
    "@",
    ":",
    "[[package]]\n",
    "extra == 'x'",
    "\u{e9}",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 => {
                let end = (at + rng.below(20)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                chars.splice(at..at, piece.chars());
            }
            2 => {
                let end = (at + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy);
            }
            3 => chars.truncate(at),
            _ => {
                if let Some(c) = chars.get_mut(at) {
                    *c = PIECES[rng.below(PIECES.len())]
                        .chars()
                        .next()
                        .unwrap_or(' ');
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn fixture_files() -> Vec<(Format, String)> {
    let formats = common::fixtures().join("formats");
    let mut files = Vec::new();
    let mut dirs = vec![formats];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_str().unwrap();
            let format = match name {
                "pyproject.toml" => Format::Pyproject,
                "Pipfile" => Format::Pipfile,
                "Pipfile.lock" => Format::PipfileLock,
                "uv.lock" => Format::UvLock,
                "poetry.lock" => Format::PoetryLock,
                "pdm.lock" => Format::PdmLock,
                n if n.starts_with("pylock") && n.ends_with(".toml") => Format::Pylock,
                n if n.ends_with(".txt") => Format::Requirements,
                _ => continue,
            };
            files.push((format, std::fs::read_to_string(&path).unwrap()));
        }
    }
    files
}

#[test]
fn mutated_inputs_never_panic() {
    let selection = Selection {
        all_extras: true,
        all_groups: true,
        dev: true,
        ..Default::default()
    };
    let files = fixture_files();
    assert!(files.len() >= 9, "the fixtures of every format are found");
    let mut rng = Rng(0x6d75_736c_6368_6b21);
    let mut parsed = 0;
    for (format, text) in &files {
        for _ in 0..300 {
            let mutated = mutate(text, &mut rng);
            // Every format's reader is tried on every text: a lock file read as a pyproject must fail cleanly.
            let format = if rng.below(4) == 0 {
                Format::ALL[rng.below(Format::ALL.len())]
            } else {
                *format
            };
            let result = catch_unwind(AssertUnwindSafe(|| read_text(format, &mutated, &selection)));
            assert!(
                result.is_ok(),
                "{} reader panicked on:\n{mutated}",
                format.as_str()
            );
            parsed += 1;
        }
    }
    assert!(parsed >= 2700);
}

#[test]
fn empty_and_binary_like_inputs() {
    let selection = Selection::default();
    for format in Format::ALL {
        for text in [
            "",
            "\u{0}",
            "\u{feff}",
            "[[[[",
            "{\"_meta\": 1}",
            "lock-version = 1",
            "version = \"1\"",
        ] {
            let input = read_text(format, text, &selection);
            assert!(input.entries.len() <= 1, "{}: {text:?}", format.as_str());
        }
    }
}

/// The Dockerfile reader and the image-reference parser: every Dockerfile fixture mutated, with build
/// arguments, and every `FROM` operand mutated on its own.
#[test]
fn mutated_dockerfiles_never_panic() {
    use muslcheck::image::{dockerfile, target_of};
    use muslcheck::target::Arch;
    let dir = common::fixtures().join("dockerfiles");
    let texts: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "Dockerfile"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(texts.len() >= 15, "the Dockerfile fixtures are found");
    let build_args = vec![("PYTHON_VERSION".to_string(), "3.13".to_string())];
    let mut rng = Rng(0x646f_636b_6572_2121);
    let mut checked = 0;
    for text in &texts {
        for _ in 0..200 {
            let mutated = mutate(text, &mut rng);
            let result = catch_unwind(AssertUnwindSafe(|| {
                dockerfile::targets("Dockerfile", &mutated, &build_args, &[Arch::Aarch64])
            }));
            assert!(
                result.is_ok(),
                "the Dockerfile reader panicked on:\n{mutated}"
            );
            let reference = mutate(
                "registry.example.com:5000/library/python:3.12.7-alpine3.20@sha256:ab",
                &mut rng,
            );
            let result = catch_unwind(AssertUnwindSafe(|| target_of(&reference, None)));
            assert!(result.is_ok(), "target_of panicked on {reference:?}");
            checked += 1;
        }
    }
    assert!(checked >= 3000);
}
