//! The one reader of the data files under `data/`: facts kept as data, not code, so that a new Alpine or
//! Debian release, or what a project needs to build on Alpine, is a table row and a source line, reviewed as
//! such.
//!
//! - `images`: `data/images.toml`, the C library of each distribution release and the `python` image's tags.
//! - `packages`: `data/packages.toml`, what builds a project from source on Alpine and what to do instead, with
//!   `data/alpine-packages.txt`, the Alpine package names it may use.
//!
//! Every file is compiled in and decoded once. The tests validate every entry, so decoding cannot fail at run
//! time for a build whose tests passed.

mod images;
mod packages;

pub use images::{DebianRelease, Images, images, release_key};
#[cfg(test)]
pub use packages::Alternative;
pub use packages::{Knowledge, knowledge};

fn check_date(what: &str, date: &str) -> Result<(), String> {
    let b = date.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let month = date.get(5..7).and_then(|m| m.parse::<u8>().ok());
    let day = date.get(8..10).and_then(|d| d.parse::<u8>().ok());
    if shape && matches!(month, Some(1..=12)) && matches!(day, Some(1..=31)) {
        Ok(())
    } else {
        Err(format!("{what}: date '{date}' is not YYYY-MM-DD"))
    }
}

/// A source names a document (release notes, a repository file, a package page, an issue by repository and
/// number), never a host: the data must not read like a list of places to fetch from.
fn check_source(what: &str, source: &str) -> Result<(), String> {
    if source.trim().len() < 10 {
        return Err(format!("{what}: source is missing"));
    }
    if names_a_host(source) {
        return Err(format!(
            "{what}: source names a host; name the document instead"
        ));
    }
    Ok(())
}

/// A URL, `www.…`, or a word ending in a common top-level domain (`….org`, `….io`): the shapes a host takes.
/// Version numbers (`3.12`) and file names (`images.toml`) do not match.
fn names_a_host(text: &str) -> bool {
    const DOMAINS: [&str; 6] = ["org", "com", "io", "net", "dev", "cn"];
    if text.contains("://") || text.contains("www.") {
        return true;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    text.split(|c: char| !word(c)).any(|token| {
        let token = token.trim_end_matches('.');
        match token.rsplit_once('.') {
            Some((left, tld)) => {
                DOMAINS.contains(&tld) && left.chars().any(|c| c.is_ascii_alphabetic())
            }
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_recognised() {
        for host in [
            "see https://example.invalid/x",
            "www.example",
            "the index at index.example.org",
            "files.example.org/packages",
            "registry.example.io/team",
            "distro.example.org.",
        ] {
            assert!(names_a_host(host), "{host}");
        }
        for fine in [
            "Alpine Linux release notes, 3.20.0",
            "musl 1.2.4_git20230717",
            "data/images.toml and src/data/mod.rs",
            "docker-library/python pull request 1123",
            "libssl3 3.5.8, v3.23/main",
        ] {
            assert!(!names_a_host(fine), "{fine}");
        }
    }

    #[test]
    fn dates_and_sources() {
        assert!(check_date("d", "2026-11-23").is_ok());
        assert!(check_date("d", "2026-13-01").is_err());
        assert!(check_source("s", "short").is_err());
        assert!(check_source("s", "the page at example.org, section 2").is_err());
        assert!(check_source("s", "PyPI project page, release history").is_ok());
    }
}
