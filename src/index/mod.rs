//! Asking a package index which files a project ships, and what each file's core metadata says.
//!
//! The layers, each using only those below it:
//! - leaves: the page types (`page.rs`), the answer types of the HTTP side (`answer.rs`), lookup errors
//!   (`error.rs`), redaction (`redact.rs`), the page decoders (`decode.rs` over `simple_json.rs`,
//!   `simple_html.rs` and the cache's own form `stored_page.rs`), and the wheel's zip directory (`wheel_zip.rs`);
//! - the transport (`transport.rs`, with `failure.rs`, `retry_after.rs`, `netrc.rs`): sending, retrying,
//!   credentials and size bounds, nothing of pages or the cache;
//! - the cache on disk (`cache.rs`), which knows only the leaves;
//! - the registry (`client.rs`): the pooled pages, core metadata, and the memo, over the cache and the transport;
//! - the `PackageSource` trait (`source.rs`), all the rest of muslcheck knows of an index, implemented by the
//!   registry and, in the tests, by an in-memory index.

mod answer;
mod cache;
mod client;
mod decode;
mod error;
mod failure;
mod netrc;
mod page;
mod redact;
mod retry_after;
mod simple_html;
mod simple_json;
mod source;
mod stored_page;
mod transport;
mod wheel_zip;

#[cfg(test)]
pub mod fake;

pub use cache::{CacheMode, CacheOptions, DEFAULT_MAX_MB, default_dir as default_cache_dir};
pub use client::{ClientError, IndexClient, IndexOptions};
pub use error::{Lookup, LookupError};
pub use netrc::{Netrc, locate as locate_netrc};
pub use page::{DecodeError, FileUrl, IndexFile, MetadataFile, PageFile, ProjectPage};
pub use redact::{redact, redact_text};
pub use source::{Later, PackageSource};
pub use transport::Backoff;

use url::Url;

/// The index asked when neither `--index-url`, `PIP_INDEX_URL` nor an `-i` line names one: PyPI's Simple API.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple/";

/// Every decoder of what an index, or the cache, hands back, on the same arbitrary bytes: PEP 691 JSON, PEP
/// 503 HTML, a stored page and a stored entry (the fuzz targets). None may panic or hang.
pub fn decode_any_answer(data: &[u8]) {
    let url = Url::parse("https://example.invalid/simple/demo/").expect("a fixed URL parses");
    // Each decoder, and the compact page it builds, read back in full.
    for content_type in [
        "application/vnd.pypi.simple.v1+json",
        "text/html",
        stored_page::CONTENT_TYPE,
    ] {
        let mut builder = page::PageBuilder::new("demo");
        if decode::decode_into(content_type, data, &url, &mut builder).is_ok() {
            for file in builder.finish().files() {
                let _ = (file.url(), file.metadata(), file.to_index_file());
            }
        }
    }
    let _ = cache::decode_entry(data.to_vec());
}

/// A wheel's METADATA found and read from bytes that end the file (the fuzz targets): its zip directory,
/// then the entry it points at. `None` when the bytes hold no readable METADATA.
pub fn metadata_from_wheel_tail(data: &[u8]) -> Option<String> {
    let total = data.len() as u64;
    let entry = match wheel_zip::find_in_tail(data, 0, total).ok()? {
        wheel_zip::Found::Entry(entry) => entry,
        wheel_zip::Found::NeedCentralDirectory(range) => {
            let start = usize::try_from(range.start).ok()?;
            let end = usize::try_from(range.end).ok()?;
            wheel_zip::find_in_central_directory(data.get(start..end)?).ok()?
        }
    };
    let range = entry.range();
    let start = usize::try_from(range.start).ok()?;
    let end = usize::try_from(range.end)
        .unwrap_or(usize::MAX)
        .min(data.len());
    wheel_zip::extract(&entry, data.get(start..end)?).ok()
}

/// Seconds since the Unix epoch by this machine's clock (0 for a clock set before it).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Lower-case hex, as hashes are written in cache keys and on index pages.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `%2B` → `+`: user names, passwords and file names in URLs are percent-encoded. A `%` not followed by two
/// hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("demo-1.3%2Blocal"), "demo-1.3+local");
        assert_eq!(percent_decode("p%40ss%3a%zz%4"), "p@ss:%zz%4");
        assert_eq!(percent_decode("%C3%A9%FF"), "é\u{fffd}");
    }
}
