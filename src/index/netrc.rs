//! Credentials from a `.netrc` file, as pip gets them through `requests`: the file `NETRC` names, else
//! `~/.netrc`; the `machine` entry whose name is the request's host (the port is not part of the match), else
//! the `default` entry. Used only for hosts whose index URL carries no credentials of its own.
//!
//! The file is read by `rust-netrc`, a translation of Python's `netrc` module, which requests uses:
//! whitespace-separated tokens, a token may be double-quoted (with `\` escaping the next character), `#`
//! starts a comment, `macdef NAME` is followed by a macro body that runs to the next blank line, `account`
//! values are read and ignored, and a keyword at the end of the file reads as an empty value.

use std::path::{Path, PathBuf};

/// One `machine` or `default` entry.
#[derive(Clone, Default, PartialEq, Eq)]
struct Entry {
    login: String,
    password: String,
}

/// A parsed `.netrc`. Its `Debug` shows the machines only, never a login or password.
#[derive(Clone, Default)]
pub struct Netrc {
    /// By name, so that the lookup below does not depend on the order of a hash map.
    machines: Vec<(String, Entry)>,
    default: Option<Entry>,
}

impl std::fmt::Debug for Netrc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Netrc")
            .field(
                "machines",
                &self.machines.iter().map(|(m, _)| m).collect::<Vec<_>>(),
            )
            .field("default", &self.default.is_some())
            .finish()
    }
}

impl Netrc {
    /// No machine and no default: nothing to send.
    pub fn is_empty(&self) -> bool {
        self.machines.is_empty() && self.default.is_none()
    }

    /// The login and password for `host`: its own entry (the name as written first, else in any case), else
    /// the default entry.
    pub fn credentials(&self, host: &str) -> Option<(String, Option<String>)> {
        let named = |same: &dyn Fn(&str) -> bool| {
            self.machines
                .iter()
                .find(|(machine, _)| same(machine))
                .map(|(_, entry)| entry)
        };
        named(&|m| m == host)
            .or_else(|| named(&|m| m.eq_ignore_ascii_case(host)))
            .or(self.default.as_ref())
            .map(|e| (e.login.clone(), Some(e.password.clone())))
    }

    /// A later entry for the same machine wins, as in Python's `netrc`. The error names the line only: the
    /// parser's own message quotes the word it did not expect, which may be a password that lost its keyword.
    pub fn parse(text: &str) -> Result<Netrc, String> {
        let parsed = text.parse::<netrc::Netrc>().map_err(|e| {
            let text = e.to_string();
            let line = text
                .rsplit_once("(line ")
                .and_then(|(_, n)| n.strip_suffix(')'))
                .and_then(|n| n.parse::<u32>().ok());
            match line {
                Some(line) => format!("line {line} is not netrc as Python's netrc module reads it"),
                None => "it is not netrc as Python's netrc module reads it".to_string(),
            }
        })?;
        let mut netrc = Netrc::default();
        for (name, auth) in parsed.hosts {
            let entry = Entry {
                login: auth.login,
                password: auth.password,
            };
            // Python's `netrc` keeps the `default` entry under that name too.
            if name == "default" {
                netrc.default = Some(entry);
            } else {
                netrc.machines.push((name, entry));
            }
        }
        netrc.machines.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(netrc)
    }
}

/// The netrc file to read: `NETRC`, else `~/.netrc`; `None` when it does not exist.
pub fn locate(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    // requests takes `NETRC` alone when set, else `~/.netrc` then `~/_netrc`, each through `expanduser`.
    let candidates: Vec<String> = match env("NETRC") {
        Some(path) => vec![path],
        None => vec!["~/.netrc".into(), "~/_netrc".into()],
    };
    candidates
        .iter()
        .filter_map(|path| expand_user(path, env))
        .find(|path| path.is_file())
}

