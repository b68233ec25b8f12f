//! PEP 503: the HTML form of the Simple Repository API, as private indexes (pypiserver, devpi, Artifactory…)
//! serve it. Only anchors matter: `href` (with an optional `#hash` fragment), the anchor text as the
//! filename, `data-requires-python` (HTML-escaped), `data-yanked` (PEP 592) and `data-core-metadata` (PEP 714;
//! `data-dist-info-metadata` in PEP 658).

use url::Url;

use super::{DecodeError, IndexFile, MetadataFile};

pub fn decode(body: &[u8], page_url: &Url) -> Result<Vec<IndexFile>, DecodeError> {
    let text = String::from_utf8_lossy(body);
    let base = base_href(&text)
        .and_then(|b| page_url.join(&b).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut files = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<a") {
        let start = at + found + 2;
        // `<abbr>` and friends are not anchors.
        if !lower[start..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>') {
            at = start;
            continue;
        }
        let Some(close) = lower[start..].find('>') else {
            break;
        };
        let attrs = attributes(&text[start..start + close]);
        let body_start = start + close + 1;
        let body_end = lower[body_start..]
            .find("</a")
            .map_or(text.len(), |e| body_start + e);
        at = body_end;
        // pip skips an anchor without an `href` value, and one whose `href` is empty.
        let Some(href) = attr(&attrs, "href").filter(|h| !h.is_empty()) else {
            continue;
        };
        let mut url = base
            .join(href)
            .map_err(|e| DecodeError(format!("bad link '{href}': {e}")))?;
        url.set_fragment(None);
        // pip names a file by its URL's last path segment, not by the anchor text.
        let from_url = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(super::percent_decode)
            .unwrap_or_default();
        let filename = if from_url.is_empty() {
            unescape(text[body_start..body_end].trim())
        } else {
            from_url
        };
        files.push(IndexFile {
            filename,
            url: url.into(),
            requires_python: attr(&attrs, "data-requires-python")
                .filter(|r| !r.trim().is_empty())
                .map(str::to_string),
            // A bare `data-yanked` has no value, and pip takes only a value (even an empty one) as a yank.
            yanked: attr(&attrs, "data-yanked").map(str::to_string),
            size: None,
            metadata: metadata_file(&attrs),
        });
    }
    Ok(files)
}

/// `true`, or the file's hash as `<name>=<hex>`. As in pip, any other value (an empty one too) still
/// announces the file, a bare attribute says nothing (so the PEP 658 name is read instead), and the PEP 714
/// name wins over the PEP 658 one. Only a SHA-256 (named in lower case, as pip matches it) is checked.
fn metadata_file(attrs: &[(String, Option<String>)]) -> MetadataFile {
    let value =
        attr(attrs, "data-core-metadata").or_else(|| attr(attrs, "data-dist-info-metadata"));
    let Some(value) = value else {
        return MetadataFile::Unsaid;
    };
    let sha256 = value
        .split_once('=')
        .filter(|(name, _)| *name == "sha256")
        .map(|(_, hex)| hex.to_ascii_lowercase());
    MetadataFile::Present { sha256 }
}

/// The value of attribute `name`: the last one written, as pip's parser keeps it (`None` for a bare one).
fn attr<'a>(attrs: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .rfind(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
}

/// The first `<base>` with an `href` value, as pip reads it: its first `href`.
fn base_href(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<base") {
        let start = at + found + 5;
        let close = lower[start..].find('>')?;
        at = start + close;
        let href = attributes(&text[start..start + close])
            .into_iter()
            .find(|(k, _)| k == "href")
            .and_then(|(_, v)| v);
        if href.is_some() {
            return href;
        }
    }
    None
}

/// `name="value"`, `name='value'`, `name=value` and bare `name` attributes (no value), names lower-cased,
/// values unescaped.
fn attributes(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let name_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != '/' {
            i += 1;
        }
        if i == name_start {
            i += 1;
            continue;
        }
        let name: String = chars[name_start..i]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                let v_start = i;
                while i < chars.len() && chars[i] != quote {
                    i += 1;
                }
                value = Some(chars[v_start..i].iter().collect::<String>());
                i += 1;
            } else {
                let v_start = i;
                while i < chars.len() && !chars[i].is_whitespace() {
                    i += 1;
                }
                value = Some(chars[v_start..i].iter().collect::<String>());
            }
        }
        out.push((name, value.map(|v| unescape(&v))));
    }
    out
}

/// The HTML character references an index page uses (`&gt;=3.8`, `&amp;`, numeric ones).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep_503_anchors() {
        let body = br#"<!DOCTYPE html><html><body><h1>Links for demo</h1>
