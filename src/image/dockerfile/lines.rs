//! From the text of a Dockerfile to its instructions, as BuildKit's parser reads it: parser directives at the
//! top (`# escape=`), comments, line continuations with the escape character, and here-documents, whose
//! bodies are data, not instructions.

use super::DockerfileError;

/// One instruction, its continuation lines joined, with the position every character came from.
#[derive(Debug)]
pub(super) struct Instruction {
    /// `FROM`, upper-cased (instructions are case-insensitive).
    pub keyword: String,
    pub line: usize,
    pub column: usize,
    /// The arguments after the keyword, as written (continuations removed).
    pub args: Vec<Char>,
}

/// A character of an instruction and where it stands in the file (1-based line and column).
#[derive(Clone, Copy, Debug)]
pub(super) struct Char {
    pub c: char,
    pub line: usize,
    pub column: usize,
}

pub(super) struct Lines {
    pub instructions: Vec<Instruction>,
    pub escape: char,
    pub errors: Vec<DockerfileError>,
}

/// Instructions that accept here-documents (Dockerfile frontend 1.4 and later).
const HEREDOC_INSTRUCTIONS: [&str; 3] = ["RUN", "COPY", "ADD"];

pub(super) fn split(text: &str) -> Lines {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut errors = Vec::new();
    let (escape, mut i) = directives(&lines, &mut errors);
    let mut instructions = Vec::new();
    while i < lines.len() {
        let first = lines[i].trim_start();
        if first.is_empty() || first.starts_with('#') {
            i += 1;
            continue;
        }
        let (chars, next) = join_continuations(&lines, i, escape);
        i = next;
        let Some(instruction) = instruction(chars) else {
            continue;
        };
        if HEREDOC_INSTRUCTIONS.contains(&instruction.keyword.as_str()) {
            i = skip_heredocs(&instruction, &lines, i, &mut errors);
        }
        instructions.push(instruction);
    }
    Lines {
        instructions,
        escape,
        errors,
    }
}

/// Reads the parser directives at the top of the file; gives the escape character and the first line after
/// them. BuildKit stops looking at the first line that is not a known directive (a comment, a blank line or
/// an instruction), so a directive further down is an ordinary comment.
fn directives(lines: &[&str], errors: &mut Vec<DockerfileError>) -> (char, usize) {
    let mut escape = '\\';
    let mut seen: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((key, value)) = directive(line) else {
            return (escape, i);
        };
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "escape" | "syntax" | "check") {
            return (escape, i);
        }
        let error = |message: String| DockerfileError {
            line: i + 1,
            column: 1,
            message,
        };
        if seen.contains(&key) {
            errors.push(error(format!(
                "only one {key} parser directive can be used"
            )));
        }
        if key == "escape" {
            match value {
                "\\" => escape = '\\',
                "`" => escape = '`',
                _ => errors.push(error(format!(
                    "invalid escape token '{value}': the escape directive takes \\ or `"
                ))),
            }
        }
        seen.push(key);
    }
    (escape, lines.len())
}

/// `# key=value`, with optional spaces around each part.
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (key, value) = rest.split_once('=')?;
    let key = key.trim_end();
    let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric());
    let value = value.trim();
    (key_ok && !value.is_empty()).then_some((key, value))
}

/// Joins a line ending with the escape character to the next ones. Comment lines and blank lines inside a
/// continuation are skipped, as BuildKit skips them. Gives the characters and the index of the next line.
fn join_continuations(lines: &[&str], start: usize, escape: char) -> (Vec<Char>, usize) {
    let mut chars = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let line = lines[i];
        let blank_or_comment = {
            let t = line.trim_start();
            t.is_empty() || t.starts_with('#')
        };
        if i > start && blank_or_comment {
            i += 1;
            continue;
        }
        // The escape character followed only by spaces or tabs continues the instruction.
        let trimmed = line.trim_end_matches([' ', '\t']);
        let continues = trimmed.ends_with(escape);
        let content = if continues {
            &trimmed[..trimmed.len() - escape.len_utf8()]
        } else {
            line
        };
        chars.extend(content.chars().enumerate().map(|(col, c)| Char {
            c,
            line: i + 1,
            column: col + 1,
        }));
        i += 1;
        if !continues {
            break;
        }
    }
    (chars, i)
}

fn instruction(chars: Vec<Char>) -> Option<Instruction> {
    let start = chars.iter().position(|c| !c.c.is_whitespace())?;
    let end = chars[start..]
        .iter()
        .position(|c| c.c.is_whitespace())
        .map_or(chars.len(), |n| start + n);
    let keyword: String = chars[start..end].iter().map(|c| c.c).collect();
    Some(Instruction {
        keyword: keyword.to_ascii_uppercase(),
        line: chars[start].line,
        column: chars[start].column,
        args: chars[end..].to_vec(),
    })
}

