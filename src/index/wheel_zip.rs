//! Reading `*.dist-info/METADATA` out of a wheel (a zip archive) from a few byte ranges of it, for the wheels
//! whose index serves no PEP 658 `.metadata` file: pip then reads the metadata from the wheel itself.
//!
//! The zip format (APPNOTE 6.3): the end-of-central-directory record (EOCD, optionally preceded by its zip64
//! form) at the end names the central directory; its entry for METADATA gives the local header's offset, the
//! compression method and the compressed size. Pure functions over bytes; the client fetches the ranges.

use std::ops::Range;

use super::error::LookupError;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;
const LOCAL_HEADER_LEN: u64 = 30;
/// The tail to fetch first: the EOCD with the longest comment, and most wheels' whole central directory.
pub const TAIL_LEN: u64 = 64 * 1024;

/// Where METADATA lies in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEntry {
    local_header: u64,
    compressed_size: u64,
    method: u16,
    name_len: u64,
}

/// The most METADATA that is read, compressed or not: real ones, long descriptions included, stay far below;
/// a wheel built to inflate to gigabytes (a zip bomb) stops here.
const MAX_METADATA: u64 = 16 * 1024 * 1024;

impl MetadataEntry {
    /// The byte range to fetch that holds the local header and the data, with room for a local extra field.
    pub fn range(&self) -> Range<u64> {
        let start = self.local_header;
        let len = (LOCAL_HEADER_LEN + self.name_len + 1024).saturating_add(self.compressed_size);
        start..start.saturating_add(len)
    }
}

/// What reading the tail found: the entry, or the central directory range still to fetch.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    Entry(MetadataEntry),
    NeedCentralDirectory(Range<u64>),
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Why METADATA could not be read out of a wheel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ZipError {
    message: String,
    /// Beyond the bound on METADATA, rather than damaged.
    too_large: bool,
}

impl ZipError {
    fn too_large(message: String) -> Self {
        ZipError {
            message,
            too_large: true,
        }
    }
}

impl From<&str> for ZipError {
    fn from(message: &str) -> Self {
        ZipError::from(message.to_string())
    }
}

impl From<String> for ZipError {
    fn from(message: String) -> Self {
        ZipError {
            message,
            too_large: false,
        }
    }
}

impl From<ZipError> for LookupError {
    fn from(e: ZipError) -> Self {
        if e.too_large {
            LookupError::too_large(e.message)
        } else {
            LookupError::decode(e.message)
        }
    }
}

/// Finds METADATA from the archive's last bytes. `tail` holds bytes `tail_start..total` of the file.
pub fn find_in_tail(tail: &[u8], tail_start: u64, total: u64) -> Result<Found, ZipError> {
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(tail, i) == Some(EOCD_SIG))
        .ok_or("no end of central directory: not a zip archive")?;
    let mut cd_size = u64::from(u32_at(tail, eocd + 12).ok_or("truncated EOCD")?);
    let mut cd_offset = u64::from(u32_at(tail, eocd + 16).ok_or("truncated EOCD")?);
    if (cd_offset == u64::from(u32::MAX) || cd_size == u64::from(u32::MAX)) && eocd >= 20 {
        // Zip64: the locator just before the EOCD names the zip64 EOCD record.
        if u32_at(tail, eocd - 20) == Some(ZIP64_LOCATOR_SIG) {
            let record = u64_at(tail, eocd - 12).ok_or("truncated zip64 locator")?;
            let at = record
                .checked_sub(tail_start)
                .ok_or("zip64 record before the fetched tail")? as usize;
            if u32_at(tail, at) != Some(ZIP64_EOCD_SIG) {
                return Err("bad zip64 end of central directory".into());
            }
            cd_size = u64_at(tail, at + 40).ok_or("truncated zip64 EOCD")?;
            cd_offset = u64_at(tail, at + 48).ok_or("truncated zip64 EOCD")?;
        }
    }
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > total) {
        return Err("central directory lies outside the file".into());
    }
    if cd_offset < tail_start {
        return Ok(Found::NeedCentralDirectory(cd_offset..cd_offset + cd_size));
    }
    let start = (cd_offset - tail_start) as usize;
    find_in_central_directory(&tail[start..]).map(Found::Entry)
}

