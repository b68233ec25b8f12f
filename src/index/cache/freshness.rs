//! When a stored answer may be used without asking the index (RFC 9111 freshness), and what to send to ask
//! whether it changed (validators).

use std::time::Duration;

pub(in crate::index) use crate::index::answer::{Caching, Conditional, Kind};

/// Project pages change when a release is uploaded; the public index sends `max-age=600` for them.
const PAGE_LIFETIME: Duration = Duration::from_secs(600);
/// A file URL names one immutable file (PEP 503), and its `.metadata` (PEP 658) describes that file.
const FILE_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

impl Kind {
    pub(in crate::index) fn default_lifetime(self) -> Duration {
        match self {
            Kind::Page => PAGE_LIFETIME,
            Kind::File => FILE_LIFETIME,
        }
    }
}

/// The `Cache-Control` directives a private cache of this kind acts on.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Directives {
    pub max_age: Option<u64>,
    pub no_cache: bool,
    pub no_store: bool,
}

/// RFC 9111 §5.2: comma-separated directives, case-insensitive names, optional (possibly quoted) arguments.
/// An unparsable `max-age` is ignored, as if absent (the default lifetime then applies).
pub(super) fn parse_cache_control(value: &str) -> Directives {
    let mut directives = Directives::default();
    for part in value.split(',') {
        let (name, argument) = match part.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (part.trim(), None),
        };
        match name.to_ascii_lowercase().as_str() {
            "max-age" => directives.max_age = argument.and_then(|a| a.parse().ok()),
            "no-cache" => directives.no_cache = true,
            "no-store" => directives.no_store = true,
            _ => {}
        }
    }
    directives
}

/// When an answer received at `now` stops being fresh (seconds since the epoch). `no-cache` makes it stale at
/// once: it may be stored, but must be revalidated before each use.
pub(super) fn expiry(caching: &Caching, kind: Kind, now: u64) -> u64 {
    let directives = caching
        .cache_control
        .as_deref()
        .map(parse_cache_control)
        .unwrap_or_default();
    if directives.no_cache {
        return now;
    }
    let lifetime = match directives.max_age {
        Some(max_age) => max_age.saturating_sub(caching.age.unwrap_or(0)),
        None => kind.default_lifetime().as_secs(),
    };
    now.saturating_add(lifetime)
}

/// `no-store` (RFC 9111 §5.2.2.5): the answer serves this run, but is not written.
pub(super) fn may_store(caching: &Caching) -> bool {
    !caching
        .cache_control
        .as_deref()
        .is_some_and(|v| parse_cache_control(v).no_store)
}
