//! Image references as Docker reads them: `[registry-host[:port]/][namespace/]name[:tag][@algorithm:digest]`
//! (the grammar of the distribution project's `reference` package, which `docker pull` uses).

use super::ImageError;
use crate::target::Arch;

/// One image reference, split into its parts. Nothing is resolved: a digest stays a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (with its port) when the reference names one.
    pub registry: Option<String>,
    /// Every path component before the name, joined by `/` (`library`, `team/sub`).
    pub namespace: Option<String>,
    pub name: String,
    pub tag: Option<String>,
    /// `sha256:…`; never looked up.
    pub digest: Option<String>,
}

/// The per-architecture repositories the official images are also published under, and the architecture each
/// holds (docker-library's `arm64v8/python` and friends).
const ARCH_NAMESPACES: [(&str, Arch); 6] = [
    ("amd64", Arch::X86_64),
    ("arm64v8", Arch::Aarch64),
    ("arm32v7", Arch::Armv7l),
    ("i386", Arch::I686),
    ("ppc64le", Arch::Ppc64le),
    ("s390x", Arch::S390x),
];

impl ImageRef {
    /// Whether this is the official `python` image: `python`, `library/python`, `<host>/python` (how Docker
    /// Hub and the mirrors of it spell it), any `…/library/python` (pull-through caches keep the `library/`
    /// path), or one of the official per-architecture repositories (`arm64v8/python`).
    pub fn is_official_python(&self) -> bool {
        if self.name != "python" {
            return false;
        }
        match self.namespace.as_deref() {
            None => true,
            Some(ns) => {
                ns == "library" || ns.ends_with("/library") || self.namespace_arch().is_some()
            }
        }
    }

    /// The architecture an official per-architecture repository holds (`arm64v8/python` → aarch64).
    pub fn namespace_arch(&self) -> Option<Arch> {
        let ns = self.namespace.as_deref()?;
        ARCH_NAMESPACES
            .iter()
            .find(|(name, _)| *name == ns)
            .map(|(_, arch)| *arch)
    }

    /// The repository path without registry, tag or digest: `library/python`, `team/base`.
    pub fn repository(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Splits an image reference into its parts, checking each against Docker's grammar.
pub fn parse_reference(s: &str) -> Result<ImageRef, ImageError> {
    let reference = s.trim();
    let bad = |why: String| ImageError::BadReference {
        reference: reference.to_string(),
        why,
    };
    if reference.is_empty() {
        return Err(bad("it is empty".into()));
    }
    if reference.contains(char::is_whitespace) {
        return Err(bad("it contains a space".into()));
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => {
            check_digest(digest).map_err(bad)?;
            (rest, Some(digest.to_string()))
        }
        None => (reference, None),
    };
    // A tag follows the last `:` after the last `/`; a `:` before that belongs to a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match rest[last_slash..].find(':') {
        Some(i) => {
            let at = last_slash + i;
            let tag = &rest[at + 1..];
            check_tag(tag).map_err(bad)?;
            (&rest[..at], Some(tag.to_string()))
        }
        None => (rest, None),
    };
    let mut components: Vec<&str> = path.split('/').collect();
    // Docker's rule: the first component is a registry host when it has a `.` or a `:`, or is `localhost`.
    let registry = if components.len() > 1
        && (components[0].contains(['.', ':']) || components[0] == "localhost")
    {
        let host = components.remove(0);
        check_host(host).map_err(bad)?;
        Some(host.to_string())
    } else {
        None
    };
    for c in &components {
        check_component(c).map_err(bad)?;
    }
    let name = components.pop().unwrap_or_default().to_string();
    let namespace = (!components.is_empty()).then(|| components.join("/"));
    Ok(ImageRef {
        registry,
        namespace,
        name,
        tag,
        digest,
    })
}

/// A path component: lowercase letters and digits, separated by `.`, `_`, `__` or runs of `-`.
fn check_component(c: &str) -> Result<(), String> {
    if c.is_empty() {
        return Err("a path component is empty".into());
    }
    if c.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "'{c}' has capital letters; repository names are lowercase"
        ));
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    let ends_ok = alnum(bytes[0]) && alnum(bytes[bytes.len() - 1]);
    let chars_ok = bytes
        .iter()
        .all(|&b| alnum(b) || matches!(b, b'.' | b'_' | b'-'));
    if !ends_ok || !chars_ok || c.contains("..") || c.contains("___") {
        return Err(format!("'{c}' is not a repository name component"));
    }
    Ok(())
}

fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(format!("'{host}' is not a registry host[:port]"))
    }
}

/// A tag: up to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`.
fn check_tag(tag: &str) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && !tag.starts_with(['.', '-'])
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!("':{tag}' is not a tag"))
    }
}

/// A digest: `algorithm:hex`, with 64 hex digits for sha256.
fn check_digest(digest: &str) -> Result<(), String> {
    let bad = || format!("'@{digest}' is not a digest like @sha256:<64 hex digits>");
    let (algorithm, hex) = digest.split_once(':').ok_or_else(bad)?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'.' | b'_' | b'-')
        });
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let length_ok = algorithm != "sha256" || hex.len() == 64;
    if algorithm_ok && hex_ok && length_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parts(s: &str) -> (Option<String>, Option<String>, String, Option<String>, bool) {
        let r = parse_reference(s).unwrap();
        (r.registry, r.namespace, r.name, r.tag, r.digest.is_some())
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn references_split_as_docker_splits_them() {
        assert_eq!(parts("python"), (None, None, "python".into(), None, false));
        assert_eq!(
            parts("python:3.12-alpine"),
            (None, None, "python".into(), some("3.12-alpine"), false)
        );
        assert_eq!(
            parts("library/python:3.12"),
            (None, some("library"), "python".into(), some("3.12"), false)
        );
        assert_eq!(
            parts("registry.example.com:5000/team/sub/base:1"),
            (
                some("registry.example.com:5000"),
                some("team/sub"),
                "base".into(),
                some("1"),
                false
            )
        );
        assert_eq!(
            parts("localhost/python:3.12"),
            (
                some("localhost"),
                None,
                "python".into(),
                some("3.12"),
                false
            )
        );
        assert_eq!(
            parts(&format!("python:3.12-alpine@{DIGEST}")),
            (None, None, "python".into(), some("3.12-alpine"), true)
        );
        assert_eq!(
            parts(&format!("python@{DIGEST}")),
            (None, None, "python".into(), None, true)
        );
        // A `:` before the last `/` is a port, not a tag.
        assert_eq!(
            parts("localhost:5000/python"),
            (some("localhost:5000"), None, "python".into(), None, false)
        );
    }

    #[test]
    fn official_python_is_recognised_through_mirrors() {
        let official = |s: &str| parse_reference(s).unwrap().is_official_python();
        assert!(official("python"));
        assert!(official("library/python"));
        assert!(official("mirror.example.com/library/python:3.12"));
        assert!(official("mirror.example.com/cache/library/python:3.12"));
        assert!(official("mirror.example.com/python:3.12"));
        assert!(official("arm64v8/python:3.12-alpine"));
        assert!(!official("team/python:3.12"));
        assert!(!official("registry.example.com/team/base:1"));
        assert!(!official("python-custom:3.12"));
        let arch = parse_reference("arm64v8/python").unwrap().namespace_arch();
        assert_eq!(arch, Some(Arch::Aarch64));
    }

    #[test]
    fn malformed_references_are_refused() {
        for s in [
            "",
            "Python:3.12",
            "python:",
            "python:-x",
            "python@sha256:12",
            "python@md5",
            "a//b",
            "python:3.12 slim",
            "-python",
        ] {
            let e = parse_reference(s).unwrap_err();
            assert!(matches!(e, ImageError::BadReference { .. }), "{s}: {e}");
        }
    }
}
