//! A TOML dependency file being read: typed decoding with positions, so that every requirement and every
//! error can name its line (and the error its column) as well as its key path.

use std::ops::Range;

use serde::de::DeserializeOwned;

use super::{Input, InputError, Location, RequiresPython};

pub struct TomlFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
    /// The byte offset where each line starts, found on first use: a lock file of thousands of packages
    /// asks for the line of each, and scanning from the top every time made that quadratic.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl<'a> TomlFile<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Self {
        TomlFile {
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Decodes the whole file; a syntax or shape error names its line and column where the parser knows them.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(self.text)
            .map_err(|e| self.error(e.span(), format!("invalid TOML: {}", e.message().trim())))
    }

    /// Decodes the whole file, or records the error in `input` and gives `None`: the reader then stops,
    /// since a file that does not decode has no requirement to trust.
    pub fn decode<T: DeserializeOwned>(&self, input: &mut Input) -> Option<T> {
        self.parse().map_err(|e| input.errors.push(e)).ok()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let offset = (0..=offset)
            .rev()
            .find(|i| self.text.is_char_boundary(*i))
            .unwrap_or(0);
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The last line start at or before the offset.
        let line = starts.partition_point(|&start| start <= offset);
        let column = self.text[starts[line - 1]..offset].chars().count() + 1;
        (line, column)
    }

    pub fn location(&self, span: Range<usize>, key: impl Into<String>) -> Location {
        Location {
            path: self.path.to_string(),
            line: self.position(span.start).0,
            key: Some(key.into()),
        }
    }

    /// Records the project's requires-python (the first one the inputs declare wins): PEP 440 specifiers, or
    /// Poetry's constraint syntax, whose `||` makes a union. `Err` when it does not parse.
    pub fn declare_python(
        &self,
        declared: &toml::Spanned<String>,
        key: &str,
        poetry_syntax: bool,
        input: &mut Input,
    ) -> Result<(), InputError> {
        let text = declared.get_ref();
        let any_of = if poetry_syntax {
            super::poetry_syntax::python_alternatives(text)
        } else {
            crate::pep::parse_requires_python(text).map(|s| vec![s])
        };
        match any_of {
            Ok(any_of) => {
                let source = self.location(declared.span(), key);
                input.requires_python.get_or_insert(RequiresPython {
                    any_of,
                    text: text.clone(),
                    source,
                });
                Ok(())
            }
            Err(e) => Err(self.error(Some(declared.span()), format!("{key}: {e}"))),
        }
    }

    pub fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> InputError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.position(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        InputError {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_errors_name_line_and_column() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n  \"a\",\n  \"b\" \"c\",\n]\n";
        let file = TomlFile::new("pyproject.toml", text);
        assert_eq!(file.position(0), (1, 1));
        assert_eq!(file.position(text.find("\"a\"").unwrap()), (4, 3));
        let err = file.parse::<toml::Table>().unwrap_err();
        assert_eq!(
            (err.line, err.column),
            (Some(5), Some(7)),
            "{}",
            err.message
        );
        assert!(err.message.starts_with("invalid TOML"));
        // The same as counting from the top, at every offset (multi-byte characters and the end included).
        let sample = "a = \"é\"\n\n[x]\nb = \"ü€\"\n";
        let other = TomlFile::new("x.toml", sample);
        for offset in 0..=sample.len() + 2 {
            let at = (0..=offset.min(sample.len()))
                .rev()
                .find(|i| sample.is_char_boundary(*i))
                .unwrap();
            let before = &sample[..at];
            let counted = (
                before.matches('\n').count() + 1,
                before.rsplit('\n').next().unwrap().chars().count() + 1,
            );
            assert_eq!(other.position(offset), counted, "{offset}");
        }
    }
}
