//! The build stages of a Dockerfile, as the Dockerfile reference defines them: each `FROM [--platform=…]
//! image [AS name]`, with the global `ARG`s declared before the first `FROM` substituted (a build argument
//! the caller passes wins over a default), and a `FROM` that names an earlier stage linked to it.
//!
//! Only what decides a stage's image is read: `ARG` before the first `FROM`, and `FROM`. Every other
//! instruction is recognised and skipped, here-document bodies included. A malformed line is an error with
//! its line and column, and reading goes on.

mod expand;
mod lines;
mod targets;

use expand::{Var, expand};
use lines::{Char, Instruction};

pub use targets::{DockerfileTargets, StageTarget, arch_of_platform, targets};

/// What a Dockerfile declares, and what could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
    pub errors: Vec<DockerfileError>,
}

/// One build stage: one `FROM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Where its `FROM` starts (1-based).
    pub line: usize,
    pub column: usize,
    /// The image after substitution; a variable without a value stays as written.
    pub image: String,
    /// `AS name`, as written (stage names compare case-insensitively).
    pub alias: Option<String>,
    /// `--platform=…` after substitution; `None` when not given.
    pub platform: Option<String>,
    /// Variables the image or the platform names that have no value here.
    pub unresolved: Vec<String>,
    /// Of those, the ones in the image.
    pub image_unresolved: Vec<String>,
    /// Of those, the ones in the platform.
    pub platform_unresolved: Vec<String>,
    /// The earlier stage this `FROM` names, when it names one.
    pub base_stage: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct DockerfileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The instructions of the Dockerfile reference; anything else is an error, as `docker build` makes it.
const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Variables BuildKit sets for every build, usable in `FROM` without an `ARG`: their values are decided when
/// the image is built.
const AUTOMATIC_ARGS: [&str; 8] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// Reads the stages of a Dockerfile. `build_args` are `--build-arg NAME=value` pairs.
pub fn parse(text: &str, build_args: &[(String, String)]) -> Dockerfile {
    let lines = lines::split(text);
    let mut reader = Reader {
        escape: lines.escape,
        build_args,
        globals: Vec::new(),
        dockerfile: Dockerfile {
            stages: Vec::new(),
            errors: lines.errors,
        },
        seen_from: false,
        aliases: std::collections::HashMap::new(),
    };
    for instruction in &lines.instructions {
        reader.instruction(instruction);
    }
    let mut dockerfile = reader.dockerfile;
    dockerfile.errors.sort_by_key(|e| (e.line, e.column));
    dockerfile
}

struct Reader<'a> {
    escape: char,
    build_args: &'a [(String, String)],
    /// The `ARG`s before the first `FROM`, in order; a later declaration of a name wins.
    globals: Vec<(String, Var)>,
    dockerfile: Dockerfile,
    seen_from: bool,
    /// Each stage name (lower-cased) and the first stage that has it: looked up for every `FROM`, so that
    /// a Dockerfile of many stages reads in linear time.
    aliases: std::collections::HashMap<String, usize>,
}

/// A whitespace-separated word of an instruction and where it starts.
struct Word {
    text: String,
    line: usize,
    column: usize,
}

