//! PEP 691: the JSON form of the Simple Repository API.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use url::Url;

use super::{DecodeError, FileUrl, IndexFile, MetadataFile};

#[derive(Deserialize)]
struct Page {
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    url: String,
    #[serde(rename = "requires-python", default)]
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Yanked,
    #[serde(default)]
    size: Option<u64>,
    /// PEP 714's name; `dist-info-metadata` is PEP 658's, read when this one is absent, as pip does.
    #[serde(rename = "core-metadata", default)]
    core_metadata: Option<Announced>,
    #[serde(rename = "dist-info-metadata", default)]
    dist_info_metadata: Option<Announced>,
}

/// PEP 691's form of a metadata announcement: `true`, `false`, or the file's hashes (`{"sha256": "…"}`,
/// possibly empty). `null` is the same as no key. Any other value is read as pip reads it, by its truth (a
/// non-empty string or list, a number other than 0): an odd announcement never costs the whole page.
struct Announced(MetadataFile);

impl<'de> Deserialize<'de> for Announced {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnnouncedVisitor;
        impl<'de> Visitor<'de> for AnnouncedVisitor {
            type Value = Announced;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or a map of hashes")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Announced, E> {
                Ok(Announced(if v {
                    MetadataFile::Present { sha256: None }
                } else {
                    MetadataFile::Absent
                }))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Announced, E> {
                self.visit_bool(!v.is_empty())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Announced, E> {
                self.visit_bool(v != 0)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Announced, E> {
                self.visit_bool(v != 0)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Announced, E> {
                self.visit_bool(v != 0.0)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Announced, A::Error> {
                let mut any = false;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {
                    any = true;
                }
                self.visit_bool(any)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Announced, A::Error> {
                let mut sha256 = None;
                while let Some(name) = map.next_key::<String>()? {
                    match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(hex) if name == "sha256" => {
                            sha256 = Some(hex.to_ascii_lowercase());
                        }
                        _ => {}
                    }
                }
                Ok(Announced(MetadataFile::Present { sha256 }))
            }
        }
        deserializer.deserialize_any(AnnouncedVisitor)
    }
}

/// PEP 691: `yanked` is `false`, `true`, or the reason as a string (which means yanked).
#[derive(Default)]
enum Yanked {
    #[default]
    No,
    Flag(bool),
    Reason(String),
}

/// By hand rather than `#[serde(untagged)]`, which buffers the value and builds an error message for each
/// variant it tries: a sixth of the time of decoding a cached page, for every one of ~100,000 files.
impl<'de> Deserialize<'de> for Yanked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct YankedVisitor;
        impl Visitor<'_> for YankedVisitor {
            type Value = Yanked;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean, a reason, or null")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Yanked, E> {
                Ok(Yanked::Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Yanked, E> {
                Ok(Yanked::Reason(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Yanked, E> {
                Ok(Yanked::Reason(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Yanked, E> {
                Ok(Yanked::No)
            }
        }
        deserializer.deserialize_any(YankedVisitor)
    }
}

impl Yanked {
    fn reason(self) -> Option<String> {
        match self {
            Yanked::No | Yanked::Flag(false) => None,
            Yanked::Flag(true) => Some(String::new()),
            Yanked::Reason(r) => Some(r),
        }
    }
}

pub fn decode(body: &[u8], page_url: &Url) -> Result<Vec<IndexFile>, DecodeError> {
    let page: Page = serde_json::from_slice(body)
        .map_err(|e| DecodeError(format!("invalid PEP 691 JSON: {e}")))?;
    let files = page
        .files
        .into_iter()
        .map(|f| {
            let url = FileUrl::resolve(page_url, &f.url)
                .map_err(|e| DecodeError(format!("bad URL for {}: {e}", f.filename)))?;
            Ok(IndexFile {
                filename: f.filename,
                url,
                requires_python: f.requires_python.filter(|r| !r.trim().is_empty()),
                yanked: f.yanked.reason(),
                size: f.size,
                metadata: f
                    .core_metadata
                    .or(f.dist_info_metadata)
                    .map_or(MetadataFile::Unsaid, |a| a.0),
            })
        })
        .collect::<Result<_, DecodeError>>()?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_files_with_relative_urls_and_yank_forms() {
        let body = br#"{"meta":{"api-version":"1.1"},"name":"demo","files":[
            {"filename":"demo-1.0.tar.gz","url":"../../files/demo-1.0.tar.gz","hashes":{},"requires-python":">=3.8","size":10},
            {"filename":"demo-1.1.tar.gz","url":"https://files.example.invalid/demo-1.1.tar.gz","hashes":{},"yanked":"broken build"},
            {"filename":"demo-1.2.tar.gz","url":"x/demo-1.2.tar.gz","hashes":{},"yanked":true,"requires-python":""}]}"#;
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let page = decode(body, &base).unwrap();
        assert_eq!(page.len(), 3);
        assert_eq!(
            page[0].url.parse().unwrap().as_str(),
            "http://127.0.0.1:9/files/demo-1.0.tar.gz"
        );
        assert_eq!(
            page[1].url.parse().unwrap().as_str(),
            "https://files.example.invalid/demo-1.1.tar.gz"
        );
        assert_eq!(page[0].requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(page[0].yanked, None);
        assert_eq!(page[0].size, Some(10));
        assert_eq!(page[1].yanked.as_deref(), Some("broken build"));
        assert_eq!(page[2].yanked.as_deref(), Some(""));
        assert_eq!(page[2].requires_python, None);
    }

    #[test]
    fn metadata_announcements_in_both_names_and_all_forms() {
        let body = br#"{"files":[
            {"filename":"a-1-py3-none-any.whl","url":"a1.whl","core-metadata":{"sha256":"ABC123"}},
            {"filename":"a-2-py3-none-any.whl","url":"a2.whl","core-metadata":true},
            {"filename":"a-3-py3-none-any.whl","url":"a3.whl","core-metadata":false,"dist-info-metadata":true},
            {"filename":"a-4-py3-none-any.whl","url":"a4.whl","dist-info-metadata":{"sha256":"def"}},
            {"filename":"a-5-py3-none-any.whl","url":"a5.whl","core-metadata":{"md5":"x"}},
            {"filename":"a-6-py3-none-any.whl","url":"a6.whl","core-metadata":null},
            {"filename":"a-7-py3-none-any.whl","url":"a7.whl"}]}"#;
        let base = Url::parse("http://127.0.0.1:9/simple/a/").unwrap();
        let announced = crate::index::page::announcements(decode(body, &base));
        let present = |sha256: Option<&str>| MetadataFile::Present {
            sha256: sha256.map(str::to_string),
        };
        assert_eq!(
            announced,
            [
                present(Some("abc123")),
                present(None),
                // `core-metadata` wins over the older name, as in pip.
                MetadataFile::Absent,
                present(Some("def")),
                present(None),
                MetadataFile::Unsaid,
                MetadataFile::Unsaid,
            ]
        );
        // Values outside the PEP are read by their truth, as pip reads them, and never fail the page.
        for (value, expected) in [
            (r#""yes""#, present(None)),
            (r#""""#, MetadataFile::Absent),
            ("1", present(None)),
            ("0", MetadataFile::Absent),
            ("-2.5", present(None)),
            ("[]", MetadataFile::Absent),
            (r#"["x"]"#, present(None)),
            (r#"{"sha256":123,"md5":"x"}"#, present(None)),
        ] {
            let body = format!(
                r#"{{"files":[{{"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":{value}}}]}}"#
            );
            let page = decode(body.as_bytes(), &base).unwrap();
            assert_eq!(page[0].metadata, expected, "{value}");
        }
    }

    #[test]
    fn invalid_json_is_an_error_not_a_panic() {
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        assert!(decode(b"{\"files\": [", &base).is_err());
        assert!(decode(b"<html></html>", &base).is_err());
        assert!(decode(b"{\"files\": 3}", &base).is_err());
        let yanked_number =
            br#"{"files":[{"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":3}]}"#;
        assert!(decode(yanked_number, &base).is_err());
        let yanked_null =
            br#"{"files":[{"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":null}]}"#;
        assert_eq!(decode(yanked_null, &base).unwrap()[0].yanked, None);
    }
}
