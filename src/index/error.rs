//! The answer to one lookup, and why a lookup failed: a kind a caller can act on, and the message a report
//! prints (never with credentials).

/// The answer to one lookup.
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    /// The index says there is no such thing (404 or 410, or no index knows the project).
    Missing,
    /// The index could not be asked or its answer could not be used: nothing is known.
    Failed(LookupError),
}

/// What kind of failure a lookup met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// `--offline`, and the answer is not in the cache.
    Offline,
    /// The index answered with an error status (after the retries, for one that is retried).
    Status(u16),
    /// No answer: no connection, a timeout, a connection that broke off, a redirect loop.
    Network,
    /// An answer that cannot be read: not a Simple API page, a wheel whose zip directory is damaged.
    Decode,
    /// An answer beyond what muslcheck reads: a page over the size bound, METADATA that inflates too far.
    TooLarge,
    /// A core-metadata file whose SHA-256 is not the one its page gives.
    HashMismatch,
    /// A URL that cannot be asked for: a project or file link that does not parse.
    BadUrl,
}

/// A failed lookup: its kind and the message printed for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LookupError {
    kind: FailureKind,
    message: String,
}

impl LookupError {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        LookupError {
            kind,
            message: message.into(),
        }
    }

    pub fn network(message: impl Into<String>) -> Self {
        Self::new(FailureKind::Network, message)
    }

    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(FailureKind::Decode, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(FailureKind::TooLarge, message)
    }

    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The same failure, said of `shown` (a redacted URL): `<url>: <message>`. A message that already names
    /// it is kept as it is.
    pub fn at(self, shown: &str) -> Self {
        if self.message.starts_with(shown) {
            return self;
        }
        LookupError {
            kind: self.kind,
            message: format!("{shown}: {}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_url_once() {
        let e = LookupError::new(FailureKind::Status(503), "server answered 503")
            .at("https://example.invalid/simple/demo/");
        assert_eq!(
            e.to_string(),
            "https://example.invalid/simple/demo/: server answered 503"
        );
        assert_eq!(e.kind(), FailureKind::Status(503));
        let again = e.clone().at("https://example.invalid/simple/demo/");
        assert_eq!(again, e);
    }
}
