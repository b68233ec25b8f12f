//! One stored answer as a file: a fixed header (magic, lengths, CRC-32), the metadata as text lines, the body.
//! A file that is cut short, too long, or altered does not decode, and is then fetched again.

use url::Url;

use super::LAYOUT;
use super::freshness::{Caching, Conditional, Kind, expiry};
use crate::index::answer::Fetched;
use crate::index::redact::redact;

/// The first bytes of every entry; the last one is the format version.
const MAGIC: &[u8; 8] = b"MUSLCHK\x01";
/// Magic, meta length (u32), body length (u64), CRC-32 of meta and body (u32).
pub(super) const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// One stored answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    /// The URL without credentials, for whoever looks into the cache.
    pub url: String,
    /// False when the index said the file is not there (404, 410, or a status the caller counts as absent).
    pub found: bool,
    pub content_type: String,
    pub partial: bool,
    pub total: Option<u64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Seconds since the epoch.
    pub fetched: u64,
    pub expires: u64,
    /// The body after content decoding (gzip is undone before it is stored).
    pub body: Vec<u8>,
}

/// An entry file that is not a whole, intact entry.
#[derive(Debug, PartialEq)]
pub(super) struct Damaged(pub(super) &'static str);

impl Entry {
    pub(super) fn from_reply(url: &Url, reply: Option<Fetched>, kind: Kind, now: u64) -> Entry {
        let mut entry = Entry {
            url: redact(url),
            found: reply.is_some(),
            content_type: String::new(),
            partial: false,
            total: None,
            etag: None,
            last_modified: None,
            fetched: now,
            expires: now.saturating_add(kind.default_lifetime().as_secs()),
            body: Vec::new(),
        };
        if let Some(f) = reply {
            entry.expires = expiry(&f.caching, kind, now);
            entry.content_type = f.content_type;
            entry.partial = f.partial;
            entry.total = f.total;
            entry.etag = f.caching.etag;
            entry.last_modified = f.caching.last_modified;
            entry.body = f.body;
        }
        entry
    }

    pub(super) fn into_fetched(self) -> Option<Fetched> {
        self.found.then(|| Fetched {
            final_url: None,
            content_type: self.content_type,
            partial: self.partial,
            total: self.total,
            body: self.body,
            caching: Caching::default(),
        })
    }

    pub(super) fn conditional(&self) -> Conditional {
        Conditional {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }

    /// A 304 confirms the body: the entry gets the new freshness, and any validator the 304 replaces.
    pub(super) fn refreshed(mut self, caching: &Caching, kind: Kind, now: u64) -> Entry {
        self.fetched = now;
        self.expires = expiry(caching, kind, now);
        if caching.etag.is_some() {
            self.etag = caching.etag.clone();
        }
        if caching.last_modified.is_some() {
            self.last_modified = caching.last_modified.clone();
        }
        self
    }

    /// `MAGIC`, meta length, body length, CRC-32 of meta + body, the meta as `name value` lines, the body.
    pub(super) fn encode(&self) -> Vec<u8> {
        let meta = self.encode_meta();
        let mut crc = crc32fast::Hasher::new();
        crc.update(meta.as_bytes());
        crc.update(&self.body);
        let mut out = Vec::with_capacity(HEADER_LEN + meta.len() + self.body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.body.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(meta.as_bytes());
        out.extend_from_slice(&self.body);
        out
    }

    fn encode_meta(&self) -> String {
        let mut lines = vec![
            ("url", self.url.clone()),
            ("found", u8::from(self.found).to_string()),
            ("content-type", self.content_type.clone()),
            ("partial", u8::from(self.partial).to_string()),
            ("fetched", self.fetched.to_string()),
            ("expires", self.expires.to_string()),
        ];
        let optional = [
            ("total", self.total.map(|t| t.to_string())),
            ("etag", self.etag.clone()),
            ("last-modified", self.last_modified.clone()),
        ];
        lines.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
        let mut meta = String::new();
        // Header values cannot hold a line break; a value that does anyway is left out rather than split.
        for (name, value) in lines.into_iter().filter(|(_, v)| !v.contains(['\n', '\r'])) {
            meta.push_str(name);
            meta.push(' ');
            meta.push_str(&value);
            meta.push('\n');
        }
        meta
    }

    /// The body stays in the buffer it was read into (a cached run reads tens of MB of pages).
    pub(super) fn decode(mut bytes: Vec<u8>) -> Result<Entry, Damaged> {
        let header = bytes
            .get(..HEADER_LEN)
            .ok_or(Damaged("shorter than its header"))?;
        if &header[..8] != MAGIC {
            return Err(Damaged("not an entry of this version"));
        }
        let number = |range: std::ops::Range<usize>| {
            let mut buf = [0u8; 8];
            buf[..range.len()].copy_from_slice(&header[range]);
            u64::from_le_bytes(buf)
        };
        let (meta_len, body_len, crc) = (number(8..12), number(12..20), number(20..24));
        let rest = &bytes[HEADER_LEN..];
        if Some(rest.len() as u64) != meta_len.checked_add(body_len) {
            return Err(Damaged("its length does not match its header (truncated?)"));
        }
        let (meta, body) = rest.split_at(meta_len as usize);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(meta);
        hasher.update(body);
        if u64::from(hasher.finalize()) != crc {
            return Err(Damaged("its checksum does not match"));
        }
        let meta = std::str::from_utf8(meta).map_err(|_| Damaged("its header is not UTF-8"))?;
        let mut entry = Entry::from_meta(meta)?;
        bytes.drain(..HEADER_LEN + meta_len as usize);
        entry.body = bytes;
        Ok(entry)
    }

    fn from_meta(meta: &str) -> Result<Entry, Damaged> {
        let mut entry = Entry {
            url: String::new(),
            found: false,
            content_type: String::new(),
            partial: false,
            total: None,
            etag: None,
            last_modified: None,
            fetched: 0,
            expires: 0,
            body: Vec::new(),
        };
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| Damaged("a number does not parse"))
        };
        for line in meta.lines() {
            let (name, value) = line.split_once(' ').unwrap_or((line, ""));
            match name {
                "url" => entry.url = value.to_string(),
                "found" => entry.found = value == "1",
                "content-type" => entry.content_type = value.to_string(),
                "partial" => entry.partial = value == "1",
                "total" => entry.total = Some(number(value)?),
                "etag" => entry.etag = Some(value.to_string()),
                "last-modified" => entry.last_modified = Some(value.to_string()),
                "fetched" => entry.fetched = number(value)?,
                "expires" => entry.expires = number(value)?,
                _ => {}
            }
        }
        Ok(entry)
    }
}

/// The name of a request's entry: SHA-256 over everything that can change the answer, and for a page the
/// form it is stored in. The credentials go into the hash only, never into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::index) struct Key(pub(super) String);

impl Key {
    pub fn new(
        url: &Url,
        kind: Kind,
        accept: &str,
        range: Option<&str>,
        credentials: Option<&[u8]>,
    ) -> Key {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        let url = redact(url);
        // A page is stored in the cache's own form, so a page of an older form is never read as this one;
        // any other answer is stored as it came, and its key stays what it was.
        let stored_as =
            (kind == Kind::Page).then_some(crate::index::stored_page::CONTENT_TYPE.as_bytes());
        for part in stored_as.into_iter().chain([
            LAYOUT.as_bytes(),
            url.as_bytes(),
            accept.as_bytes(),
            range.unwrap_or("").as_bytes(),
            credentials.unwrap_or(b""),
        ]) {
            // Length-prefixed, so that no two different requests hash the same bytes.
            context.update(&(part.len() as u64).to_le_bytes());
            context.update(part);
        }
        let digest = context.finish();
        Key(crate::index::hex(digest.as_ref()))
    }
}