/// Skips the bodies of the here-documents an instruction opens (`RUN <<EOF`, `COPY <<a <<b /dst/`), in
/// order, each up to the line that is its delimiter (`<<-` strips leading tabs first). Gives the index of
/// the line after the last body.
fn skip_heredocs(
    instruction: &Instruction,
    lines: &[&str],
    mut i: usize,
    errors: &mut Vec<DockerfileError>,
) -> usize {
    let args: String = instruction.args.iter().map(|c| c.c).collect();
    // The exec form (`RUN ["sh", "-c", "…"]`) has no here-documents.
    if args.trim_start().starts_with('[') {
        return i;
    }
    for (delimiter, strip_tabs) in heredoc_delimiters(&args) {
        let end = lines[i..].iter().position(|l| {
            let l = if strip_tabs {
                l.trim_start_matches('\t')
            } else {
                l
            };
            *l == delimiter
        });
        match end {
            Some(n) => i += n + 1,
            None => {
                errors.push(DockerfileError {
                    line: instruction.line,
                    column: instruction.column,
                    message: format!(
                        "the here-document <<{delimiter} of this {} never ends: no line is {delimiter}",
                        instruction.keyword
                    ),
                });
                return lines.len();
            }
        }
    }
    i
}

/// The delimiters of the here-documents in an instruction's arguments: every word shaped `<<WORD`,
/// `<<-WORD`, `<<"WORD"` or `N<<WORD` (a file descriptor), as BuildKit's `^(\d*)<<(-?)([^<]*)$` per word.
fn heredoc_delimiters(args: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for word in args.split_whitespace() {
        let Some(at) = word.find("<<") else { continue };
        if !word[..at].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let rest = &word[at + 2..];
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(rest);
        if !name.is_empty() && !name.contains('<') {
            found.push((name.to_string(), strip_tabs));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(text: &str) -> Vec<(String, usize, usize, String)> {
        let lines = split(text);
        assert!(lines.errors.is_empty(), "{:?}", lines.errors);
        lines
            .instructions
            .into_iter()
            .map(|i| {
                let args: String = i.args.iter().map(|c| c.c).collect();
                (i.keyword, i.line, i.column, args.trim().to_string())
            })
            .collect()
    }

    #[test]
    fn continuations_comments_and_case() {
        let text = "# a comment\nfrom python:3.12 \\\n  # inside\n\n  AS builder\n  run echo \\\t \n  done\n";
        let got = keywords(text);
        assert_eq!(got[0].0, "FROM");
        assert_eq!((got[0].1, got[0].2), (2, 1));
        assert_eq!(
            got[0].3.split_whitespace().collect::<Vec<_>>(),
            ["python:3.12", "AS", "builder"]
        );
        assert_eq!((got[1].0.as_str(), got[1].1, got[1].2), ("RUN", 6, 3));
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let text =
            "# escape=`\nFROM mcr.example.com/windows `\n  AS base\nRUN dir C:\\\nRUN echo\n";
        let lines = split(text);
        assert_eq!(lines.escape, '`');
        let got = keywords(text);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[1].3, "dir C:\\");
    }

    #[test]
    fn directives_stop_at_the_first_other_line() {
        let lines = split("# syntax=docker/dockerfile:1\n\n# escape=`\nFROM x \\\n AS y\n");
        assert_eq!(lines.escape, '\\');
        assert_eq!(lines.instructions.len(), 1);
        let bad = split("# escape=x\nFROM a\n");
        assert_eq!(bad.errors.len(), 1);
        assert_eq!(bad.errors[0].line, 1);
    }

    #[test]
    fn heredoc_bodies_are_not_instructions() {
        let text = "FROM python:3.12\nRUN <<EOF\nFROM evil:1\nEOF\nCOPY <<-\"A\" 5<<B /dst/\n\tFROM a\n\tA\nFROM b\nB\nFROM alpine:3.20\n";
        let got = keywords(text);
        let k: Vec<(&str, usize)> = got.iter().map(|g| (g.0.as_str(), g.1)).collect();
        assert_eq!(k, [("FROM", 1), ("RUN", 2), ("COPY", 5), ("FROM", 10)]);
        let exec = keywords("FROM a\nRUN [\"sh\", \"<<EOF\"]\nFROM b\n");
        assert_eq!(exec.len(), 3);
    }

    #[test]
    fn an_unterminated_heredoc_is_an_error() {
        let lines = split("FROM a\nRUN <<EOF\necho\n");
        assert_eq!(lines.errors.len(), 1);
        assert_eq!((lines.errors[0].line, lines.errors[0].column), (2, 1));
        assert!(lines.errors[0].message.contains("<<EOF"));
    }
}
