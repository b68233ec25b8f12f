//! `index-url` and `extra-index-url` from pip's configuration files, read as pip reads them, so that a pip
//! user's private index is asked without repeating it on the command line.
//!
//! pip's order (its `Configuration` class), each later file overriding an earlier one:
//! 1. global: `pip/pip.conf` in every directory of `XDG_CONFIG_DIRS` (default `/etc/xdg`), then `/etc/pip.conf`;
//! 2. user: `~/.pip/pip.conf` (legacy), then `$XDG_CONFIG_HOME/pip/pip.conf` (default `~/.config/pip/pip.conf`),
//!    skipped when `PIP_CONFIG_FILE` names a file that exists;
//! 3. site: `$VIRTUAL_ENV/pip.conf`;
//! 4. the file `PIP_CONFIG_FILE` names.
//!
//! `PIP_CONFIG_FILE=/dev/null` (`os.devnull`) turns every file off. Within the merged result a key of the
//! `[install]` section beats the same key of `[global]`, whichever file each came from (pip's
//! `override_order`). Keys are compared as pip compares them: lower case, `_` and `-` alike.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One value and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub file: PathBuf,
    pub section: String,
}

impl Setting {
    /// `~/.config/pip/pip.conf ([install] index-url)` as a note may print it.
    pub fn origin(&self, key: &str) -> String {
        format!(
            "pip config file {} ([{}] {key})",
            self.file.display(),
            self.section
        )
    }
}

/// What muslcheck takes from pip's configuration.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PipConfig {
    pub index_url: Option<Setting>,
    /// Whitespace-separated URLs, as pip splits an `append` option read from a file.
    pub extra_index_url: Option<Setting>,
}

/// Reads pip's files. `env` looks up an environment variable (empty counts as unset); `etc` is `/etc` except in
/// tests, which never read the machine's files.
pub fn load(env: &dyn Fn(&str) -> Option<String>, etc: &Path) -> PipConfig {
    let mut merged: HashMap<(String, String), Setting> = HashMap::new();
    for file in config_files(env, etc) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (section, key, value) in parse_ini(&text) {
            let setting = Setting {
                value,
                file: file.clone(),
                section: section.clone(),
            };
            merged.insert((section, key), setting);
        }
    }
    let pick = |key: &str| {
        ["install", "global"]
            .iter()
            .find_map(|section| merged.get(&(section.to_string(), key.to_string())))
            .filter(|s| !s.value.trim().is_empty())
            .cloned()
    };
    PipConfig {
        index_url: pick("index-url"),
        extra_index_url: pick("extra-index-url"),
    }
}

/// The files pip would read, in pip's order (later ones override earlier ones).
fn config_files(env: &dyn Fn(&str) -> Option<String>, etc: &Path) -> Vec<PathBuf> {
    let env_file = env("PIP_CONFIG_FILE").map(PathBuf::from);
    if env_file.as_deref() == Some(Path::new("/dev/null")) {
        return Vec::new();
    }
    let mut files = Vec::new();
    let xdg_dirs = env("XDG_CONFIG_DIRS").unwrap_or_else(|| etc.join("xdg").display().to_string());
    files.extend(
        xdg_dirs
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| Path::new(d).join("pip").join("pip.conf")),
    );
    files.push(etc.join("pip.conf"));
    // pip skips the user files only when PIP_CONFIG_FILE names a file that exists.
    if !env_file.as_deref().is_some_and(Path::exists) {
        let home = env("HOME").map(PathBuf::from);
        if let Some(home) = &home {
            files.push(home.join(".pip").join("pip.conf"));
        }
        let config_home = env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".config")));
        if let Some(dir) = config_home {
            files.push(dir.join("pip").join("pip.conf"));
        }
    }
    if let Some(venv) = env("VIRTUAL_ENV") {
        files.push(Path::new(&venv).join("pip.conf"));
    }
    files.extend(env_file);
    files
}

