//! Which format a file is in (by its name, then by its content), which file of a directory to read (the way a
//! person would: a lock file first, then pyproject.toml, then requirements*.txt), and reading them all.

use std::path::{Path, PathBuf};

use super::{Input, InputError, Selection, lock, pipfile, pyproject, read_requirement_files};

/// The dependency file formats muslcheck reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Requirements,
    Pyproject,
    Pipfile,
    UvLock,
    PoetryLock,
    PdmLock,
    Pylock,
    PipfileLock,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Requirements,
        Format::Pyproject,
        Format::Pipfile,
        Format::UvLock,
        Format::PoetryLock,
        Format::PdmLock,
        Format::Pylock,
        Format::PipfileLock,
    ];

    /// A lock file: it lists the whole resolved tree.
    pub fn is_lock(self) -> bool {
        !matches!(
            self,
            Format::Requirements | Format::Pyproject | Format::Pipfile
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Requirements => "requirements",
            Format::Pyproject => "pyproject.toml",
            Format::Pipfile => "Pipfile",
            Format::UvLock => "uv.lock",
            Format::PoetryLock => "poetry.lock",
            Format::PdmLock => "pdm.lock",
            Format::Pylock => "pylock.toml",
            Format::PipfileLock => "Pipfile.lock",
        }
    }

    /// By file name alone; `None` for names that say nothing (then the content decides).
    fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "pyproject.toml" => Format::Pyproject,
            "Pipfile" => Format::Pipfile,
            "uv.lock" => Format::UvLock,
            "poetry.lock" => Format::PoetryLock,
            "pdm.lock" => Format::PdmLock,
            "Pipfile.lock" => Format::PipfileLock,
            // PEP 751: `pylock.toml` or `pylock.<name>.toml`.
            n if n == "pylock.toml" || (n.starts_with("pylock.") && n.ends_with(".toml")) => {
                Format::Pylock
            }
            _ => return None,
        })
    }

    /// By content, for files whose name does not tell (`deps.lock`, `requirements.lock`, …).
    fn sniff(text: &str) -> Format {
        let has = |s: &str| text.contains(s);
        if text.trim_start().starts_with('{') && has("\"_meta\"") {
            Format::PipfileLock
        } else if has("[[packages]]") && has("lock-version") {
            Format::Pylock
        } else if has("[[package]]") && has("content-hash") && has("lock-version") {
            Format::PoetryLock
        } else if has("[[package]]") && has("lock_version") {
            Format::PdmLock
        } else if has("[[package]]")
            && has("requires-python")
            && text.lines().any(|l| l.starts_with("version = "))
        {
            Format::UvLock
        } else if has("[project]") || has("[tool.poetry") || has("[dependency-groups]") {
            Format::Pyproject
        } else if has("[packages]") || has("[dev-packages]") {
            Format::Pipfile
        } else {
            Format::Requirements
        }
    }
}

/// The files a directory is checked by, best first: lock files (they pin everything), then the project's
/// declared dependencies, then requirements files.
const DIRECTORY_ORDER: [&str; 8] = [
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pylock.toml",
    "Pipfile.lock",
    "pyproject.toml",
    "Pipfile",
    "requirements.txt",
];

/// The file of a directory to check, with the other dependency files the directory holds (not read, named in
/// the report), or why there is none.
pub fn find_in_directory(dir: &Path) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let mut found: Vec<PathBuf> = DIRECTORY_ORDER
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        // A pyproject.toml that only configures tools declares no dependencies to check.
        .filter(|path| {
            !path.ends_with("pyproject.toml") || {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                ["dependencies", "dependency-groups"]
                    .iter()
                    .any(|k| text.contains(k))
            }
        })
        .collect();
    let mut others: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("requirements")
                && name.ends_with(".txt")
                && name != "requirements.txt"
                && p.is_file()
        })
        .collect();
    others.sort();
    found.extend(others);
    if found.is_empty() {
        return Err(format!(
            "no dependency file in {} (looked for {}, requirements*.txt)",
            dir.display(),
            DIRECTORY_ORDER[..7].join(", ")
        ));
    }
    let chosen = found.remove(0);
    Ok((chosen, found))
}

