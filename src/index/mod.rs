//! Asking a package index which files a project ships: the HTTP client, and decoders for the two page formats
//! of the Simple Repository API (PEP 691 JSON, PEP 503 HTML).

mod client;
mod simple_html;
mod simple_json;
mod wheel_zip;

pub use client::{IndexClient, IndexOptions, Lookup};

use url::Url;

/// The index asked when neither `--index-url`, `PIP_INDEX_URL` nor an `-i` line names one: PyPI's Simple API.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple/";

/// One file listed on a project's page, in page order.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFile {
    pub filename: String,
    /// Absolute: relative links are resolved against the page URL when the page is read.
    pub url: Url,
    /// `requires-python` as the index gives it (PEP 503 `data-requires-python`, PEP 691 `requires-python`).
    pub requires_python: Option<String>,
    /// PEP 592: `Some(reason)` when yanked (the reason may be empty).
    pub yanked: Option<String>,
    pub size: Option<u64>,
}

/// What an index page says of one project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectPage {
    pub files: Vec<IndexFile>,
}

/// A page could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(String);

/// The index URL with any user name and password taken out: the only form that is ever printed.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    // Setting these fails only for URLs that cannot carry credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// `%2B` → `+`: user names, passwords and file names in URLs are percent-encoded.
pub(crate) fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Any text with the `user:password@` of its URLs taken out (pip's `redact_auth_from_url`, for every URL in
/// a line): requirement lines, reasons and errors may quote a URL the user wrote with credentials.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(['/', ' ', '\t', '"', '\'', '#', '?'])
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => rest = &tail[userinfo_end + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_any_text() {
        assert_eq!(
            redact_text(
                "foo @ https://alice:s3cr3t@example.invalid/foo-1.0.tar.gz: not from the index"
            ),
            "foo @ https://example.invalid/foo-1.0.tar.gz: not from the index"
        );
        assert_eq!(
            redact_text("-e git+https://ghp_TOKEN123@example.invalid/x/y.git#egg=y"),
            "-e git+https://example.invalid/x/y.git#egg=y"
        );
        assert_eq!(
            redact_text("git+ssh://git@example.invalid/x.git@v1"),
            "git+ssh://example.invalid/x.git@v1"
        );
        assert_eq!(redact_text("numpy==2.1.3"), "numpy==2.1.3");
    }

    #[test]
    fn redact_drops_credentials() {
        let url = Url::parse("https://user:s3cret@example.invalid/simple/").unwrap();
        assert_eq!(redact(&url), "https://example.invalid/simple/");
        let token = Url::parse("https://__token__@example.invalid/simple/").unwrap();
        assert!(!redact(&token).contains("token"));
    }
}
