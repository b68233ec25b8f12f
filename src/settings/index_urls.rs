//! Which index to ask, from the places pip and uv users already keep it, and a note saying which one won.
//!
//! The main index, first source that names one:
//! 1. `--index-url`;
//! 2. `PIP_INDEX_URL`;
//! 3. `UV_DEFAULT_INDEX`, then `UV_INDEX_URL` (uv's newer and older names for the same setting);
//! 4. an `-i`/`--index-url` line in a requirements file;
//! 5. `index-url` in pip's configuration files (`pip_conf`);
//! 6. the default index.
//!
//! Environment variables are set for this shell or this CI job, so they beat a line checked into the project,
//! which beats a machine-wide default in a config file. (pip itself lets a requirements file's `-i` win over
//! everything; muslcheck has always let the command line and `PIP_INDEX_URL` win, and says so in a warning.)
//!
//! Extra indexes: the first of `--extra-index-url`, `PIP_EXTRA_INDEX_URL`, uv's `UV_INDEX` and
//! `UV_EXTRA_INDEX_URL` (together), pip's `extra-index-url` that names any, plus every `--extra-index-url` line
//! of the requirements files. Lists in variables and files are separated by whitespace, as pip splits them.

use std::path::Path;

use url::Url;

use super::pip_conf;
use crate::index::{DEFAULT_INDEX_URL, redact};
use crate::input::Input;

/// What the command line says: `--index-url` and `--extra-index-url`.
#[derive(Debug, Clone, Default)]
pub struct IndexFlags {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
}

/// The indexes to ask and what to tell the user about where they came from.
#[derive(Debug)]
pub struct Chosen {
    pub index: Url,
    pub extras: Vec<Url>,
    /// `index: from PIP_INDEX_URL`: a note for the report (no credentials); none for `--index-url`.
    pub note: Option<String>,
}

/// Picks the indexes. `env` looks up an environment variable; `etc` is where pip's global files live.
pub fn choose(
    flags: &IndexFlags,
    input: &Input,
    env: &dyn Fn(&str) -> Option<String>,
    etc: &Path,
    warnings: &mut Vec<String>,
) -> Result<Chosen, String> {
    for location in &input.options.find_links {
        warnings.push(format!(
            "--find-links {location} in the requirements is not read: files there could change what pip installs"
        ));
    }
    if input.options.no_index {
        warnings.push(
            "--no-index in the requirements is ignored: muslcheck always asks the index".into(),
        );
    }
    let config = pip_conf::load(env, etc);
    let (index, origin) = main_index(flags, input, env, &config, warnings)?;
    let extras = extra_indexes(flags, env, &config)
        .iter()
        .filter(|s| !s.trim().is_empty())
        .chain(input.options.extra_index_urls.iter())
        .map(|s| parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    // The flag the user just typed needs no note; every other source does, since it is not on the screen.
    let note = origin
        .filter(|origin| origin != "--index-url")
        .map(|origin| format!("index: from {origin}"));
    Ok(Chosen {
        index,
        extras,
        note,
    })
}

/// The main index and the name of its source (`None` for the default).
fn main_index(
    flags: &IndexFlags,
    input: &Input,
    env: &dyn Fn(&str) -> Option<String>,
    config: &pip_conf::PipConfig,
    warnings: &mut Vec<String>,
) -> Result<(Url, Option<String>), String> {
    let from_env = ["PIP_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX_URL"]
        .into_iter()
        .find_map(|var| env(var).map(|value| (value, var.to_string())));
    let outside_files = flags
        .index_url
        .clone()
        .map(|url| (url, "--index-url".to_string()))
        .or(from_env);
    Ok(match (outside_files, &input.options.index_url) {
        (Some((url, origin)), Some((_, at))) => {
            warnings.push(format!(
                "{origin} given, so the -i line at {}:{} is not used",
                at.path, at.line
            ));
            (parse(&url)?, Some(origin))
        }
        (Some((url, origin)), None) => (parse(&url)?, Some(origin)),
        (None, Some((url, at))) => (parse(url)?, Some(format!("{}:{}", at.path, at.line))),
        (None, None) => match &config.index_url {
            Some(setting) => (parse(&setting.value)?, Some(setting.origin("index-url"))),
            None => (parse(DEFAULT_INDEX_URL)?, None),
        },
    })
}

/// The extra indexes of the first source outside the requirements files that names any.
fn extra_indexes(
    flags: &IndexFlags,
    env: &dyn Fn(&str) -> Option<String>,
    config: &pip_conf::PipConfig,
) -> Vec<String> {
    let uv = ["UV_INDEX", "UV_EXTRA_INDEX_URL"]
        .into_iter()
        .filter_map(env)
        .collect::<Vec<_>>()
        .join(" ");
    if !flags.extra_index_urls.is_empty() {
        flags.extra_index_urls.clone()
    } else if let Some(list) = env("PIP_EXTRA_INDEX_URL") {
        split(&list)
    } else if !uv.is_empty() {
        // `UV_INDEX` entries may be named: `internal=https://…`.
        split(&uv)
            .into_iter()
            .map(|entry| match entry.split_once('=') {
                Some((name, url)) if !name.contains(':') => url.to_string(),
                _ => entry,
            })
            .collect()
    } else if let Some(setting) = &config.extra_index_url {
        split(&setting.value)
    } else {
        Vec::new()
    }
}

/// The real environment, with empty values treated as unset (as pip and clap treat them).
pub fn real_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn split(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_string).collect()
}