/// Finds the METADATA entry in a buffer that starts with the central directory.
pub fn find_in_central_directory(cd: &[u8]) -> Result<MetadataEntry, ZipError> {
    let mut at = 0;
    while u32_at(cd, at) == Some(CENTRAL_SIG) {
        let field = |off: usize| {
            u16_at(cd, at + off)
                .map(u64::from)
                .ok_or("truncated central directory")
        };
        let method = field(10)? as u16;
        let mut compressed_size =
            u64::from(u32_at(cd, at + 20).ok_or("truncated central directory")?);
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let mut local_header = u64::from(u32_at(cd, at + 42).ok_or("truncated central directory")?);
        let name_start = at + 46;
        let name = cd
            .get(name_start..name_start + name_len as usize)
            .ok_or("truncated file name")?;
        let name = String::from_utf8_lossy(name);
        // The wheel's own `<name>-<version>.dist-info/METADATA`, at the top of the archive (PEP 427).
        let is_metadata = name.ends_with(".dist-info/METADATA") && name.matches('/').count() == 1;
        if is_metadata {
            let extra_start = name_start + name_len as usize;
            let extra = cd
                .get(extra_start..extra_start + extra_len as usize)
                .unwrap_or(&[]);
            let uncompressed = u32_at(cd, at + 24);
            zip64_sizes(extra, &mut compressed_size, &mut local_header, uncompressed);
            let declared = uncompressed.filter(|&u| u != u32::MAX).map(u64::from);
            if let Some(size) = declared.filter(|&u| u > MAX_METADATA) {
                return Err(ZipError::too_large(format!(
                    "METADATA declares {size} bytes uncompressed, more than the {MAX_METADATA} read"
                )));
            }
            if compressed_size > MAX_METADATA {
                return Err(ZipError::too_large(format!(
                    "METADATA is {compressed_size} bytes compressed, more than the {MAX_METADATA} read"
                )));
            }
            return Ok(MetadataEntry {
                local_header,
                compressed_size,
                method,
                name_len,
            });
        }
        at = name_start + (name_len + extra_len + comment_len) as usize;
    }
    Err("the wheel has no .dist-info/METADATA".into())
}

/// Replaces 0xFFFFFFFF sizes and offsets by their values in the zip64 extra field (id 0x0001), in the
/// field's fixed order: uncompressed size, compressed size, local header offset.
fn zip64_sizes(extra: &[u8], compressed: &mut u64, offset: &mut u64, uncompressed: Option<u32>) {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body = at + 4;
        if id == 1 {
            let mut pos = body;
            if uncompressed == Some(u32::MAX) {
                pos += 8;
            }
            if *compressed == u64::from(u32::MAX) {
                if let Some(v) = u64_at(extra, pos) {
                    *compressed = v;
                }
                pos += 8;
            }
            if *offset == u64::from(u32::MAX)
                && let Some(v) = u64_at(extra, pos)
            {
                *offset = v;
            }
            return;
        }
        at = body + usize::from(len);
    }
}

