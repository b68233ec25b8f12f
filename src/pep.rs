//! The one door to the PEP 440 / PEP 508 crates.
//!
//! `pep508_rs` re-exports the `pep440_rs` it was built with; taking both from here keeps the types in agreement
//! and keeps the rest of the code independent of the crates' paths.

use std::cell::Cell;
use std::path::Path;
use std::str::FromStr;
use std::sync::Once;

pub use pep508_rs::pep440_rs::{Operator, Version, VersionSpecifiers};
pub use pep508_rs::{
    ExtraName, MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, Requirement, VerbatimUrl,
    VersionOrUrl,
};

/// PEP 503 normalization of a project name: lower case, runs of `-`, `_`, `.` folded to one `-`.
///
/// `PackageName` does this for names that are valid; this one also takes whatever a file name or a page
/// holds, so that comparisons never fail on a name that is merely odd.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.extend(c.to_lowercase());
            last_sep = false;
        }
    }
    out
}

/// Whether `name` normalizes to `normalized` (a PEP 503 name), without building the normalized text: every
/// file name of every page is compared with its project's name.
pub fn normalizes_to(name: &str, normalized: &str) -> bool {
    let mut want = normalized.chars();
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep && want.next() != Some('-') {
                return false;
            }
            last_sep = true;
        } else {
            if c.is_ascii() {
                if want.next() != Some(c.to_ascii_lowercase()) {
                    return false;
                }
            } else if !c.to_lowercase().all(|l| want.next() == Some(l)) {
                return false;
            }
            last_sep = false;
        }
    }
    want.next().is_none()
}

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}
static QUIET_HOOK: Once = Once::new();

/// Runs a parser of the PEP crates on untrusted text, turning a panic into `None`: they have a few on odd
/// input (a non-ASCII character after a quoted marker value, say), and bad input must never end the run.
/// The panic message is not printed for these; panics anywhere else still are.
pub fn guarded<T>(parse: impl FnOnce() -> T) -> Option<T> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).ok();
    GUARDED.with(|g| g.set(false));
    result
}

const PARSER_FAILED: &str = "the parser could not read it";

/// The deepest bracket nesting a marker may have. The parsers recurse once per bracket, so thousands of them
/// (6 KB of text from an index's metadata, or a checkout) overflow the stack; real markers nest two or three
/// deep. pip stops such text with an error too.
pub const MAX_NESTING: usize = 64;

/// Refuses text whose brackets (outside quoted strings) nest deeper than [`MAX_NESTING`]; `Err` holds the
/// byte offset of the bracket too many and the message.
pub fn check_nesting(text: &str) -> Result<(), (usize, String)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err((
                        i,
                        format!("brackets nested deeper than {MAX_NESTING} levels"),
                    ));
                }
            }
            (None, ')' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A PEP 508 requirement; `Err` holds the byte offset of the problem and the message.
pub fn parse_requirement(
    text: &str,
    dir: &Path,
) -> Result<Requirement<VerbatimUrl>, (usize, String)> {
    check_leading_name(text)?;
    check_nesting(text)?;
    match guarded(|| Requirement::<VerbatimUrl>::parse(text, dir)) {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => {
            // The crate counts characters, not bytes.
            let offset = text
                .char_indices()
                .nth(e.start)
                .map_or(text.len(), |(i, _)| i);
            Err((offset, e.message.to_string()))
        }
        None => Err((0, PARSER_FAILED.to_string())),
    }
}

/// A PEP 508 marker expression.
pub fn parse_marker(text: &str) -> Result<MarkerTree, String> {
    check_nesting(text).map_err(|(_, message)| message)?;
    match guarded(|| MarkerTree::from_str(text)) {
        Some(Ok(m)) => Ok(m),
        Some(Err(e)) => Err(e.message.to_string()),
        None => Err(PARSER_FAILED.to_string()),
    }
}

/// PEP 440 version specifiers (`>=1.0, <2`).
pub fn parse_specifiers(text: &str) -> Result<VersionSpecifiers, String> {
    match guarded(|| VersionSpecifiers::from_str(text)) {
        Some(Ok(s)) => Ok(s),
        Some(Err(e)) => Err(e.to_string()),
        None => Err(PARSER_FAILED.to_string()),
    }
}

/// A `requires-python` value as `packaging`'s `SpecifierSet` reads it: empty items (`">=3.8,"`) are dropped.
pub fn parse_requires_python(text: &str) -> Result<VersionSpecifiers, String> {
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    parse_specifiers(&items.join(","))
}

/// A PEP 440 version.
pub fn parse_version(text: &str) -> Result<Version, String> {
    match guarded(|| Version::from_str(text)) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(e.to_string()),
        None => Err(PARSER_FAILED.to_string()),
    }
}

/// A requirement string's name, checked before `pep508_rs` sees it: its parser takes a name ending in `.`,
/// `-` or `_` when more text follows, then panics on validating it. `Err` holds the byte offset and message.
pub fn check_leading_name(text: &str) -> Result<(), (usize, String)> {
    let start = text.len() - text.trim_start().len();
    let token = text[start..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .next()
        .unwrap_or("");
    if token.ends_with(['.', '-', '_']) {
        let at = start + token.len() - 1;
        return Err((
            at,
            format!("project name '{token}' must end with a letter or digit"),
        ));
    }
    Ok(())
}

/// Whether a specifier set pins one exact version, as pip's PEP 592 rule reads it: `===`, or `==` without a
/// wildcard.
pub fn is_pinned(specifiers: &VersionSpecifiers) -> bool {
    specifiers
        .iter()
        .any(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual))
}

