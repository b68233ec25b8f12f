//! Reading a project page, whatever form it came in: PEP 691 JSON, PEP 503 HTML, or the cache's own form,
//! chosen by its content type.

use url::Url;

use super::page::{DecodeError, IndexFile, PageBuilder};
use super::{simple_html, simple_json, stored_page};

/// The page in `body` added to `page`; the cache's own form is read in place.
pub fn decode_into(
    content_type: &str,
    body: &[u8],
    url: &Url,
    page: &mut PageBuilder,
) -> Result<(), DecodeError> {
    if content_type == stored_page::CONTENT_TYPE {
        return stored_page::decode_into(body, page);
    }
    for file in decode_page(content_type, body, url)? {
        page.push(file.facts())
            .map_err(|e| DecodeError(e.to_string()))?;
    }
    Ok(())
}

/// The page in `body`, read by the decoder its content type names; links resolve against `url`.
pub fn decode_page(
    content_type: &str,
    body: &[u8],
    url: &Url,
) -> Result<Vec<IndexFile>, DecodeError> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if content_type == stored_page::CONTENT_TYPE {
        stored_page::decode(body)
    } else if essence.contains("html") {
        simple_html::decode(body, url)
    } else if essence.ends_with("json") {
        simple_json::decode(body, url)
    } else {
        // Servers that send PEP 691 JSON under a generic type still work; anything else (an image, a
        // plain-text error page) is named, never read as a list of files.
        simple_json::decode(body, url).map_err(|_| {
            let shown = if essence.is_empty() { "none" } else { essence };
            DecodeError(format!(
                "the index answered with content type {shown}, not a Simple API page \
                 (PEP 691 JSON or PEP 503 HTML)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_picks_the_decoder() {
        let url = Url::parse("http://127.0.0.1:9/simple/demo/").unwrap();
        let html = decode_page(
            "text/html; charset=utf-8",
            b"<a href='demo-1.0.tar.gz'>demo-1.0.tar.gz</a>",
            &url,
        );
        assert_eq!(html.unwrap().len(), 1);
        let json = decode_page(
            "application/vnd.pypi.simple.v1+json",
            br#"{"files":[]}"#,
            &url,
        );
        assert!(json.unwrap().is_empty());
        assert!(decode_page("application/json", b"<a>", &url).is_err());
        let image = decode_page("image/png", b"\x89PNG", &url).unwrap_err();
        assert!(
            image.to_string().contains("content type image/png"),
            "{image}"
        );
        let generic = decode_page("application/octet-stream", br#"{"files":[]}"#, &url);
        assert!(generic.unwrap().is_empty());
    }
}