<a href="../../packages/demo-1.0.tar.gz#sha256=abc" data-requires-python="&gt;=3.8">demo-1.0.tar.gz</a><br/>
<a data-yanked="" href="/packages/demo-1.1-py3-none-any.whl#sha256=def">demo-1.1-py3-none-any.whl</a>
<A HREF='demo-1.2.zip' data-yanked='bad &amp; broken'>demo-1.2.zip</A>
<a href="/packages/demo-1.3%2Blocal-py3-none-any.whl">a link text that is not the file name</a>
<abbr>not a link</abbr></body></html>"#;
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let page = decode(body, &base).unwrap();
        assert_eq!(page.len(), 4);
        assert_eq!(
            page[3].filename, "demo-1.3+local-py3-none-any.whl",
            "named by its URL, as pip does"
        );
        assert_eq!(
            page[0].url.parse().unwrap().as_str(),
            "http://127.0.0.1:9/packages/demo-1.0.tar.gz"
        );
        assert_eq!(page[0].requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(page[0].yanked, None);
        assert_eq!(page[1].yanked.as_deref(), Some(""));
        assert_eq!(page[1].filename, "demo-1.1-py3-none-any.whl");
        assert_eq!(page[2].yanked.as_deref(), Some("bad & broken"));
        assert_eq!(
            page[2].url.parse().unwrap().as_str(),
            "http://127.0.0.1:9/simple/demo/demo-1.2.zip"
        );
    }

    #[test]
    fn metadata_announcements() {
        let body = br#"
<a href="a-1-py3-none-any.whl" data-core-metadata="sha256=ABC" data-dist-info-metadata="sha256=old">1</a>
<a href="a-2-py3-none-any.whl" data-dist-info-metadata="true">2</a>
<a href="a-3-py3-none-any.whl" data-core-metadata="md5=123">3</a>
<a href="a-4-py3-none-any.whl">4</a>
<a href="a-5-py3-none-any.whl" data-core-metadata>5</a>
<a href="a-6-py3-none-any.whl" data-core-metadata="SHA256=abc">6</a>
<a href="a-7-py3-none-any.whl" data-core-metadata="">7</a>
<a href="a-8-py3-none-any.whl" data-core-metadata data-dist-info-metadata="true">8</a>
<a href="a-9-py3-none-any.whl" data-core-metadata="true" data-core-metadata="sha256=Last">9</a>"#;
        let base = Url::parse("http://127.0.0.1:9/simple/a/").unwrap();
        let announced = crate::index::page::announcements(decode(body, &base));
        assert_eq!(
            announced,
            [
                MetadataFile::Present {
                    sha256: Some("abc".into())
                },
                MetadataFile::Present { sha256: None },
                MetadataFile::Present { sha256: None },
                MetadataFile::Unsaid,
                MetadataFile::Unsaid,
                MetadataFile::Present { sha256: None },
                // pip: an empty value is neither `true` nor a hash, and still announces the file.
                MetadataFile::Present { sha256: None },
                // A bare PEP 714 attribute has no value: pip reads the PEP 658 one.
                MetadataFile::Present { sha256: None },
                // pip's parser keeps the last of two attributes of one name.
                MetadataFile::Present {
                    sha256: Some("last".into())
                },
            ]
        );
    }

    /// pip takes an anchor's attributes as Python's `html.parser` gives them: a bare attribute has no value
    /// (`None`), so a bare `data-yanked` is no yank, and an anchor with an empty `href` is no file.
    #[test]
    fn bare_attributes_and_empty_links_read_as_pip_reads_them() {
        let body = br#"<a href="demo-1.0.tar.gz" data-yanked>demo-1.0.tar.gz</a>
<a href="" data-yanked="x">nothing</a>
<a href>nothing either</a>
<a href="demo-1.1.tar.gz" data-yanked="">demo-1.1.tar.gz</a>"#;
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let page = decode(body, &base).unwrap();
        let read: Vec<(&str, Option<&str>)> = page
            .iter()
            .map(|f| (f.filename.as_str(), f.yanked.as_deref()))
            .collect();
        assert_eq!(
            read,
            [("demo-1.0.tar.gz", None), ("demo-1.1.tar.gz", Some(""))]
        );
        // A `<base>` whose `href` is bare is passed over for the next one.
        let based = decode(
            b"<base href><base href=\"/files/\" href=\"/other/\"><a href=\"demo-1.0.tar.gz\">x</a>",
            &base,
        )
        .unwrap();
        assert_eq!(
            based[0].url.as_str(),
            "http://127.0.0.1:9/files/demo-1.0.tar.gz"
        );
    }

    #[test]
    fn garbage_gives_no_files_and_no_panic() {
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        for body in [
            &b"<a"[..],
            b"<a href=",
            b"&#xZZ; <a href='x'>",
            b"\xff\xfe<a>",
        ] {
            assert!(decode(body, &base).unwrap().len() <= 1);
        }
    }

    /// Python's `html.parser`, which pip uses, reads an unquoted value up to whitespace or `>` (slashes
    /// included) and takes tabs and carriage returns as whitespace around `=`: so does this reader.
    #[test]
    fn unquoted_values_and_any_whitespace_read_as_pip_reads_them() {
        let body = b"<a href=/p/demo-1.0.tar.gz>demo-1.0.tar.gz</a>\n\
<a\thref\t=\t\"demo-1.1.tar.gz\"\r\ndata-requires-python=\"&gt;=3.8\">demo-1.1.tar.gz</a>";
        let base = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let page = decode(body, &base).unwrap();
        let read: Vec<(&str, Option<&str>)> = page
            .iter()
            .map(|f| (f.url.as_str(), f.requires_python.as_deref()))
            .collect();
        assert_eq!(
            read,
            [
                ("http://127.0.0.1:9/p/demo-1.0.tar.gz", None),
                (
                    "http://127.0.0.1:9/simple/demo/demo-1.1.tar.gz",
                    Some(">=3.8")
                ),
            ]
        );
    }
}
