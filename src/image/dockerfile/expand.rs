//! Variable substitution in a Dockerfile word, as BuildKit's shell lexer does it for `FROM` and `ARG`:
//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` (and `-`/`+` without the colon), quotes removed, the
//! escape character making the next character literal.
//!
//! A variable whose value the build decides (no default and no build argument, or `$TARGETPLATFORM`) is left
//! as written in the result and named in `unresolved`: muslcheck says so rather than guess.

/// What a variable is when a word names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Var {
    /// A value, possibly holding variables of its own that were left unresolved.
    Set {
        value: String,
        unresolved: Vec<String>,
    },
    /// Set by the build, value unknown here (`TARGETPLATFORM`, `BUILDPLATFORM`, …).
    Automatic,
    /// Declared without a default and given no build argument, or not declared at all: Docker substitutes
    /// the empty string.
    Unset,
}

/// A word after substitution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Expanded {
    pub text: String,
    pub unresolved: Vec<String>,
}

impl Expanded {
    fn push_unresolved(&mut self, name: &str) {
        if !self.unresolved.iter().any(|n| n == name) {
            self.unresolved.push(name.to_string());
        }
    }
}

pub(super) fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Var,
) -> Result<Expanded, String> {
    let chars: Vec<char> = word.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        i: 0,
        escape,
        lookup,
        depth: 0,
    };
    let mut out = Expanded::default();
    lexer.word(&mut out, false)?;
    Ok(out)
}

struct Lexer<'a> {
    chars: &'a [char],
    i: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Var,
    /// How many `${…:-…}` words enclose the current one: bounded, so nesting cannot exhaust the stack.
    depth: usize,
}

/// Far beyond what any real Dockerfile nests (`${A:-${B:-x}}` is depth 2).
const MAX_DEPTH: usize = 32;

/// The longest a word may grow by substitution: an image reference is a few dozen characters, and a
/// Dockerfile whose `ARG`s double one another (`ARG A=$A$A`, 40 times) would otherwise build a terabyte.
const MAX_LEN: usize = 64 * 1024;

fn too_long() -> String {
    format!("expands to more than {MAX_LEN} characters")
}

fn bounded(out: &Expanded) -> Result<(), String> {
    if out.text.len() > MAX_LEN {
        Err(too_long())
    } else {
        Ok(())
    }
}

