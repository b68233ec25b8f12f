//! The one door to the PEP 440 / PEP 508 crates.
//!
//! `pep508_rs` re-exports the `pep440_rs` it was built with; taking both from here keeps the types in agreement
//! and keeps the rest of the code independent of the crates' paths.

pub use pep508_rs::pep440_rs::{Operator, Version, VersionSpecifiers};
pub use pep508_rs::{
    MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, Requirement, VersionOrUrl,
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

/// Whether a specifier set pins one exact version, as pip's PEP 592 rule reads it: `===`, or `==` without a
/// wildcard.
pub fn is_pinned(specifiers: &VersionSpecifiers) -> bool {
    specifiers
        .iter()
        .any(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual))
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
    use std::str::FromStr;

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