/// pip reads its files with Python's `RawConfigParser`, and the `configparser` crate, set up so, follows it
/// where these settings need it: `[section]` headers (names case-sensitive, so `[Global]` is not pip's
/// `[global]`), `key = value` or `key: value`, whole-line `#` and `;` comments only (a `#` inside a URL stays),
/// and lines indented deeper than their key continue its value, joined with newlines, a comment among them
/// left out. Keys are normalized as pip does (`index_url` is `index-url`); the `--` some people write in front
/// is dropped too. `[DEFAULT]` gives its keys to the file's other sections, as Python's parser does. Lines
/// before the first header, and keys without a value, are not read. A file the crate
/// cannot read at all (a `[` without `]`, a line that starts with `=`) gives nothing: pip refuses it too.
fn parse_ini(text: &str) -> Vec<(String, String, String)> {
    // A name no header gives (header names are trimmed): where the lines before the first header go.
    const BEFORE_ANY_HEADER: &str = " ";
    let mut defaults = configparser::ini::IniDefault::default();
    defaults.default_section = BEFORE_ANY_HEADER.to_string();
    defaults.case_sensitive = true;
    defaults.multiline = true;
    defaults.enable_inline_comments = false;
    let mut parser = configparser::ini::Ini::new_from_defaults(defaults);
    let Ok(sections) = parser.read(text.to_string()) else {
        return Vec::new();
    };
    let normalized = |key: &str| {
        key.trim_start_matches("--")
            .to_lowercase()
            .replace('_', "-")
    };
    // Python's `[DEFAULT]` section gives its keys to every other section of the same file that does not set
    // them itself (pip reads `parser.items(section)`), and is no section of its own.
    let mut inherited: Vec<(String, String)> = sections
        .get(PYTHON_DEFAULT)
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((normalized(key), value.clone()?)))
        .collect();
    inherited.sort();
    let mut out = Vec::new();
    let mut names: Vec<&String> = sections.keys().collect();
    names.sort();
    for section in names {
        if section == BEFORE_ANY_HEADER || section == PYTHON_DEFAULT {
            continue;
        }
        let own: Vec<(String, String)> = sections[section]
            .iter()
            .filter_map(|(key, value)| Some((normalized(key), value.clone()?)))
            .collect();
        for (key, value) in &inherited {
            if !own.iter().any(|(k, _)| k == key) {
                out.push((section.clone(), key.clone(), value.clone()));
            }
        }
        out.extend(
            own.into_iter()
                .map(|(key, value)| (section.clone(), key, value)),
        );
    }
    out
}