/// Reads every argument (files, directories, `-` for stdin; none means the current directory).
pub fn read_inputs(arguments: &[String], selection: &Selection) -> Input {
    let mut input = Input::default();
    let arguments: Vec<String> = if arguments.is_empty() {
        vec![".".to_string()]
    } else {
        arguments.to_vec()
    };
    let mut requirement_files = Vec::new();
    for argument in &arguments {
        let path = if argument != "-" && Path::new(argument).is_dir() {
            match find_in_directory(Path::new(argument)) {
                Ok((found, others)) => {
                    if !others.is_empty() {
                        let names = others
                            .iter()
                            .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
                            .collect();
                        input.passed_over.push((argument.clone(), names));
                    }
                    found
                }
                Err(message) => {
                    input.errors.push(InputError {
                        path: argument.clone(),
                        line: None,
                        column: None,
                        message,
                    });
                    continue;
                }
            }
        } else {
            PathBuf::from(argument)
        };
        let shown = if argument == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let by_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(Format::from_name);
        let text = match (argument.as_str(), by_name) {
            // Requirements files are read by their own reader (includes, stdin).
            ("-", _) => None,
            _ => match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Some(text),
                    Err(_) => {
                        input
                            .errors
                            .push(file_error(&shown, format!("{shown} is not UTF-8 text")));
                        continue;
                    }
                },
                Err(e) => {
                    input
                        .errors
                        .push(file_error(&shown, format!("cannot read {shown}: {e}")));
                    continue;
                }
            },
        };
        let format = match (&text, by_name) {
            (_, Some(f)) => f,
            (Some(t), None) => Format::sniff(t),
            (None, None) => Format::Requirements,
        };
        input.files.push((shown.clone(), format));
        let text = text.unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match format {
            Format::Requirements => requirement_files.push(if argument == "-" {
                "-".to_string()
            } else {
                shown
            }),
            other => read_toml_or_json(other, &shown, text, selection, &mut input),
        }
    }
    if !requirement_files.is_empty() {
        let read = read_requirement_files(&requirement_files);
        input.entries.extend(read.entries);
        input.constraints.extend(read.constraints);
        input.errors.extend(read.errors);
        input.options = read.options;
    }
    bound(&mut input);
    input
}

/// The most requirements one run checks: hundreds of times what real projects list (about 800 for a large
/// application), so that a file of millions of lines costs seconds and megabytes, not minutes and gigabytes.
pub const MAX_REQUIREMENTS: usize = 100_000;

/// Keeps the first [`MAX_REQUIREMENTS`] requirements; the first one left out is an error at its line.
fn bound(input: &mut Input) {
    if input.entries.len() <= MAX_REQUIREMENTS {
        return;
    }
    let first = &input.entries[MAX_REQUIREMENTS].source;
    let left = input.entries.len() - MAX_REQUIREMENTS;
    input.errors.push(InputError {
        path: first.path.clone(),
        line: Some(first.line),
        column: None,
        message: format!(
            "more than {MAX_REQUIREMENTS} requirements: this one and the {} after it are not checked",
            left - 1
        ),
    });
    input.entries.truncate(MAX_REQUIREMENTS);
    input.entries.shrink_to_fit();
}

/// Reads one file's text in a format other than requirements (which has its own reader, for includes).
fn read_toml_or_json(
    format: Format,
    path: &str,
    text: &str,
    selection: &Selection,
    input: &mut Input,
) {
    match format {
        Format::Pyproject => pyproject::read(path, text, selection, input),
        Format::Pipfile => pipfile::read_pipfile(path, text, selection, input),
        Format::PipfileLock => pipfile::read_lock(path, text, selection, input),
        Format::UvLock => lock::uv::read(path, text, selection, input),
        Format::PoetryLock => lock::poetry::read(path, text, selection, input),
        Format::PdmLock => lock::pdm::read(path, text, selection, input),
        Format::Pylock => lock::pylock::read(path, text, selection, input),
        Format::Requirements => super::requirements_txt::read_text(path, text, input),
    }
}

