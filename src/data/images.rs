//! `data/images.toml`: which C library each distribution release ships, and what the bare tags of the official
//! `python` image mean. Compiled in and decoded once; the tests below validate every entry, so decoding cannot
//! fail at run time for a build whose tests passed.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{check_date, check_source};
use crate::target::{GlibcVersion, MuslVersion, PythonVersion};

const IMAGES_TOML: &str = include_str!("../../data/images.toml");

/// What `data/images.toml` says, typed.
#[derive(Debug)]
pub struct Images {
    pub python_image: PythonImage,
    /// Oldest first.
    pub alpine: Vec<AlpineRelease>,
    /// Oldest first.
    pub debian: Vec<DebianRelease>,
}

/// What the official `python` image's tags without a release in them mean, as of `checked`.
#[derive(Debug)]
pub struct PythonImage {
    /// The CPython of `latest`, `3`, `alpine`, `slim`.
    pub newest_python: PythonVersion,
    pub newest_python_full: String,
    /// The Alpine release of `-alpine`.
    pub alpine: String,
    /// The Debian codename of a tag without variant and of `-slim`.
    pub debian: String,
    pub checked: String,
}

#[derive(Debug)]
pub struct AlpineRelease {
    /// `3.20`.
    pub release: String,
    /// Ordering key of `release`.
    pub key: (u32, u32),
    pub released: String,
    /// The series a musllinux tag names (`1.2`).
    pub musl: MuslVersion,
    /// The release's musl package version (`1.2.5`).
    pub musl_full: String,
}

#[derive(Debug)]
pub struct DebianRelease {
    pub codename: String,
    pub version: u32,
    pub glibc: GlibcVersion,
}

impl Images {
    pub fn alpine(&self, release: &str) -> Option<&AlpineRelease> {
        self.alpine.iter().find(|a| a.release == release)
    }

    pub fn debian(&self, codename: &str) -> Option<&DebianRelease> {
        self.debian.iter().find(|d| d.codename == codename)
    }

    pub fn newest_alpine(&self) -> &AlpineRelease {
        // Never empty: the tests check the table and `images()` refuses an empty one.
        &self.alpine[self.alpine.len() - 1]
    }

    /// The releases a message can offer: `buster, bullseye, bookworm, trixie`.
    pub fn debian_codenames(&self) -> String {
        let names: Vec<&str> = self.debian.iter().map(|d| d.codename.as_str()).collect();
        names.join(", ")
    }
}

/// The decoded `data/images.toml`.
pub fn images() -> &'static Images {
    static IMAGES: LazyLock<Images> = LazyLock::new(|| {
        decode(IMAGES_TOML).unwrap_or_else(|e| panic!("data/images.toml: {e} (see data::tests)"))
    });
    &IMAGES
}

