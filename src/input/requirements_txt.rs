//! pip's requirements file format, read as pip reads it (`pip/_internal/req/req_file.py`).
//!
//! Grammar, in pip's order: physical lines ending in `\` join the next one (a line starting with `#` never
//! continues); `#` at the start or after white space starts a comment; `${VAR}` is taken from the environment;
//! the line then splits at the first space-separated token starting with `-` into a requirement and options.
//! Option lines: `-r/--requirement`, `-c/--constraint` (relative to the including file; a cycle is an error),
//! `-e/--editable`, `-i/--index-url`, `--extra-index-url`, `--no-index`, `-f/--find-links`, `--pre`,
//! `--only-binary`, `--no-binary`, `--prefer-binary`, `--require-hashes`, `--trusted-host`, `--use-feature`.
//! Requirement lines: PEP 508, or a path, URL or VCS reference; per-requirement options `--hash`,
//! `--config-settings/-C`, `--global-option`.
//!
//! Positions are kept as byte offsets into the joined line and turned into `line:column` of the physical file
//! only when an error is reported.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Entry, FileOptions, Input, InputError, Location, Wanted, egg_name, parse_requirement};

/// Reads the files (`-` is standard input) and everything they include.
pub fn read_requirement_files(paths: &[String]) -> Input {
    let mut reader = Reader {
        input: Input::default(),
        stack: Vec::new(),
    };
    for path in paths {
        if path == "-" {
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => reader.parse_text(&text, "<stdin>", Path::new(""), false),
                Err(e) => reader.file_error("<stdin>", format!("cannot read standard input: {e}")),
            }
        } else {
            reader.parse_file(Path::new(path), false, None);
        }
    }
    reader.input
}

/// Reads one requirements text already in memory into `input` (includes relative to the current directory).
pub fn read_text(shown: &str, text: &str, input: &mut Input) {
    let mut reader = Reader {
        input: std::mem::take(input),
        stack: Vec::new(),
    };
    reader.parse_text(text, shown, Path::new(""), false);
    *input = reader.input;
}

/// How deep `-r`/`-c` includes are followed: each level is a recursion, so a checkout with a chain of
/// thousands of files would overflow the stack. Real projects nest two or three.
const MAX_INCLUDE_DEPTH: usize = 32;

struct Reader {
    input: Input,
    /// Canonical paths of the files being read, outermost first: an include of one of them is a cycle.
    stack: Vec<PathBuf>,
}

/// Where an include was written, for errors about the included file.
struct Include<'a> {
    path: &'a str,
    /// Line and column of the option.
    position: (usize, usize),
}

impl Reader {
    fn file_error(&mut self, path: &str, message: String) {
        self.input.errors.push(InputError {
            path: path.to_string(),
            line: None,
            column: None,
            message,
        });
    }