/// `~` or `~/…` with the home directory in front, as Python's `os.path.expanduser` gives it from `HOME`;
/// any other path as it is. `None` for a `~` path without a home.
fn expand_user(path: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match path.strip_prefix('~') {
        Some("") => env("HOME").map(PathBuf::from),
        Some(rest) if rest.starts_with('/') => {
            Some(Path::new(&env("HOME")?).join(rest.trim_start_matches('/')))
        }
        _ => Some(PathBuf::from(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(netrc: &Netrc, host: &str) -> Option<(String, String)> {
        netrc
            .credentials(host)
            .map(|(l, p)| (l, p.unwrap_or_default()))
    }

    #[test]
    fn machines_are_matched_by_host_and_default_catches_the_rest() {
        let netrc = Netrc::parse(
            "# private indexes\nmachine pkgs.example.com login first password replaced\n\
             machine other.example\n  login \"me too\"\n  password \"p\\\"w d\" # trailing comment\n\
             machine pkgs.example.com login ci password s3cr3t\n\
             default login anon password guest\n",
        )
        .unwrap();
        assert_eq!(
            creds(&netrc, "pkgs.example.com"),
            Some(("ci".into(), "s3cr3t".into()))
        );
        assert_eq!(
            creds(&netrc, "PKGS.example.com"),
            Some(("ci".into(), "s3cr3t".into()))
        );
        assert_eq!(
            creds(&netrc, "other.example"),
            Some(("me too".into(), "p\"w d".into()))
        );
        assert_eq!(
            creds(&netrc, "elsewhere.example"),
            Some(("anon".into(), "guest".into()))
        );
        let debug = format!("{netrc:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("guest"),
            "{debug}"
        );
    }

    #[test]
    fn macros_and_accounts_are_skipped_and_no_default_means_none() {
        let netrc = Netrc::parse(
            "macdef init\ncd /pub\nbinary\n\nmachine a.example account acct login u password p\n",
        )
        .unwrap();
        assert_eq!(creds(&netrc, "a.example"), Some(("u".into(), "p".into())));
        assert_eq!(creds(&netrc, "b.example"), None);
        let login_only = Netrc::parse("machine a.example login u").unwrap();
        assert_eq!(
            creds(&login_only, "a.example"),
            Some(("u".into(), String::new()))
        );
    }

    #[test]
    fn a_broken_file_is_an_error_that_quotes_nothing() {
        for text in [
            "login u password p",
            "machine",
            "machine a hunter2 x",
            "machine a login u hunter2",
            // Python's `netrc` knows no `passwd`, so neither pip nor muslcheck reads this file.
            "machine a passwd hunter2",
        ] {
            let err = Netrc::parse(text).unwrap_err();
            assert!(!err.contains("hunter2"), "{text}: {err}");
        }
        assert_eq!(
            Netrc::parse("machine a login u\n\nhunter2").unwrap_err(),
            "line 3 is not netrc as Python's netrc module reads it"
        );
    }

    #[test]
    fn a_keyword_at_the_end_reads_as_an_empty_value_as_in_python() {
        let netrc = Netrc::parse("machine a.example login u password").unwrap();
        assert_eq!(
            creds(&netrc, "a.example"),
            Some(("u".into(), String::new()))
        );
    }

    #[test]
    fn netrc_variable_beats_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().display().to_string();
        assert_eq!(locate(&|k| (k == "HOME").then(|| home.clone())), None);
        std::fs::write(dir.path().join(".netrc"), "default login a password b").unwrap();
        assert_eq!(
            locate(&|k| (k == "HOME").then(|| home.clone())),
            Some(dir.path().join(".netrc"))
        );
        let other = dir.path().join("other");
        std::fs::write(&other, "").unwrap();
        let named = other.display().to_string();
        let env = |k: &str| match k {
            "HOME" => Some(home.clone()),
            "NETRC" => Some(named.clone()),
            _ => None,
        };
        assert_eq!(locate(&env), Some(other));
    }

    /// As requests finds it: `NETRC` through `expanduser`, and `~/_netrc` when there is no `~/.netrc`.
    #[test]
    fn a_home_relative_netrc_and_the_underscore_name_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().display().to_string();
        let only_home = |k: &str| (k == "HOME").then(|| home.clone());
        std::fs::write(dir.path().join("_netrc"), "default login a password b").unwrap();
        assert_eq!(locate(&only_home), Some(dir.path().join("_netrc")));
        std::fs::write(dir.path().join("creds"), "").unwrap();
        let tilde = |k: &str| match k {
            "HOME" => Some(home.clone()),
            "NETRC" => Some("~/creds".to_string()),
            _ => None,
        };
        assert_eq!(locate(&tilde), Some(dir.path().join("creds")));
        // `NETRC` set to a file that is not there: nothing, not the home file.
        let missing = |k: &str| match k {
            "HOME" => Some(home.clone()),
            "NETRC" => Some("~/absent".to_string()),
            _ => None,
        };
        assert_eq!(locate(&missing), None);
    }
}
