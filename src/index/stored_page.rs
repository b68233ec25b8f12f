//! A project page as the cache stores it: the decoded file list in a compact binary form instead of the
//! index's JSON or HTML. Decoding 41 MB of PEP 691 JSON was a quarter of a cached run of the 792-pin benchmark;
//! this form is half the size and needs no parsing beyond lengths.
//!
//! Layout, little-endian: the number of files (u32), then per file: filename, URL, `requires-python` and the
//! yank reason as strings (u32 length, UTF-8 bytes), the last two and the size each behind a presence byte,
//! then what the page said of the file's core metadata: a byte (0 unsaid, 1 absent, 2 present, 3 present with
//! a SHA-256), the hash following a 3.
//! Anything that does not fit is a `DecodeError`, never a panic: an index could send this content type too.

use crate::index::page::{Announced, FileFacts, PageBuilder};
use crate::index::{DecodeError, IndexFile, MetadataFile};

/// The content type the cache stores a decoded page under; `decode_page` knows it. It names the layout's
/// version and is part of a page's cache key, so a page stored in an older layout is never read as this one.
pub(in crate::index) const CONTENT_TYPE: &str = "application/x.muslcheck.page.v2";

/// The smallest a file can be: a count of files may not promise more than the bytes can hold.
const MIN_FILE_LEN: usize = 4 + 4 + 1 + 1 + 1 + 1;

pub(in crate::index) fn encode(files: &[IndexFile]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for file in files {
        put_str(&mut out, &file.filename);
        put_str(&mut out, &file.url.0);
        put_optional(&mut out, file.requires_python.as_deref(), put_str);
        put_optional(&mut out, file.yanked.as_deref(), put_str);
        put_optional(&mut out, file.size, |out, size| {
            out.extend_from_slice(&size.to_le_bytes())
        });
        match &file.metadata {
            MetadataFile::Unsaid => out.push(0),
            MetadataFile::Absent => out.push(1),
            MetadataFile::Present { sha256: None } => out.push(2),
            MetadataFile::Present {
                sha256: Some(sha256),
            } => {
                out.push(3);
                put_str(&mut out, sha256);
            }
        }
    }
    out
}

pub(in crate::index) fn decode(body: &[u8]) -> Result<Vec<IndexFile>, DecodeError> {
    let mut files = Vec::new();
    read(body, |file| {
        files.push(file.to_index_file());
        Ok(())
    })?;
    Ok(files)
}

/// The page in `body` added to `page` file by file, read in place: a cached run reads hundreds of thousands
/// of files this way.
pub(in crate::index) fn decode_into(
    body: &[u8],
    page: &mut PageBuilder,
) -> Result<(), DecodeError> {
    read(body, |file| {
        page.push(file)
            .map_err(|e| DecodeError(format!("cached page: {e}")))
    })
}

fn read(
    body: &[u8],
    mut each: impl FnMut(FileFacts<'_>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut reader = Reader { rest: body };
    let count = reader.u32()? as usize;
    if count > body.len() / MIN_FILE_LEN {
        return Err(bad("more files than bytes"));
    }
    for _ in 0..count {
        each(FileFacts {
            filename: reader.str()?,
            url: reader.str()?,
            requires_python: reader.optional(Reader::str)?,
            yanked: reader.optional(Reader::str)?,
            size: reader.optional(Reader::u64)?,
            metadata: reader.announced()?,
        })?;
    }
    if !reader.rest.is_empty() {
        return Err(bad("bytes after the last file"));
    }
    Ok(())
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn put_optional<T>(out: &mut Vec<u8>, value: Option<T>, put: impl FnOnce(&mut Vec<u8>, T)) {
    match value {
        Some(v) => {
            out.push(1);
            put(out, v);
        }
        None => out.push(0),
    }
}

fn bad(why: &str) -> DecodeError {
    DecodeError(format!("damaged cached page: {why}"))
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.rest.len() {
            return Err(bad("cut short"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(buf))
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| bad("text that is not UTF-8"))
    }

    fn announced(&mut self) -> Result<Announced<'a>, DecodeError> {
        Ok(match self.take(1)?[0] {
            0 => Announced::Unsaid,
            1 => Announced::Absent,
            2 => Announced::Present { sha256: None },
            3 => Announced::Present {
                sha256: Some(self.str()?),
            },
            _ => return Err(bad("an unknown core-metadata byte")),
        })
    }

    fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        match self.take(1)?[0] {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(bad("a presence byte that is neither 0 nor 1")),
        }
    }
}
