//! Credentials from a `.netrc` file, as pip gets them through `requests`: the file `NETRC` names, else
//! `~/.netrc`; the `machine` entry whose name is the request's host (the port is not part of the match), else
//! the `default` entry. Used only for hosts whose index URL carries no credentials of its own.
//!
//! The grammar is Python's `netrc` module's: whitespace-separated tokens, a token may be double-quoted (with
//! `\` escaping the next character), `#` starts a comment to the end of the line, `macdef NAME` is followed by
//! a macro body that runs to the next blank line, and `account` values are read and ignored.

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
    /// The login and password for `host`: its own entry, else
    /// the default entry.
    /// No machine and no default: nothing to send.
    pub fn is_empty(&self) -> bool {
        self.machines.is_empty() && self.default.is_none()
    }

    pub fn credentials(&self, host: &str) -> Option<(String, Option<String>)> {
        self.machines
            .iter()
            .find(|(machine, _)| machine.eq_ignore_ascii_case(host))
            .map(|(_, entry)| entry)
            .or(self.default.as_ref())
            .map(|e| (e.login.clone(), Some(e.password.clone())))
    }

    pub fn parse(text: &str) -> Result<Netrc, String> {
        let mut netrc = Netrc::default();
        let mut tokens = Tokens { rest: text };
        // The entry being filled: its machine name (None for `default`) and its fields.
        let mut current: Option<(Option<String>, Entry)> = None;
        let finish = |netrc: &mut Netrc, current: Option<(Option<String>, Entry)>| match current {
            Some((Some(machine), entry)) => {
                // A machine named twice: the later entry wins, as in Python's `netrc`.
                netrc.machines.retain(|(m, _)| *m != machine);
                netrc.machines.push((machine, entry));
            }
            Some((None, entry)) => netrc.default = Some(entry),
            None => {}
        };
        while let Some(token) = tokens.next() {
            match token.as_str() {
                "machine" => {
                    finish(&mut netrc, current.take());
                    let name = tokens.next().ok_or("`machine` without a name")?;
                    current = Some((Some(name), Entry::default()));
                }
                "default" => {
                    finish(&mut netrc, current.take());
                    current = Some((None, Entry::default()));
                }
                "login" | "user" | "password" | "passwd" | "account" => {
                    let value = tokens.next().ok_or(format!("`{token}` without a value"))?;
                    let Some((_, entry)) = current.as_mut() else {
                        return Err(format!("`{token}` before any `machine` or `default`"));
                    };
                    match token.as_str() {
                        "login" | "user" => entry.login = value,
                        "password" | "passwd" => entry.password = value,
                        _ => {}
                    }
                }
                "macdef" => {
                    finish(&mut netrc, current.take());
                    tokens.next().ok_or("`macdef` without a name")?;
                    tokens.skip_macro();
                }
                // Never quote the word: it may be a password that lost its keyword.
                _ => {
                    return Err(
                        "an unexpected word (not machine, default, login, password, account \
                                or macdef)"
                            .into(),
                    );
                }
            }
        }
        finish(&mut netrc, current);
        Ok(netrc)
    }
}

/// The netrc file to read: `NETRC`, else `~/.netrc`; `None` when it does not exist.
pub fn locate(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let path = match env("NETRC") {
        Some(path) => PathBuf::from(path),
        None => Path::new(&env("HOME")?).join(".netrc"),
    };
    path.is_file().then_some(path)
}

struct Tokens<'a> {
    rest: &'a str,
}

impl Tokens<'_> {
    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.starts_with('#') {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            }
            break;
        }
        let mut chars = self.rest.char_indices();
        let (_, first) = chars.next()?;
        let mut token = String::new();
        if first == '"' {
            let mut escaped = false;
            for (i, c) in chars {
                if escaped {
                    token.push(c);
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    self.rest = &self.rest[i + 1..];
                    return Some(token);
                } else {
                    token.push(c);
                }
            }
            self.rest = "";
            return Some(token);
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let mut escaped = false;
        for c in self.rest[..end].chars() {
            if escaped || c != '\\' {
                token.push(c);
                escaped = false;
            } else {
                escaped = true;
            }
        }
        self.rest = &self.rest[end..];
        Some(token)
    }

    /// A macro body runs from the line after `macdef NAME` to the first empty line.
    fn skip_macro(&mut self) {
        let after_line = self.rest.find('\n').map_or("", |i| &self.rest[i + 1..]);
        self.rest = match after_line.find("\n\n") {
            Some(i) => &after_line[i + 2..],
            None if after_line.starts_with('\n') => &after_line[1..],
            None => "",
        };
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
            "machine a password",
            "machine a hunter2 x",
        ] {
            let err = Netrc::parse(text).unwrap_err();
            assert!(!err.contains("hunter2"), "{text}: {err}");
        }
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
}