/// The METADATA text from the bytes of `entry.range()` (or fewer, when the file ends sooner).
pub fn extract(entry: &MetadataEntry, bytes: &[u8]) -> Result<String, ZipError> {
    if u32_at(bytes, 0) != Some(LOCAL_SIG) {
        return Err("no local file header where the central directory points".into());
    }
    let name_len = usize::from(u16_at(bytes, 26).ok_or("truncated local header")?);
    let extra_len = usize::from(u16_at(bytes, 28).ok_or("truncated local header")?);
    let start = LOCAL_HEADER_LEN as usize + name_len + extra_len;
    let data = bytes
        .get(start..start + entry.compressed_size as usize)
        .ok_or("METADATA lies past the fetched bytes")?;
    let raw = match entry.method {
        0 => data.to_vec(),
        // The error holds what was inflated so far: only its status is told.
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, MAX_METADATA as usize)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ZipError::too_large(format!(
                    "METADATA inflates to more than {MAX_METADATA} bytes"
                )),
                status => ZipError::from(format!("METADATA does not inflate ({status:?})")),
            })?,
        other => {
            return Err(ZipError::from(format!(
                "METADATA is compressed with method {other}, which pip cannot read either"
            )));
        }
    };
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A zip archive of (name, content, deflate?) entries, as a wheel builder writes one.
    pub fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content, deflate) in entries {
            let data = if *deflate {
                miniz_oxide::deflate::compress_to_vec(content, 6)
            } else {
                content.to_vec()
            };
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            let header = |sig: u32, buf: &mut Vec<u8>, central: bool| {
                buf.extend(sig.to_le_bytes());
                if central {
                    buf.extend(20u16.to_le_bytes());
                }
                buf.extend(20u16.to_le_bytes());
                buf.extend(0u16.to_le_bytes());
                buf.extend(method.to_le_bytes());
                buf.extend([0u8; 8]); // time, date, crc (not checked by the reader)
                buf.extend((data.len() as u32).to_le_bytes());
                buf.extend((content.len() as u32).to_le_bytes());
                buf.extend((name.len() as u16).to_le_bytes());
                buf.extend(0u16.to_le_bytes());
                if central {
                    buf.extend([0u8; 6]); // comment length, disk, internal attributes
                    buf.extend(0u32.to_le_bytes()); // external attributes
                    buf.extend(offset.to_le_bytes());
                }
                buf.extend(name.as_bytes());
            };
            header(LOCAL_SIG, &mut out, false);
            out.extend(&data);
            header(CENTRAL_SIG, &mut central, true);
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(EOCD_SIG.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    fn read(archive: &[u8], tail_len: usize) -> Result<String, ZipError> {
        let total = archive.len() as u64;
        let tail_start = archive.len().saturating_sub(tail_len);
        let entry = match find_in_tail(&archive[tail_start..], tail_start as u64, total)? {
            Found::Entry(e) => e,
            Found::NeedCentralDirectory(range) => {
                find_in_central_directory(&archive[range.start as usize..range.end as usize])?
            }
        };
        let range = entry.range();
        let end = (range.end as usize).min(archive.len());
        extract(&entry, &archive[range.start as usize..end])
    }

    const METADATA: &[u8] =
        b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: numpy (>=1.19.*)\n";

    #[test]
    fn reads_deflated_and_stored_metadata() {
        let big = vec![b'x'; 100_000];
        for deflate in [true, false] {
            let archive = zip(&[
                ("demo/__init__.py", &big, true),
                ("demo-1.0.dist-info/METADATA", METADATA, deflate),
                ("demo-1.0.dist-info/RECORD", b"", false),
            ]);
            assert_eq!(read(&archive, 64 * 1024).unwrap().as_bytes(), METADATA);
        }
    }

    #[test]
    fn fetches_the_central_directory_when_the_tail_is_short() {
        let archive = zip(&[
            ("demo-1.0.dist-info/METADATA", METADATA, true),
            ("demo/a.py", &[b'y'; 5000], false),
        ]);
        let tail_start = archive.len() - 30;
        let found = find_in_tail(
            &archive[tail_start..],
            tail_start as u64,
            archive.len() as u64,
        )
        .unwrap();
        assert!(matches!(found, Found::NeedCentralDirectory(_)));
        assert_eq!(read(&archive, 30).unwrap().as_bytes(), METADATA);
    }

    #[test]
    fn nested_metadata_files_and_garbage_are_not_taken() {
        let vendored = zip(&[("demo/_vendor/x-1.0.dist-info/METADATA", METADATA, false)]);
        assert!(
            read(&vendored, 64 * 1024)
                .unwrap_err()
                .to_string()
                .contains("no .dist-info/METADATA")
        );
        assert!(read(b"this is not a zip file at all", 64).is_err());
        let mut truncated = zip(&[("demo-1.0.dist-info/METADATA", METADATA, true)]);
        truncated.drain(10..20);
        assert!(read(&truncated, 64 * 1024).is_err());
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit_and_says_so_in_one_line() {
        let bomb = vec![b'a'; 40 * 1024 * 1024];
        let honest = zip(&[("demo-1.0.dist-info/METADATA", &bomb, true)]);
        let why = LookupError::from(read(&honest, 64 * 1024).unwrap_err());
        assert_eq!(why.kind(), crate::index::error::FailureKind::TooLarge);
        assert!(
            why.to_string()
                .contains("declares 41943040 bytes uncompressed"),
            "{why}"
        );
        // The same bomb declaring a small size: inflating stops at the limit, and no output is quoted.
        let mut lying = honest.clone();
        let central = lying
            .windows(4)
            .rposition(|w| w == CENTRAL_SIG.to_le_bytes())
            .unwrap();
        lying[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
        let why = LookupError::from(read(&lying, 128 * 1024).unwrap_err());
        assert_eq!(why.kind(), crate::index::error::FailureKind::TooLarge);
        assert_eq!(
            why.to_string(),
            format!("METADATA inflates to more than {MAX_METADATA} bytes")
        );
        let entry = MetadataEntry {
            local_header: u64::MAX - 10,
            compressed_size: u64::MAX,
            method: 8,
            name_len: 30,
        };
        assert_eq!(entry.range().end, u64::MAX);
    }
}