fn parse(s: &str) -> Result<Url, String> {
    Url::parse(s.trim()).map_err(|e| {
        let shown = Url::parse(s)
            .map(|u| redact(&u))
            .unwrap_or_else(|_| "(unparsable URL)".into());
        format!("invalid index URL {shown}: {e}")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::input::{Selection, read_inputs};

    struct Case {
        dir: tempfile::TempDir,
        vars: HashMap<String, String>,
        path: String,
        flags: IndexFlags,
    }

    impl Case {
        fn new(requirements: &str) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("requirements.txt");
            std::fs::write(&path, requirements).unwrap();
            let mut vars = HashMap::new();
            vars.insert("HOME".into(), dir.path().join("home").display().to_string());
            Case {
                path: path.display().to_string(),
                flags: IndexFlags::default(),
                dir,
                vars,
            }
        }
        fn env(mut self, k: &str, v: &str) -> Self {
            self.vars.insert(k.into(), v.into());
            self
        }
        fn index_url_flag(mut self, url: &str) -> Self {
            self.flags.index_url = Some(url.into());
            self
        }
        fn extra_index_url_flag(mut self, url: &str) -> Self {
            self.flags.extra_index_urls.push(url.into());
            self
        }
        fn user_config(self, text: &str) -> Self {
            let file = self.dir.path().join("home/.config/pip/pip.conf");
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
            self
        }
        fn choose(&self) -> (Chosen, Vec<String>) {
            let input = read_inputs(std::slice::from_ref(&self.path), &Selection::default());
            let vars = self.vars.clone();
            let env = move |k: &str| vars.get(k).cloned();
            let mut warnings = Vec::new();
            let etc = self.dir.path().join("etc");
            let chosen = choose(&self.flags, &input, &env, &etc, &mut warnings).unwrap();
            (chosen, warnings)
        }
        fn index(&self) -> (String, String) {
            let (chosen, _) = self.choose();
            (chosen.index.to_string(), chosen.note.unwrap_or_default())
        }
    }

    #[test]
    fn each_source_beats_the_ones_below_it() {
        let case = Case::new("six\n");
        assert_eq!(case.index(), (DEFAULT_INDEX_URL.to_string(), String::new()));
        let case = case.user_config("[global]\nindex-url = http://conf.example/simple/\n");
        let (url, note) = case.index();
        assert_eq!(url, "http://conf.example/simple/");
        assert!(note.starts_with("index: from pip config file "), "{note}");
        assert!(note.ends_with("pip.conf ([global] index-url)"), "{note}");

        let case = Case::new("-i http://file.example/simple/\nsix\n")
            .user_config("[global]\nindex-url = http://conf.example/simple/\n");
        let (url, note) = case.index();
        assert_eq!(url, "http://file.example/simple/");
        assert!(note.ends_with("requirements.txt:1"), "{note}");
        let case = case.env("UV_INDEX_URL", "http://uv-old.example/simple/");
        assert_eq!(case.index().0, "http://uv-old.example/simple/");
        let case = case.env("UV_DEFAULT_INDEX", "http://uv.example/simple/");
        assert_eq!(
            case.index(),
            (
                "http://uv.example/simple/".into(),
                "index: from UV_DEFAULT_INDEX".into()
            )
        );
        let (_, warnings) = case.choose();
        assert_eq!(
            warnings,
            [format!(
                "UV_DEFAULT_INDEX given, so the -i line at {}:1 is not used",
                case.path
            )]
        );
        let case = case.env("PIP_INDEX_URL", "http://pip.example/simple/");
        assert_eq!(case.index().1, "index: from PIP_INDEX_URL");
        let case = case.index_url_flag("http://flag.example/simple/");
        assert_eq!(
            case.index(),
            ("http://flag.example/simple/".into(), String::new())
        );
    }

    #[test]
    fn credentials_never_reach_the_note_or_an_error() {
        let case = Case::new("six\n").env(
            "PIP_INDEX_URL",
            "https://bot:s3cr3t@private.example/simple/",
        );
        let (chosen, _) = case.choose();
        assert!(!chosen.note.unwrap().contains("s3cr3t"));
        let flags = IndexFlags {
            index_url: Some("https://bot:s3cr3t@[bad/simple/".into()),
            extra_index_urls: Vec::new(),
        };
        let input = read_inputs(&[], &Selection::default());
        let err = choose(
            &flags,
            &input,
            &|_| None,
            Path::new("/nonexistent"),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn extra_indexes_come_from_the_first_source_that_names_any_plus_the_files() {
        let urls = |case: &Case| -> Vec<String> {
            case.choose().0.extras.iter().map(Url::to_string).collect()
        };
        let case = Case::new("--extra-index-url http://line.example/\nsix\n").user_config(
            "[install]\nextra-index-url =\n  http://conf-a.example/\n  http://conf-b.example/\n",
        );
        assert_eq!(
            urls(&case),
            [
                "http://conf-a.example/",
                "http://conf-b.example/",
                "http://line.example/"
            ]
        );
        let case = case
            .env(
                "UV_INDEX",
                "internal=http://uv-named.example/ http://uv-plain.example/",
            )
            .env("UV_EXTRA_INDEX_URL", "http://uv-extra.example/");
        assert_eq!(
            urls(&case),
            [
                "http://uv-named.example/",
                "http://uv-plain.example/",
                "http://uv-extra.example/",
                "http://line.example/"
            ]
        );
        let case = case.env(
            "PIP_EXTRA_INDEX_URL",
            "http://pip-a.example/  http://pip-b.example/",
        );
        assert_eq!(
            urls(&case),
            [
                "http://pip-a.example/",
                "http://pip-b.example/",
                "http://line.example/"
            ]
        );
        let case = case.extra_index_url_flag("http://flag.example/");
        assert_eq!(
            urls(&case),
            ["http://flag.example/", "http://line.example/"]
        );
    }
}