    fn parse_file(&mut self, path: &Path, constraint: bool, site: Option<Include>) {
        let shown = path.display().to_string();
        let fail = |reader: &mut Reader, message: String| match &site {
            Some(s) => reader.input.errors.push(InputError {
                path: s.path.to_string(),
                line: Some(s.position.0),
                column: Some(s.position.1),
                message,
            }),
            None => reader.file_error(&shown, message),
        };
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return fail(self, format!("cannot read {shown}: {e}")),
        };
        if self.stack.contains(&canonical) {
            return fail(self, format!("{shown} includes itself (an include cycle)"));
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return fail(
                self,
                format!("{shown} is included {MAX_INCLUDE_DEPTH} files deep: too deep to follow"),
            );
        }
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => return fail(self, format!("{shown} is not UTF-8 text")),
            },
            Err(e) => return fail(self, format!("cannot read {shown}: {e}")),
        };
        self.stack.push(canonical);
        let dir = path.parent().unwrap_or(Path::new(""));
        self.parse_text(&text, &shown, dir, constraint);
        self.stack.pop();
    }

    fn parse_text(&mut self, text: &str, shown: &str, dir: &Path, constraint: bool) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for logical in join_lines(text) {
            self.parse_line(&logical, shown, dir, constraint);
        }
    }

    fn parse_line(&mut self, logical: &Logical, shown: &str, dir: &Path, constraint: bool) {
        let content = strip_comment(&logical.text);
        let start = content.len() - content.trim_start().len();
        let content = expand_env(content.trim_end());
        if content.trim().is_empty() {
            return;
        }
        let position = |offset: usize| logical.position(offset);
        let error = |offset: usize, message: String| {
            let (line, column) = position(offset);
            InputError {
                path: shown.to_string(),
                line: Some(line),
                column: Some(column),
                message,
            }
        };
        let source = Location {
            path: shown.to_string(),
            line: logical.first_line,
            key: None,
        };
        let (args_end, option_tokens) = split_args_options(&content, start);
        let args = content[start..args_end].trim_end();
        let options = match parse_options(&option_tokens) {
            Ok(o) => o,
            Err((offset, message)) => return self.input.errors.push(error(offset, message)),
        };
        if args.is_empty() {
            for (option, value, offset) in options {
                let at = Include {
                    path: shown,
                    position: position(offset),
                };
                if let Err(message) = self.apply_option(option, value, &source, dir, constraint, at)
                {
                    self.input.errors.push(error(offset, message));
                }
            }
            return;
        }
        if let Some((option, _, offset)) = options.iter().find(|(o, ..)| !o.per_requirement) {
            let message = format!(
                "option {} cannot follow a requirement on the same line",
                option.long
            );
            return self.input.errors.push(error(*offset, message));
        }
        match parse_requirement(args, dir) {
            Ok(wanted) => self.add(
                Entry {
                    text: args.to_string(),
                    source,
                    wanted,
                },
                constraint,
            ),
            Err((offset, message)) => self.input.errors.push(error(start + offset, message)),
        }
    }

    fn add(&mut self, entry: Entry, constraint: bool) {
        match (constraint, entry.wanted) {
            (false, wanted) => self.input.entries.push(Entry { wanted, ..entry }),
            (true, Wanted::Index(req)) => self.input.constraints.push((req, entry.source)),
            // A URL constraint pins a file pip never takes from the index: nothing to narrow.
            (true, Wanted::NotIndex { .. }) => {}
        }
    }

    /// Applies one option of an option line; `Err` is the message for an error at the option.
    fn apply_option(
        &mut self,
        option: &'static OptionSpec,
        value: Option<String>,
        source: &Location,
        dir: &Path,
        constraint: bool,
        at: Include,
    ) -> Result<(), String> {
        let value = value.unwrap_or_default();
        let options: &mut FileOptions = &mut self.input.options;
        match option.long {
            "--requirement" | "--constraint" => {
                if value.contains("://") {
                    return Err(format!(
                        "included file {value} is a URL: muslcheck reads local files only"
                    ));
                }
                // pip reads `-c` as constraints anywhere, and `-r` as requirements even inside a constraints file.
                let nested_constraint = option.long == "--constraint";
                self.parse_file(&dir.join(&value), nested_constraint, Some(at));
            }
            "--editable" => {
                let reason = format!("editable install of {value}: not from the index");
                let wanted = Wanted::NotIndex {
                    name: egg_name(&value),
                    reason,
                };
                let entry = Entry {
                    text: format!("-e {value}"),
                    source: source.clone(),
                    wanted,
                };
                self.add(entry, constraint);
            }
            "--index-url" => options.index_url = Some((value, source.clone())),
            "--extra-index-url" => options.extra_index_urls.push(value),
            "--no-index" => options.no_index = true,
            "--pre" => options.pre = true,
            "--prefer-binary" => options.prefer_binary = true,
            "--find-links" => options.find_links.push(value),
            "--only-binary" => options.formats.add(&value, true),
            "--no-binary" => options.formats.add(&value, false),
            // Accepted, and without effect on which file pip takes from the index.
            _ => {}
        }
        Ok(())
    }
}

/// One requirement line after joining continuations.
struct Logical {
    text: String,
    first_line: usize,
    /// (byte offset in `text`, physical line number, physical line text) for each joined piece.
    pieces: Vec<(usize, usize, String)>,
}

impl Logical {
    /// 1-based line and column (in characters) of a byte offset of the joined text.
    fn position(&self, offset: usize) -> (usize, usize) {
        let (start, line, physical) = self
            .pieces
            .iter()
            .rev()
            .find(|(start, ..)| *start <= offset)
            .unwrap_or(&self.pieces[0]);
        let within = (offset - start).min(physical.len());
        let within = (0..=within)
            .rev()
            .find(|i| physical.is_char_boundary(*i))
            .unwrap_or(0);
        (*line, physical[..within].chars().count() + 1)
    }
}

