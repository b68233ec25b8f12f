//! What the network hands back, as the transport, the cache and the registry all see it: the leaf types of
//! the HTTP side, which depend on nothing else in the index.

use url::Url;

/// What was asked for: the default lifetime of an answer without freshness information depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    File,
}

/// The headers of an answer that matter to a cache, as the server sent them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caching {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub cache_control: Option<String>,
    /// `Age`: how long the answer already sat in a shared cache on the way (RFC 9111 §4.2.3).
    pub age: Option<u64>,
}

/// The validators of a stored entry, sent as `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful answer.
pub struct Fetched {
    /// Where the answer came from after redirects, when not the URL asked: relative links resolve against
    /// it, as pip resolves them.
    pub final_url: Option<Box<Url>>,
    pub content_type: String,
    /// 206: `body` is the requested range, of a file `total` bytes long.
    pub partial: bool,
    pub total: Option<u64>,
    pub body: Vec<u8>,
    pub caching: Caching,
}

/// What the network said: an answer (`None`: not there), or 304 to a conditional request.
pub enum Reply {
    Answer(Option<Fetched>),
    NotModified(Caching),
}