impl Reader<'_> {
    fn instruction(&mut self, instruction: &Instruction) {
        let keyword = instruction.keyword.as_str();
        if !INSTRUCTIONS.contains(&keyword) {
            self.error_at(
                instruction.line,
                instruction.column,
                format!("unknown instruction {keyword}"),
            );
            return;
        }
        match keyword {
            "FROM" => {
                self.seen_from = true;
                self.from(instruction);
            }
            // An `ARG` inside a stage is scoped to it and cannot change any `FROM`: only checked.
            "ARG" => self.arg(instruction, !self.seen_from),
            _ if !self.seen_from => self.error_at(
                instruction.line,
                instruction.column,
                format!("{keyword} before the first FROM: only ARG may come before it"),
            ),
            _ => {}
        }
    }

    fn error_at(&mut self, line: usize, column: usize, message: String) {
        self.dockerfile.errors.push(DockerfileError {
            line,
            column,
            message,
        });
    }

    fn lookup(&self, name: &str) -> Var {
        if let Some((_, var)) = self.globals.iter().rev().find(|(n, _)| n == name) {
            return var.clone();
        }
        if AUTOMATIC_ARGS.contains(&name) {
            // The caller may know them (a build for one --platform); otherwise the build decides.
            return match self.build_args.iter().rev().find(|(n, _)| n == name) {
                Some((_, value)) => Var::Set {
                    value: value.clone(),
                    unresolved: Vec::new(),
                },
                None => Var::Automatic,
            };
        }
        // Not declared before the first FROM: Docker substitutes "" (and warns); a build argument of that
        // name does not reach FROM.
        Var::Unset
    }

    fn expand(&mut self, word: &Word) -> Option<expand::Expanded> {
        let result = expand(&word.text, self.escape, &|name| self.lookup(name));
        result
            .map_err(|e| self.error_at(word.line, word.column, format!("{}: {e}", word.text)))
            .ok()
    }

    /// `ARG NAME[=default] …`; before the first `FROM` (`global`), a build argument `FROM` can use.
    fn arg(&mut self, instruction: &Instruction, global: bool) {
        let words = arg_words(&instruction.args);
        if words.is_empty() {
            self.error_at(
                instruction.line,
                instruction.column,
                "ARG needs a name".into(),
            );
        }
        for word in words {
            let (name, default) = match word.text.split_once('=') {
                Some((name, default)) => (name.to_string(), Some(default.to_string())),
                None => (word.text.clone(), None),
            };
            let name_ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !name_ok {
                self.error_at(
                    word.line,
                    word.column,
                    format!("ARG: '{name}' is not a variable name"),
                );
                continue;
            }
            if !global {
                continue;
            }
            let given = self.build_args.iter().rev().find(|(n, _)| *n == name);
            let var = match (given, default) {
                (Some((_, value)), _) => Var::Set {
                    value: value.clone(),
                    unresolved: Vec::new(),
                },
                (None, Some(default)) => {
                    let default = Word {
                        text: default,
                        ..word
                    };
                    match self.expand(&default) {
                        Some(e) => Var::Set {
                            value: e.text,
                            unresolved: e.unresolved,
                        },
                        None => continue,
                    }
                }
                (None, None) => Var::Unset,
            };
            self.globals.push((name, var));
        }
    }

    /// `FROM [--platform=…] image [AS name]`.
    fn from(&mut self, instruction: &Instruction) {
        let checked = from_words(instruction).and_then(|(platform, image, alias)| {
            self.check_alias(alias.as_ref())?;
            Ok((platform, image, alias))
        });
        let (platform, image, alias) = match checked {
            Ok(words) => words,
            Err(e) => return self.dockerfile.errors.push(e),
        };
        let Some(image) = self.expand(&image) else {
            return;
        };
        let platform = match platform {
            Some(word) => match self.expand(&word) {
                Some(p) => Some(p),
                None => return,
            },
            None => None,
        };
        let base_stage = self.aliases.get(&image.text.to_ascii_lowercase()).copied();
        let platform_unresolved = platform
            .as_ref()
            .map(|p| p.unresolved.clone())
            .unwrap_or_default();
        let mut unresolved = image.unresolved.clone();
        for name in &platform_unresolved {
            if !unresolved.contains(name) {
                unresolved.push(name.clone());
            }
        }
        if let Some(alias) = &alias {
            self.aliases
                .entry(alias.text.to_ascii_lowercase())
                .or_insert(self.dockerfile.stages.len());
        }
        self.dockerfile.stages.push(Stage {
            line: instruction.line,
            column: instruction.column,
            image: image.text,
            alias: alias.map(|a| a.text),
            platform: platform.map(|p| p.text),
            unresolved,
            image_unresolved: image.unresolved,
            platform_unresolved,
            base_stage,
        });
    }

    /// A stage name follows BuildKit's rule (on the lower-cased name) and is not taken yet.
    fn check_alias(&self, alias: Option<&Word>) -> Result<(), DockerfileError> {
        let Some(alias) = alias else { return Ok(()) };
        let lower = alias.text.to_ascii_lowercase();
        let ok = lower.starts_with(|c: char| c.is_ascii_lowercase())
            && lower
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
        if !ok {
            return Err(alias.error(format!(
                "FROM … AS {}: a stage name starts with a letter and has only letters, digits, -, _ and .",
                alias.text
            )));
        }
        if self.aliases.contains_key(&lower) {
            return Err(alias.error(format!(
                "FROM … AS {}: the stage name is already used",
                alias.text
            )));
        }
        Ok(())
    }
}