/// The section whose keys Python's configparser gives to every other section.
const PYTHON_DEFAULT: &str = "DEFAULT";

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A fake machine: `/etc`, a home directory and a virtualenv under one temporary directory.
    struct Machine {
        root: tempfile::TempDir,
        vars: HashMap<String, String>,
    }

    impl Machine {
        fn new() -> Self {
            let root = tempfile::tempdir().unwrap();
            let mut vars = HashMap::new();
            vars.insert(
                "HOME".into(),
                root.path().join("home").display().to_string(),
            );
            Machine { root, vars }
        }
        fn path(&self, rel: &str) -> PathBuf {
            self.root.path().join(rel)
        }
        fn set(&mut self, key: &str, value: &str) {
            self.vars.insert(key.into(), value.into());
        }
        fn load(&self) -> PipConfig {
            let vars = self.vars.clone();
            load(&move |k| vars.get(k).cloned(), &self.path("etc"))
        }
    }

    fn index(m: &Machine) -> Option<(String, String)> {
        m.load().index_url.map(|s| {
            let rel = s
                .file
                .strip_prefix(m.root.path())
                .unwrap()
                .display()
                .to_string();
            (s.value, rel)
        })
    }

    #[test]
    fn later_files_override_earlier_ones_in_pips_order() {
        let mut m = Machine::new();
        assert_eq!(m.load(), PipConfig::default());
        let conf = |url: &str| format!("[global]\nindex-url = {url}\n");
        write(
            &m.path("etc/xdg/pip/pip.conf"),
            &conf("http://xdg.example/"),
        );
        assert_eq!(index(&m).unwrap().1, "etc/xdg/pip/pip.conf");
        write(&m.path("etc/pip.conf"), &conf("http://etc.example/"));
        assert_eq!(index(&m).unwrap().0, "http://etc.example/");
        write(
            &m.path("home/.pip/pip.conf"),
            &conf("http://legacy.example/"),
        );
        assert_eq!(index(&m).unwrap().0, "http://legacy.example/");
        write(
            &m.path("home/.config/pip/pip.conf"),
            &conf("http://user.example/"),
        );
        assert_eq!(index(&m).unwrap().0, "http://user.example/");
        m.set("XDG_CONFIG_HOME", &m.path("xdg-home").display().to_string());
        assert_eq!(index(&m).unwrap().0, "http://legacy.example/");
        write(
            &m.path("xdg-home/pip/pip.conf"),
            &conf("http://xdghome.example/"),
        );
        assert_eq!(index(&m).unwrap().0, "http://xdghome.example/");
        write(&m.path("venv/pip.conf"), &conf("http://site.example/"));
        m.set("VIRTUAL_ENV", &m.path("venv").display().to_string());
        assert_eq!(index(&m).unwrap().0, "http://site.example/");
        write(&m.path("env.conf"), &conf("http://env.example/"));
        m.set("PIP_CONFIG_FILE", &m.path("env.conf").display().to_string());
        assert_eq!(
            index(&m).unwrap(),
            ("http://env.example/".into(), "env.conf".into())
        );
        m.set("PIP_CONFIG_FILE", "/dev/null");
        assert_eq!(
            m.load(),
            PipConfig::default(),
            "os.devnull turns every file off"
        );
    }

    #[test]
    fn an_existing_pip_config_file_skips_the_user_files_only() {
        let mut m = Machine::new();
        write(
            &m.path("etc/pip.conf"),
            "[install]\nindex-url = http://etc.example/\n",
        );
        write(
            &m.path("home/.config/pip/pip.conf"),
            "[install]\nindex-url = http://user.example/\n",
        );
        write(&m.path("env.conf"), "[global]\ntimeout = 5\n");
        m.set("PIP_CONFIG_FILE", &m.path("env.conf").display().to_string());
        assert_eq!(index(&m).unwrap().0, "http://etc.example/");
        m.set(
            "PIP_CONFIG_FILE",
            &m.path("absent.conf").display().to_string(),
        );
        assert_eq!(index(&m).unwrap().0, "http://user.example/");
    }

    #[test]
    fn install_beats_global_whichever_file_it_is_in() {
        let m = Machine::new();
        write(
            &m.path("etc/pip.conf"),
            "[install]\nindex_url: http://install.example/\n",
        );
        write(
            &m.path("home/.config/pip/pip.conf"),
            "# a comment\n[global]\nindex-url = http://global.example/\n; another\n\
             [freeze]\nindex-url = http://freeze.example/\n",
        );
        let config = m.load();
        let setting = config.index_url.unwrap();
        assert_eq!(setting.value, "http://install.example/");
        assert_eq!(setting.section, "install");
        assert!(
            setting
                .origin("index-url")
                .ends_with("pip.conf ([install] index-url)")
        );
    }

    /// Checked against Python's `RawConfigParser`: `[DEFAULT]`'s keys reach every section of its file that
    /// does not set them, and a file with `[DEFAULT]` alone has no section.
    #[test]
    fn default_gives_its_keys_to_the_files_other_sections() {
        let m = Machine::new();
        write(
            &m.path("etc/pip.conf"),
            "[DEFAULT]\nindex_url = http://default.example/\nextra-index-url = http://extra.example/\n\
             [global]\n[install]\nindex-url = http://install.example/\n",
        );
        let config = m.load();
        assert_eq!(config.index_url.unwrap().value, "http://install.example/");
        let extra = config.extra_index_url.unwrap();
        assert_eq!(
            (extra.value.as_str(), extra.section.as_str()),
            ("http://extra.example/", "install")
        );
        let alone = Machine::new();
        write(
            &alone.path("etc/pip.conf"),
            "[DEFAULT]\nindex-url = http://default.example/\n",
        );
        assert_eq!(alone.load(), PipConfig::default());
        // Another file's sections do not inherit it.
        let apart = Machine::new();
        write(
            &apart.path("etc/pip.conf"),
            "[DEFAULT]\nindex-url = http://default.example/\n",
        );
        write(
            &apart.path("home/.config/pip/pip.conf"),
            "[global]\ntimeout = 5\n",
        );
        assert_eq!(apart.load().index_url, None);
    }

    #[test]
    fn extra_index_urls_span_continuation_lines() {
        let parsed = parse_ini(
            "[global]\nextra-index-url =\n    http://a.example/simple\n\thttp://b.example/simple\n\
             trusted-host = a.example\n",
        );
        assert_eq!(
            parsed,
            [
                (
                    "global".into(),
                    "extra-index-url".into(),
                    "\nhttp://a.example/simple\nhttp://b.example/simple".into()
                ),
                ("global".into(), "trusted-host".into(), "a.example".into()),
            ]
        );
        assert!(parse_ini("index-url = http://no-section.example/\n").is_empty());
        assert_eq!(
            parse_ini("[Global]\nIndex_URL = x\n")[0],
            ("Global".into(), "index-url".into(), "x".into())
        );
    }

    /// What Python's `RawConfigParser` reads from each of these (checked against CPython 3).
    #[test]
    fn reads_as_pythons_configparser_does() {
        let one = |text: &str| {
            parse_ini(text)
                .into_iter()
                .map(|(_, k, v)| (k, v))
                .collect::<Vec<_>>()
        };
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        // A comment among continuation lines leaves the value going on.
        assert_eq!(
            one(
                "[global]\nextra-index-url =\n    http://a.example/simple\n# note\n    http://b.example/simple\n"
            ),
            [pair(
                "extra-index-url",
                "\nhttp://a.example/simple\nhttp://b.example/simple"
            )]
        );
        // A line continues a value only when indented deeper than its key.
        assert_eq!(
            one("[global]\n  index-url = http://a.example/\n  timeout = 5\n"),
            [pair("index-url", "http://a.example/"), pair("timeout", "5")]
        );
        // No inline comments.
        assert_eq!(
            one("[global]\nindex-url = http://a.example/#frag ; kept\n"),
            [pair("index-url", "http://a.example/#frag ; kept")]
        );
    }
}