/// `==version`: the specifier set that admits exactly one version (local versions included, as `==` does).
pub fn exactly(version: &Version) -> VersionSpecifiers {
    VersionSpecifiers::from(pep508_rs::pep440_rs::VersionSpecifier::equals_version(
        version.clone(),
    ))
}

/// The versions a specifier set admits, with PEP 440's pre-release policy as `packaging` (26) applies it:
/// pre-releases count when asked for (`allow_pre`, pip's `--pre`), when a specifier names one (any operator but
/// `!=` and `==X.*`), or when no final release matches; otherwise only final releases do.
pub fn filter_versions<'a>(
    specifiers: &VersionSpecifiers,
    versions: impl IntoIterator<Item = &'a Version>,
    allow_pre: bool,
) -> Vec<&'a Version> {
    let names_pre = specifiers.iter().any(|s| {
        !matches!(
            s.operator(),
            Operator::NotEqual | Operator::NotEqualStar | Operator::EqualStar
        ) && s.version().any_prerelease()
    });
    let matching: Vec<&Version> = versions
        .into_iter()
        .filter(|v| specifiers.contains(v))
        .collect();
    if allow_pre || names_pre {
        return matching;
    }
    let finals: Vec<&Version> = matching
        .iter()
        .copied()
        .filter(|v| !v.any_prerelease())
        .collect();
    if finals.is_empty() { matching } else { finals }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_to_agrees_with_normalize() {
        let names = [
            "Foo_Bar",
            "foo.bar",
            "foo--bar",
            "FOO-._bar",
            "foo",
            "foob",
            "fo",
            "-foo",
            "foo-",
            "",
            "Straße",
            "STRASSE",
            "İx",
            "ǅemo",
            "a.-_b.c",
            "A_B_C",
            "a-b-c-",
            "ÄBC",
        ];
        for name in names {
            for other in names {
                let normalized = normalize(other);
                assert_eq!(
                    normalizes_to(name, &normalized),
                    normalize(name) == normalized,
                    "{name} against {normalized}"
                );
            }
        }
    }

    #[test]
    fn deeply_nested_markers_are_an_error_not_a_stack_overflow() {
        let deep = |n: usize| {
            format!(
                "demo; {}python_version >= '3'{}",
                "(".repeat(n),
                ")".repeat(n)
            )
        };
        assert!(parse_requirement(&deep(MAX_NESTING), Path::new("")).is_ok());
        let (offset, message) = parse_requirement(&deep(3000), Path::new("")).unwrap_err();
        assert_eq!(offset, "demo; ".len() + MAX_NESTING);
        assert!(message.contains("nested deeper than 64"), "{message}");
        assert!(parse_marker(&"(".repeat(100_000)).is_err());
        // Brackets inside quoted strings are text.
        let quoted = format!("demo; platform_release == '{}'", "(".repeat(500));
        assert!(parse_requirement(&quoted, Path::new("")).is_ok());
    }

    fn versions(list: &[&str]) -> Vec<Version> {
        list.iter().map(|v| Version::from_str(v).unwrap()).collect()
    }

    fn filtered(spec: &str, list: &[&str]) -> Vec<String> {
        let specs = VersionSpecifiers::from_str(spec).unwrap();
        let vs = versions(list);
        filter_versions(&specs, &vs, false)
            .iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn parser_panics_become_errors() {
        let marker = "sys_platform == \"win32\"\u{e9} or platform_system == \"Windows\"";
        assert!(parse_marker(marker).is_err());
        assert!(parse_requirement(&format!("pywin32==308 ; {marker}"), Path::new("")).is_err());
        assert!(parse_requirement("c8.~30", Path::new("")).is_err());
        assert!(parse_specifiers(">=1.0, <2").is_ok());
        assert_eq!(
            parse_requires_python(" , >=3.7,,<3.13, ")
                .unwrap()
                .to_string(),
            ">=3.7, <3.13"
        );
        assert!(parse_requires_python(">=3.6.*").is_err());
    }

    #[test]
    fn names_the_pep_508_parser_would_panic_on_are_refused() {
        assert!(
            check_leading_name("c8.~30")
                .unwrap_err()
                .1
                .contains("'c8.'")
        );
        assert_eq!(check_leading_name("  foo_ >=1").unwrap_err().0, 5);
        assert!(check_leading_name("numpy==2").is_ok());
        assert!(check_leading_name("").is_ok());
    }

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize("Friendly_Bard..x"), "friendly-bard-x");
        assert_eq!(normalize("ruamel.yaml.clib"), "ruamel-yaml-clib");
        assert_eq!(normalize("NumPy"), "numpy");
    }

    #[test]
    fn pre_releases_only_when_no_final_matches() {
        assert_eq!(filtered(">=1.0", &["1.0", "1.1a1"]), ["1.0"]);
        assert_eq!(filtered(">=1.2", &["1.0", "1.3b1"]), ["1.3b1"]);
        assert_eq!(
            filtered("", &["2.0rc1", "2.0.dev3"]),
            ["2.0rc1", "2.0.dev3"]
        );
    }

    #[test]
    fn pre_releases_when_a_specifier_names_one() {
        assert_eq!(
            filtered(">=1.1a1", &["1.0", "1.1a2", "1.1"]),
            ["1.1a2", "1.1"]
        );
        // `!=` naming a pre-release does not open the door (packaging's rule)
        assert_eq!(filtered("!=1.1a1", &["1.0", "1.1a2"]), ["1.0"]);
    }

    #[test]
    fn pinned_means_exact_equality_without_wildcard() {
        let pinned = |s: &str| is_pinned(&VersionSpecifiers::from_str(s).unwrap());
        assert!(pinned("==1.2.3"));
        assert!(pinned("===1.2.3"));
        assert!(!pinned("==1.2.*"));
        assert!(!pinned(">=1,<2"));
    }
}