impl Lexer<'_> {
    /// Reads up to the end, or up to the `}` closing a `${…}` when `in_braces`.
    fn word(&mut self, out: &mut Expanded, in_braces: bool) -> Result<(), String> {
        let mut double_quoted = false;
        while let Some(&c) = self.chars.get(self.i) {
            if in_braces && c == '}' && !double_quoted {
                return Ok(());
            }
            self.i += 1;
            if c == self.escape {
                match self.chars.get(self.i) {
                    // In double quotes the escape character only escapes `$`, `"` and itself.
                    Some(&next)
                        if !double_quoted || matches!(next, '$' | '"') || next == self.escape =>
                    {
                        out.text.push(next);
                        self.i += 1;
                    }
                    _ => out.text.push(c),
                }
            } else if c == '\'' && !double_quoted {
                // Single quotes keep everything literal.
                let end = self.chars[self.i..].iter().position(|&q| q == '\'');
                let end = end.ok_or("a single quote is not closed")?;
                out.text.extend(&self.chars[self.i..self.i + end]);
                self.i += end + 1;
            } else if c == '"' {
                double_quoted = !double_quoted;
            } else if c == '$' {
                self.variable(out)?;
            } else {
                out.text.push(c);
            }
        }
        if in_braces {
            return Err("a ${ is not closed by }".into());
        }
        if double_quoted {
            return Err("a double quote is not closed".into());
        }
        Ok(())
    }

    /// After a `$`: `NAME`, `{NAME}`, `{NAME:-word}`, `{NAME:+word}`; anything else keeps the `$`.
    fn variable(&mut self, out: &mut Expanded) -> Result<(), String> {
        let start = self.i - 1;
        let braced = self.chars.get(self.i) == Some(&'{');
        if braced {
            self.i += 1;
        }
        let name_len = self.chars[self.i..]
            .iter()
            .enumerate()
            .take_while(|(n, c)| {
                c.is_ascii_alphanumeric() && !(*n == 0 && c.is_ascii_digit()) || **c == '_'
            })
            .count();
        if name_len == 0 {
            if braced {
                return Err("bad substitution: ${ needs a variable name".into());
            }
            out.text.push('$');
            return Ok(());
        }
        let name: String = self.chars[self.i..self.i + name_len].iter().collect();
        self.i += name_len;
        let var = (self.lookup)(&name);
        if !braced {
            return self.substitute(out, &name, &var, start);
        }
        // `${NAME` then `}`, or an operator and a word.
        let (colon, op) = match (self.chars.get(self.i), self.chars.get(self.i + 1)) {
            (None, _) => return Err(format!("${{{name} is not closed by }}")),
            (Some('}'), _) => {
                self.i += 1;
                return self.substitute(out, &name, &var, start);
            }
            (Some(':'), Some(&op @ ('-' | '+'))) => (true, op),
            (Some(&op @ ('-' | '+')), _) => (false, op),
            _ => {
                return Err(format!(
                    "${{{name}…}}: muslcheck reads only ${{VAR}}, ${{VAR:-default}} and ${{VAR:+alt}}"
                ));
            }
        };
        self.i += if colon { 2 } else { 1 };
        if self.depth >= MAX_DEPTH {
            return Err(format!("substitutions nested more than {MAX_DEPTH} deep"));
        }
        let mut alternative = Expanded::default();
        self.depth += 1;
        let word = self.word(&mut alternative, true);
        self.depth -= 1;
        word?;
        self.i += 1; // the closing `}`
        // `:-`/`:+` treat an empty value as unset; `-`/`+` only an unset one.
        let set = match &var {
            Var::Set { value, .. } => !(colon && value.is_empty()),
            Var::Automatic => true,
            Var::Unset => false,
        };
        let use_alternative = if op == '-' { !set } else { set };
        if use_alternative {
            out.text.push_str(&alternative.text);
            bounded(out)?;
            for n in &alternative.unresolved {
                out.push_unresolved(n);
            }
        } else if op == '-' {
            self.substitute(out, &name, &var, start)?;
        }
        Ok(())
    }

    /// Puts a variable's value in; an unknown value keeps the text as written, from `start` to here.
    fn substitute(
        &self,
        out: &mut Expanded,
        name: &str,
        var: &Var,
        start: usize,
    ) -> Result<(), String> {
        match var {
            Var::Set { value, unresolved } => {
                if out.text.len() + value.len() > MAX_LEN {
                    return Err(too_long());
                }
                out.text.push_str(value);
                for n in unresolved {
                    out.push_unresolved(n);
                }
            }
            Var::Automatic | Var::Unset => {
                out.text.extend(&self.chars[start..self.i]);
                out.push_unresolved(name);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Var {
        let set = |v: &str| Var::Set {
            value: v.into(),
            unresolved: vec![],
        };
        match name {
            "PY" => set("3.12"),
            "EMPTY" => set(""),
            "BASE" => Var::Set {
                value: "python:${X}".into(),
                unresolved: vec!["X".into()],
            },
            "TARGETPLATFORM" | "BUILDPLATFORM" => Var::Automatic,
            _ => Var::Unset,
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!(
            "python:{}3.12{}",
            "${A:-".repeat(50_000),
            "}".repeat(50_000)
        );
        let err = expand(&deep, '\\', &lookup).unwrap_err();
        assert!(err.contains("nested more than 32 deep"), "{err}");
        let fine = format!("{}3.12{}", "${A:-".repeat(5), "}".repeat(5));
        assert_eq!(run(&fine), text("3.12"));
    }

    fn run(word: &str) -> (String, Vec<String>) {
        let e = expand(word, '\\', &lookup).unwrap();
        (e.text, e.unresolved)
    }

    fn text(s: &str) -> (String, Vec<String>) {
        (s.to_string(), vec![])
    }

    #[test]
    fn substitutions_follow_the_dockerfile_reference() {
        assert_eq!(run("python:$PY-alpine"), text("python:3.12-alpine"));
        assert_eq!(run("python:${PY}-alpine"), text("python:3.12-alpine"));
        assert_eq!(run("python:${NOPE:-3.11}"), text("python:3.11"));
        assert_eq!(run("python:${PY:-3.11}"), text("python:3.12"));
        assert_eq!(run("python:${EMPTY:-3.11}"), text("python:3.11"));
        assert_eq!(run("python:${EMPTY-3.11}"), text("python:"));
        assert_eq!(run("x${PY:+-set}"), text("x-set"));
        assert_eq!(run("x${NOPE:+-set}"), text("x"));
        assert_eq!(run("python:${NOPE:-${PY}}-slim"), text("python:3.12-slim"));
        assert_eq!(run("\"python:$PY\""), text("python:3.12"));
        assert_eq!(run("'python:$PY'"), text("python:$PY"));
        assert_eq!(run("python:\\$PY"), text("python:$PY"));
        assert_eq!(run("a$"), text("a$"));
        assert_eq!(run("a$-b"), text("a$-b"));
    }

    #[test]
    fn unknown_values_stay_as_written() {
        assert_eq!(
            run("python:${NOPE}-alpine"),
            ("python:${NOPE}-alpine".into(), vec!["NOPE".into()])
        );
        assert_eq!(
            run("$TARGETPLATFORM"),
            ("$TARGETPLATFORM".into(), vec!["TARGETPLATFORM".into()])
        );
        // The build always sets BUILDPLATFORM, so the default never applies.
        assert_eq!(
            run("${BUILDPLATFORM:-linux/amd64}"),
            (
                "${BUILDPLATFORM:-linux/amd64}".into(),
                vec!["BUILDPLATFORM".into()]
            )
        );
        assert_eq!(
            run("${BASE}-alpine"),
            ("python:${X}-alpine".into(), vec!["X".into()])
        );
    }

    #[test]
    fn malformed_substitutions_are_errors() {
        for bad in ["${PY", "${PY:-3.11", "${}", "${PY#3}", "'open", "\"open"] {
            assert!(expand(bad, '\\', &lookup).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_escape_directive_changes_the_escape_character() {
        let e = expand("C:\\path\\`$PY", '`', &lookup).unwrap();
        assert_eq!(e.text, "C:\\path\\$PY");
    }
}