/// Reads text as `format`, touching no file: for the fuzz targets and the robustness tests. A requirements
/// text's includes are resolved against the current directory.
pub fn read_text(format: Format, text: &str, selection: &Selection) -> Input {
    let mut input = Input::default();
    read_toml_or_json(format, format.as_str(), text, selection, &mut input);
    input
}

fn file_error(path: &str, message: String) -> InputError {
    InputError {
        path: path.to_string(),
        line: None,
        column: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_checks_at_most_the_bound_and_names_the_first_line_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, "six==1.16.0\n".repeat(MAX_REQUIREMENTS + 3)).unwrap();
        let shown = path.display().to_string();
        let input = read_inputs(std::slice::from_ref(&shown), &Selection::default());
        assert_eq!(input.entries.len(), MAX_REQUIREMENTS);
        assert_eq!(input.errors.len(), 1);
        let error = &input.errors[0];
        assert_eq!(
            (error.path.as_str(), error.line),
            (shown.as_str(), Some(MAX_REQUIREMENTS + 1))
        );
        assert!(
            error.message.contains("and the 2 after it"),
            "{}",
            error.message
        );
    }

    #[test]
    fn formats_by_name_then_content() {
        assert_eq!(Format::from_name("pylock.prod.toml"), Some(Format::Pylock));
        assert_eq!(Format::from_name("requirements.txt"), None);
        assert_eq!(
            Format::sniff("{\n \"_meta\": {}, \"default\": {}}"),
            Format::PipfileLock
        );
        assert_eq!(
            Format::sniff("version = 1\nrequires-python = \">=3.9\"\n[[package]]\n"),
            Format::UvLock
        );
        assert_eq!(
            Format::sniff("[[package]]\n[metadata]\nlock-version = \"2.0\"\ncontent-hash = \"x\""),
            Format::PoetryLock
        );
        assert_eq!(
            Format::sniff("[metadata]\nlock_version = \"4.4\"\n[[package]]\n"),
            Format::PdmLock
        );
        assert_eq!(
            Format::sniff("[project]\ndependencies = []"),
            Format::Pyproject
        );
        assert_eq!(Format::sniff("numpy==2.1.3\n"), Format::Requirements);
    }

    #[test]
    fn a_directory_is_read_by_its_best_file() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let found = |dir: &Path| {
            let (chosen, others) = find_in_directory(dir).unwrap();
            let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
            (name(&chosen), others.iter().map(name).collect::<Vec<_>>())
        };
        write("requirements-dev.txt", "pytest\n");
        assert_eq!(found(dir.path()), ("requirements-dev.txt".into(), vec![]));
        write("requirements.txt", "six\n");
        assert_eq!(
            found(dir.path()),
            (
                "requirements.txt".into(),
                vec!["requirements-dev.txt".into()]
            )
        );
        write("pyproject.toml", "[tool.ruff]\nline-length = 100\n");
        assert_eq!(
            found(dir.path()).0,
            "requirements.txt",
            "tool-only pyproject"
        );
        write(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"six\"]\n",
        );
        assert_eq!(
            found(dir.path()),
            (
                "pyproject.toml".into(),
                vec!["requirements.txt".into(), "requirements-dev.txt".into()]
            )
        );
        write("poetry.lock", "");
        write("uv.lock", "");
        assert_eq!(
            found(dir.path()),
            (
                "uv.lock".into(),
                vec![
                    "poetry.lock".into(),
                    "pyproject.toml".into(),
                    "requirements.txt".into(),
                    "requirements-dev.txt".into()
                ]
            )
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(
            find_in_directory(empty.path())
                .unwrap_err()
                .contains("no dependency file")
        );
    }
}