/// pip's `join_lines`: a line ending in `\` continues on the next; a comment line ends the continuation.
fn join_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut current: Option<Logical> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = line.trim_start().starts_with('#');
        let continues = line.ends_with('\\') && !is_comment;
        let piece = if continues {
            &line[..line.len() - 1]
        } else {
            line
        };
        let logical = current.get_or_insert_with(|| Logical {
            text: String::new(),
            first_line: line_no,
            pieces: Vec::new(),
        });
        if is_comment && !logical.text.is_empty() {
            // pip prefixes the comment with a space so it is stripped as a comment after joining.
            logical.text.push(' ');
        }
        logical
            .pieces
            .push((logical.text.len(), line_no, line.to_string()));
        logical.text.push_str(piece);
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current.take());
    out
}

/// pip's `COMMENT_RE`, `(^|\s+)#.*$`: a `#` at the start or after white space ends the line.
fn strip_comment(text: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if c == '#' && prev_space {
            return &text[..i];
        }
        prev_space = c.is_whitespace();
    }
    text
}

/// `${NAME}` (upper case, digits, `_`) from the environment, as pip expands it; unset names stay as written.
fn expand_env(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name_len = after.find('}').filter(|&n| {
            n > 0
                && after[..n]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        match name_len.and_then(|n| std::env::var(&after[..n]).ok().map(|v| (n, v))) {
            Some((n, value)) => {
                out.push_str(&value);
                rest = &after[n + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// pip's `break_args_options`: the requirement ends before the first space-separated token starting with `-`.
/// Returns the end of the requirement and the option tokens with their byte offsets.
fn split_args_options(content: &str, start: usize) -> (usize, Vec<(String, usize)>) {
    let mut offset = start;
    let mut args_end = content.len();
    for token in content[start..].split(' ') {
        if token.starts_with('-') {
            args_end = offset;
            break;
        }
        offset += token.len() + 1;
    }
    (
        args_end.min(content.len()),
        tokenize(&content[args_end.min(content.len())..], args_end),
    )
}

/// Shell-like words (quotes group, backslash escapes) with the byte offset where each starts.
fn tokenize(text: &str, base: usize) -> Vec<(String, usize)> {
    let mut tokens = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.get_or_insert((String::new(), base + i)).0.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.get_or_insert((String::new(), base + i));
            }
            (None, c) if c.is_whitespace() => tokens.extend(current.take()),
            (None, '\\') => {
                let token = current.get_or_insert((String::new(), base + i));
                if let Some((_, next)) = chars.next() {
                    token.0.push(next);
                }
            }
            (None, c) => current.get_or_insert((String::new(), base + i)).0.push(c),
        }
    }
    tokens.extend(current.take());
    tokens
}

struct OptionSpec {
    long: &'static str,
    short: Option<&'static str>,
    takes_value: bool,
    per_requirement: bool,
}

const fn opt(
    long: &'static str,
    short: Option<&'static str>,
    takes_value: bool,
    per_requirement: bool,
) -> OptionSpec {
    OptionSpec {
        long,
        short,
        takes_value,
        per_requirement,
    }
}

/// pip's `SUPPORTED_OPTIONS` and `SUPPORTED_OPTIONS_REQ`.
const OPTIONS: [OptionSpec; 17] = [
    opt("--requirement", Some("-r"), true, false),
    opt("--constraint", Some("-c"), true, false),
    opt("--editable", Some("-e"), true, false),
    opt("--index-url", Some("-i"), true, false),
    opt("--extra-index-url", None, true, false),
    opt("--no-index", None, false, false),
    opt("--find-links", Some("-f"), true, false),
    opt("--pre", None, false, false),
    opt("--only-binary", None, true, false),
    opt("--no-binary", None, true, false),
    opt("--prefer-binary", None, false, false),
    opt("--require-hashes", None, false, false),
    opt("--trusted-host", None, true, false),
    opt("--use-feature", None, true, false),
    opt("--hash", None, true, true),
    opt("--config-settings", Some("-C"), true, true),
    opt("--global-option", None, true, true),
];

type ParsedOption = (&'static OptionSpec, Option<String>, usize);

/// Options in their `--long value`, `--long=value`, `-s value` and `-svalue` forms.
fn parse_options(tokens: &[(String, usize)]) -> Result<Vec<ParsedOption>, (usize, String)> {
    let mut out = Vec::new();
    let mut iter = tokens.iter();
    while let Some((token, offset)) = iter.next() {
        let (spec, inline) = if let Some(long) = token.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let spec = OPTIONS
                .iter()
                .find(|o| o.long[2..] == *name)
                .ok_or_else(|| (*offset, format!("unknown option --{name}")))?;
            (spec, value)
        } else if token.starts_with('-') && token.len() >= 2 {
            // `-` and one character, which may be more than one byte (`-é`).
            let cut = token.char_indices().nth(2).map_or(token.len(), |(i, _)| i);
            let short = &token[..cut];
            let spec = OPTIONS
                .iter()
                .find(|o| o.short == Some(short))
                .ok_or_else(|| (*offset, format!("unknown option {short}")))?;
            let rest = &token[cut..];
            (
                spec,
                (!rest.is_empty()).then(|| rest.trim_start_matches('=').to_string()),
            )
        } else {
            return Err((*offset, format!("unexpected '{token}' among options")));
        };
        let value = match (spec.takes_value, inline) {
            (true, Some(v)) => Some(v),
            (true, None) => match iter.next() {
                Some((v, _)) => Some(v.clone()),
                None => return Err((*offset, format!("option {} needs a value", spec.long))),
            },
            (false, Some(_)) => {
                return Err((*offset, format!("option {} takes no value", spec.long)));
            }
            (false, None) => None,
        };
        out.push((spec, value, *offset));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{IndexRequirement, Input};

    /// Writes `files` (name, text) into a fresh directory and reads the first one.
    fn read(files: &[(&str, &str)]) -> (Input, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let first = dir.path().join(files[0].0).display().to_string();
        (read_requirement_files(&[first]), dir)
    }

    fn index_req(entry: &Entry) -> &IndexRequirement {
        match &entry.wanted {
            Wanted::Index(r) => r,
            Wanted::NotIndex { reason, .. } => {
                panic!("expected an index requirement, got skip: {reason}")
            }
        }
    }

    fn names(input: &Input) -> Vec<&str> {
        input
            .entries
            .iter()
            .map(|e| index_req(e).name.as_str())
            .collect()
    }

    fn errors(input: &Input) -> Vec<(usize, usize, String)> {
        input
            .errors
            .iter()
            .map(|e| (e.line.unwrap(), e.column.unwrap(), e.message.clone()))
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_continuations() {
        let text = "# a comment\n\nnumpy==2.1.3  # pinned\nrequests \\\n  >=2.31 \\\n  ,<3\n  \n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let names = names(&input);
        assert_eq!(names, ["numpy", "requests"]);
        assert_eq!(input.entries[0].source.line, 3);
        assert_eq!(
            input.entries[1].source.line, 4,
            "a joined requirement is where it starts"
        );
        assert_eq!(
            index_req(&input.entries[1]).specifiers.to_string(),
            ">=2.31, <3"
        );
    }

    #[test]
    fn every_pep_440_operator_extras_and_markers() {
        let text = "a==1.0\nb!=1.0\nc<=1.0\nd>=1.0\ne<1.0\nf>1.0\ng~=1.0\nh===1.0\ni==1.*\nj!=1.*\n\
                    uvicorn[standard,extra2]==0.30.6 ; python_version >= \"3.8\" and platform_machine == 'x86_64'\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert_eq!(input.entries.len(), 11);
        let specs: Vec<String> = input
            .entries
            .iter()
            .map(|e| index_req(e).specifiers.to_string())
            .collect();
        assert_eq!(
            &specs[..10],
            [
                "==1.0", "!=1.0", "<=1.0", ">=1.0", "<1.0", ">1.0", "~=1.0", "===1.0", "==1.*",
                "!=1.*"
            ]
        );
        let uvicorn = index_req(&input.entries[10]);
        assert_eq!(
            uvicorn.marker_text.as_deref(),
            Some("python_version >= \"3.8\" and platform_machine == 'x86_64'")
        );
        assert_eq!(
            input.entries[10].text,
            "uvicorn[standard,extra2]==0.30.6 ; python_version >= \"3.8\" and platform_machine == 'x86_64'"
        );
    }

    #[test]
    fn hashes_on_the_line_and_on_continuations() {
        let text = "numpy==2.1.3 --hash=sha256:aaaa \\\n    --hash sha256:bbbb\nsix==1.16.0 --hash=sha256:cccc\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert_eq!(input.entries.len(), 2);
        assert_eq!(input.entries[0].text, "numpy==2.1.3");
    }

    #[test]
    fn includes_are_relative_to_the_including_file_and_constraints_narrow() {
        let (input, dir) = read(&[
            (
                "req/main.txt",
                "-r base/common.txt\n-c ../constraints.txt\npandas\n",
            ),
            (
                "req/base/common.txt",
                "--requirement=more.txt\nfastapi==0.115.0\n",
            ),
            ("req/base/more.txt", "six\n"),
            ("constraints.txt", "pandas<2.3\n-r req/base/more.txt\n"),
        ]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let names = names(&input);
        // `-r` inside a constraints file adds requirements, as pip reads it.
        assert_eq!(names, ["six", "fastapi", "six", "pandas"]);
        assert_eq!(input.constraints.len(), 1);
        assert_eq!(input.constraints[0].0.name, "pandas");
        assert_eq!(input.constraints[0].0.specifiers.to_string(), "<2.3");
        let more = dir.path().join("req/base/more.txt").display().to_string();
        assert_eq!(input.entries[0].source.path, more);
    }

    #[test]
    fn an_include_cycle_is_an_error_not_a_hang() {
        let (input, _dir) = read(&[
            ("a.txt", "six\n-r b.txt\n"),
            ("b.txt", "idna\n  -r a.txt\n"),
        ]);
        assert_eq!(input.entries.len(), 2);
        let errs = errors(&input);
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].0, errs[0].1), (2, 3));
        assert!(errs[0].2.contains("cycle"), "{}", errs[0].2);
        assert!(input.errors[0].path.ends_with("b.txt"));
    }

    #[test]
    fn an_include_chain_thousands_deep_stops_at_the_limit_with_its_line() {
        let names: Vec<String> = (0..5000).map(|i| format!("f{i}.txt")).collect();
        let texts: Vec<String> = (0..5000)
            .map(|i| format!("pkg{i}\n-r f{}.txt\n", i + 1))
            .collect();
        let files: Vec<(&str, &str)> = names
            .iter()
            .zip(&texts)
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let (input, _dir) = read(&files);
        // Every file down to the limit is read; the include one too deep is the error, at its option.
        assert_eq!(input.entries.len(), MAX_INCLUDE_DEPTH);
        let errs = errors(&input);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!((errs[0].0, errs[0].1), (2, 1));
        assert!(errs[0].2.contains("32 files deep"), "{}", errs[0].2);
        let last = format!("f{}.txt", MAX_INCLUDE_DEPTH - 1);
        assert!(
            input.errors[0].path.ends_with(&last),
            "{}",
            input.errors[0].path
        );
    }

    #[test]
    fn a_missing_include_is_reported_at_the_option() {
        let (input, _dir) = read(&[("a.txt", "six\n-r   nowhere.txt\nidna\n")]);
        let errs = errors(&input);
        assert_eq!((errs[0].0, errs[0].1), (2, 1));
        assert!(errs[0].2.contains("nowhere.txt"));
        assert_eq!(
            input.entries.len(),
            2,
            "the lines after the bad one are still read"
        );
    }

    #[test]
    fn index_and_format_options() {
        let text = "-i https://mirror.example.invalid/simple\n--extra-index-url https://extra.example.invalid/simple\n\
                    --pre\n--only-binary=:all:\n--no-binary numpy\n--prefer-binary\n--trusted-host mirror.example.invalid\n\
                    --find-links ./wheels\n--require-hashes\nsix\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let options = &input.options;
        assert_eq!(
            options.index_url.as_ref().unwrap().0,
            "https://mirror.example.invalid/simple"
        );
        assert_eq!(options.index_url.as_ref().unwrap().1.line, 1);
        assert_eq!(
            options.extra_index_urls,
            ["https://extra.example.invalid/simple"]
        );
        assert!(options.pre);
        assert_eq!(options.formats.allowed("numpy"), (false, true));
        assert_eq!(options.formats.allowed("six"), (true, false));
    }

    #[test]
    fn editable_path_url_and_vcs_lines_are_skipped_with_a_reason() {
        let text = "-e ./src/mylib\n-e git+https://example.invalid/x.git#egg=My_Lib\n./local/pkg\n\
                    wheels/foo-1.0-py3-none-any.whl\ngit+https://example.invalid/openai/CLIP.git\n\
                    https://example.invalid/pkg-1.0.tar.gz\nclip @ git+https://example.invalid/openai/CLIP.git@main\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let skipped: Vec<(Option<String>, String)> = input
            .entries
            .iter()
            .map(|e| match &e.wanted {
                Wanted::NotIndex { name, reason } => (name.clone(), reason.clone()),
                Wanted::Index(r) => panic!("{} should be skipped", r.name),
            })
            .collect();
        assert_eq!(skipped.len(), 7);
        assert!(skipped[0].1.starts_with("editable install of ./src/mylib"));
        assert_eq!(skipped[1].0.as_deref(), Some("my-lib"));
        assert!(skipped[2].1.starts_with("local path ./local/pkg"));
        assert!(skipped[3].1.starts_with("local path wheels/foo"));
        assert!(skipped[4].1.starts_with("VCS requirement git+https://"));
        assert!(skipped[5].1.starts_with("URL requirement https://"));
        assert_eq!(skipped[6].0.as_deref(), Some("clip"));
        assert!(skipped[6].1.starts_with("direct URL reference"));
    }

    #[test]
    fn bad_lines_are_errors_with_exact_positions_and_the_rest_is_read() {
        let text = "numpy==2.1.3\nnumpy=>1.0\n  pandas >= 2 ; python_version >> '3'\nsix --frobnicate\nrequests \\\n  ==2.32.3 $\n-r\nidna\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        let errs = errors(&input);
        let at: Vec<(usize, usize)> = errs.iter().map(|e| (e.0, e.1)).collect();
        assert_eq!(at, [(2, 6), (3, 32), (4, 5), (6, 3), (7, 1)], "{errs:#?}");
        assert!(errs[2].2.contains("unknown option --frobnicate"));
        // The parser points at the specifier that holds the stray character, on the continued line.
        assert!(errs[3].2.contains("Trailing `$`"));
        assert!(errs[4].2.contains("needs a value"));
        let names = names(&input);
        assert_eq!(names, ["numpy", "idna"]);
    }

    #[test]
    fn a_non_ascii_short_option_is_an_error_not_a_panic() {
        let (input, _dir) = read(&[("requirements.txt", "-\u{e9}\nsix==1.0 -\u{e9}x\nidna\n")]);
        let errs = errors(&input);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].2.contains("unknown option -\u{e9}"));
        assert_eq!(names(&input), ["idna"]);
    }

    #[test]
    fn crlf_bom_and_environment_variables() {
        // SAFETY of the test: a variable name no other test reads.
        unsafe { std::env::set_var("MUSLCHECK_TEST_NUMPY_VERSION", "2.1.3") };
        let text = "\u{feff}numpy==${MUSLCHECK_TEST_NUMPY_VERSION}\r\nsix==1.16.0\r\n";
        let (input, _dir) = read(&[("requirements.txt", text)]);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        assert_eq!(
            index_req(&input.entries[0]).specifiers.to_string(),
            "==2.1.3"
        );
        assert_eq!(
            index_req(&input.entries[1]).specifiers.to_string(),
            "==1.16.0"
        );
    }

    #[test]
    fn unreadable_files_are_file_level_errors() {
        let input =
            read_requirement_files(&["/nonexistent/muslcheck/requirements.txt".to_string()]);
        assert_eq!(input.errors.len(), 1);
        assert_eq!(input.errors[0].line, None);
        let (input, _dir) = read(&[("bin.txt", "")]);
        assert!(input.errors.is_empty() && input.entries.is_empty());
    }
}