/// The words of a `FROM`: the `--platform` value, the image, the stage name.
fn from_words(
    instruction: &Instruction,
) -> Result<(Option<Word>, Word, Option<Word>), DockerfileError> {
    let mut words = split_words(&instruction.args);
    let mut platform = None;
    while words.first().is_some_and(|w| w.text.starts_with("--")) {
        let flag = words.remove(0);
        match flag.text.strip_prefix("--platform=") {
            Some(value) if !value.is_empty() => {
                platform = Some(Word {
                    text: value.to_string(),
                    column: flag.column + "--platform=".len(),
                    ..flag
                })
            }
            _ if flag.text.starts_with("--platform") => {
                return Err(
                    flag.error("FROM --platform needs a value: --platform=linux/arm64".into())
                );
            }
            _ => {
                let message = format!("FROM: unknown flag {} (FROM takes --platform=…)", flag.text);
                return Err(flag.error(message));
            }
        }
    }
    let is_as = |w: &Word| w.text.eq_ignore_ascii_case("as");
    let mut words = words.into_iter();
    match (words.next(), words.next(), words.next(), words.next()) {
        (None, ..) => Err(DockerfileError {
            line: instruction.line,
            column: instruction.column,
            message: "FROM needs an image".into(),
        }),
        (Some(image), None, ..) => Ok((platform, image, None)),
        (Some(image), Some(as_), Some(alias), None) if is_as(&as_) => {
            Ok((platform, image, Some(alias)))
        }
        (Some(_), Some(second), None, _) if is_as(&second) => {
            let message = format!("FROM … {}: a stage name must follow", second.text);
            Err(second.error(message))
        }
        (Some(_), Some(second), None, _) => {
            let message = format!(
                "FROM: expected AS <name> after the image, found '{}'",
                second.text
            );
            Err(second.error(message))
        }
        (Some(_), Some(second), Some(_), None) => {
            let message = format!(
                "FROM: expected AS before the stage name, found '{}'",
                second.text
            );
            Err(second.error(message))
        }
        (Some(_), Some(_), Some(_), Some(extra)) => {
            let message = format!("FROM: unexpected '{}' after the stage name", extra.text);
            Err(extra.error(message))
        }
    }
}

impl Word {
    fn error(&self, message: String) -> DockerfileError {
        DockerfileError {
            line: self.line,
            column: self.column,
            message,
        }
    }
}

/// Words split at whitespace (`FROM` takes no quoting).
fn split_words(chars: &[Char]) -> Vec<Word> {
    words(chars, false)
}

/// Words split at whitespace outside quotes (`ARG A="x y"`), quotes kept for substitution to remove.
fn arg_words(chars: &[Char]) -> Vec<Word> {
    words(chars, true)
}

fn words(chars: &[Char], quotes: bool) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    for ch in chars {
        let c = ch.c;
        if quote.is_none() && c.is_whitespace() {
            out.extend(current.take());
            continue;
        }
        if quotes {
            match quote {
                Some(q) if q == c => quote = None,
                None if c == '"' || c == '\'' => quote = Some(c),
                _ => {}
            }
        }
        current
            .get_or_insert_with(|| Word {
                text: String::new(),
                line: ch.line,
                column: ch.column,
            })
            .text
            .push(c);
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests;