// The file's shape, as written; `decode` turns it into the typed `Images`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    python_image: RawPythonImage,
    alpine: Vec<RawAlpine>,
    debian: Vec<RawDebian>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPythonImage {
    newest_python: String,
    newest_python_full: String,
    alpine: String,
    debian: String,
    checked: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlpine {
    release: String,
    released: String,
    musl: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDebian {
    codename: String,
    version: String,
    released: String,
    glibc: String,
    source: String,
}

fn decode(text: &str) -> Result<Images, String> {
    let raw: RawImages = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let p = &raw.python_image;
    check_source("python_image", &p.source)?;
    check_date("python_image.checked", &p.checked)?;
    let python_image = PythonImage {
        newest_python: p.newest_python.parse()?,
        newest_python_full: p.newest_python_full.clone(),
        alpine: p.alpine.clone(),
        debian: p.debian.clone(),
        checked: p.checked.clone(),
    };
    if !p
        .newest_python_full
        .starts_with(&format!("{}.", p.newest_python))
    {
        return Err(format!(
            "newest_python_full {} is not a release of {}",
            p.newest_python_full, p.newest_python
        ));
    }

    let mut alpine = Vec::new();
    for a in &raw.alpine {
        let what = format!("alpine {}", a.release);
        check_source(&what, &a.source)?;
        check_date(&what, &a.released)?;
        let key = release_key(&a.release).ok_or(format!("{what}: release is not like 3.20"))?;
        // `1.2.5`, `1.2.4_git20230717` → the series `1.2`.
        let series: Vec<&str> = a.musl.splitn(3, '.').take(2).collect();
        let musl: MuslVersion = series
            .join(".")
            .parse()
            .map_err(|e| format!("{what}: {e}"))?;
        alpine.push(AlpineRelease {
            release: a.release.clone(),
            key,
            released: a.released.clone(),
            musl,
            musl_full: a.musl.clone(),
        });
    }
    let mut debian = Vec::new();
    for d in &raw.debian {
        let what = format!("debian {}", d.codename);
        check_source(&what, &d.source)?;
        check_date(&what, &d.released)?;
        debian.push(DebianRelease {
            codename: d.codename.clone(),
            version: d
                .version
                .parse()
                .map_err(|_| format!("{what}: version is not a number"))?,
            glibc: d.glibc.parse().map_err(|e| format!("{what}: {e}"))?,
        });
    }

    if !alpine.windows(2).all(|w| w[0].key < w[1].key) {
        return Err("alpine releases must be listed oldest first, once each".into());
    }
    if !debian.windows(2).all(|w| w[0].version < w[1].version) {
        return Err("debian releases must be listed oldest first, once each".into());
    }
    let images = Images {
        python_image,
        alpine,
        debian,
    };
    if images.alpine(&images.python_image.alpine).is_none() {
        return Err("python_image.alpine is not in the alpine table".into());
    }
    if images.debian(&images.python_image.debian).is_none() {
        return Err("python_image.debian is not in the debian table".into());
    }
    Ok(images)
}

/// `3.20` → (3, 20).
pub fn release_key(release: &str) -> Option<(u32, u32)> {
    let (major, minor) = release.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_decodes_and_validates() {
        let images = decode(IMAGES_TOML).unwrap();
        assert!(images.alpine.len() >= 16, "Alpine 3.9 … newest");
        assert_eq!(images.alpine[0].release, "3.9");
        assert_eq!(
            images.debian_codenames(),
            "buster, bullseye, bookworm, trixie"
        );
        // docs/design.md: Alpine 3.9–3.12 ship musl 1.1.x, 3.13 and later 1.2.x.
        for a in &images.alpine {
            let expected = if a.key <= (3, 12) { 1 } else { 2 };
            assert_eq!(a.musl.minor, expected, "Alpine {}", a.release);
        }
        let glibc = |c: &str| images.debian(c).unwrap().glibc.to_string();
        assert_eq!(glibc("buster"), "2.28");
        assert_eq!(glibc("bullseye"), "2.31");
        assert_eq!(glibc("bookworm"), "2.36");
        assert_eq!(glibc("trixie"), "2.41");
        // The bare `-alpine` tag follows the newest Alpine the table knows.
        assert_eq!(images.python_image.alpine, images.newest_alpine().release);
        assert!(images.python_image.checked.as_str() <= "2026-11-23");
        // The checked date cannot precede the release it names.
        assert!(images.newest_alpine().released <= images.python_image.checked);
    }

    #[test]
    fn images_is_decoded_once() {
        assert!(std::ptr::eq(images(), images()));
    }

    #[test]
    fn bad_entries_are_refused() {
        let swap = |from: &str, to: &str| decode(&IMAGES_TOML.replacen(from, to, 1));
        assert!(swap("musl = \"1.2.6\"", "musl = \"1.3.0\"").is_err());
        assert!(swap("released = \"2019-01-29\"", "released = \"29.1.2019\"").is_err());
        assert!(swap("glibc = \"2.41\"", "glibc = \"two\"").is_err());
        assert!(swap("alpine = \"3.24\"", "alpine = \"3.99\"").is_err());
        assert!(swap("release = \"3.10\"", "release = \"3.1\"").is_err());
        let e = swap(
            "source = \"Alpine Linux release notes, 3.9.0;",
            "source = \"https://example.invalid/3.9;",
        )
        .unwrap_err();
        assert!(e.contains("names a host"), "{e}");
        assert!(swap("[python_image]", "[python_image]\nextra = 1").is_err());
    }

    #[test]
    fn release_keys() {
        assert_eq!(release_key("3.20"), Some((3, 20)));
        assert_eq!(release_key("3.9"), Some((3, 9)));
        assert_eq!(release_key("3"), None);
        assert_eq!(release_key("3.x"), None);
        assert_eq!(release_key("3.20.1"), None);
    }
}
