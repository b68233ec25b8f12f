//! The tags of the official `python` image, read without a registry: `3.12.7-slim-bookworm` names a CPython
//! and a distribution release; `3-alpine` or `slim` name them through what the bare tags mean today, which
//! `data/images.toml` records with the date it was checked.
//!
//! The shapes are those docker-library/python's `generate-stackbrew-library.sh` produces: a version (`3`,
//! `3.12`, `3.12.7`, `3.13.0rc2`, `3.15-rc`) and a variant (`alpine`, `alpine3.20`, `slim`, `slim-bookworm`,
//! `bookworm`, `windowsservercore-ltsc2022`, …), either of which may be missing.

/// Which CPython a tag names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Python {
    /// `3.12`, `3.12.7`, or a pre-release (`3.13.0rc2`, `3.15-rc`), which is checked as its minor.
    Version { text: String, prerelease: bool },
    /// No version (`alpine`, `slim`, `latest`) or the major alone (`3`): the newest the image carries.
    Newest,
}

/// Which distribution a tag names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Variant {
    /// `-alpine`: the Alpine release the image currently builds.
    AlpineDefault,
    /// `-alpine3.20`.
    Alpine(String),
    /// No variant (`slim: false`) or `-slim`: the Debian release the image currently builds.
    DebianDefault {
        slim: bool,
    },
    /// `-bookworm`, `-slim-bookworm`.
    Debian {
        codename: String,
        slim: bool,
    },
    /// `-windowsservercore-…`, `-nanoserver-…`.
    Windows(String),
    Unknown(String),
}

/// A tag of the official `python` image, split; `None` for the tag means `latest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct OfficialTag {
    pub python: Python,
    pub variant: Variant,
}

pub(super) fn split(tag: Option<&str>) -> OfficialTag {
    let tag = tag.unwrap_or("latest");
    if tag == "latest" {
        return OfficialTag {
            python: Python::Newest,
            variant: Variant::DebianDefault { slim: false },
        };
    }
    let mut tokens: Vec<&str> = tag.split('-').collect();
    let python = if tokens[0].starts_with(|c: char| c.is_ascii_digit()) {
        let version = tokens.remove(0);
        // `3.15-rc`: the image's name for the newest pre-release of 3.15.
        let rc_alias = tokens.first() == Some(&"rc");
        if rc_alias {
            tokens.remove(0);
        }
        version_of(version, rc_alias)
    } else {
        Python::Newest
    };
    OfficialTag {
        python,
        variant: variant_of(&tokens.join("-")),
    }
}

fn version_of(version: &str, rc_alias: bool) -> Python {
    if version == "3" {
        return Python::Newest;
    }
    // `3.13.0rc2`, `3.14.0a1`, `3.12.0b3`: the release part before the first letter.
    let release_end = version
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(version.len());
    let prerelease = rc_alias || release_end < version.len();
    let text = if prerelease {
        // A pre-release is checked as its minor: no final patch release exists yet to name.
        version[..release_end]
            .splitn(3, '.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".")
    } else {
        version.to_string()
    };
    Python::Version { text, prerelease }
}

fn variant_of(variant: &str) -> Variant {
    match variant {
        "" => Variant::DebianDefault { slim: false },
        "slim" => Variant::DebianDefault { slim: true },
        "alpine" => Variant::AlpineDefault,
        _ => {
            if let Some(release) = variant.strip_prefix("alpine") {
                return Variant::Alpine(release.to_string());
            }
            if variant.starts_with("windowsservercore") || variant.starts_with("nanoserver") {
                return Variant::Windows(variant.to_string());
            }
            let (codename, slim) = match variant.strip_prefix("slim-") {
                Some(codename) => (codename, true),
                None => (variant, false),
            };
            if !codename.is_empty() && codename.bytes().all(|b| b.is_ascii_lowercase()) {
                Variant::Debian {
                    codename: codename.to_string(),
                    slim,
                }
            } else {
                Variant::Unknown(variant.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str, prerelease: bool) -> Python {
        Python::Version {
            text: text.into(),
            prerelease,
        }
    }

    #[test]
    fn tags_split_into_python_and_variant() {
        let cases: Vec<(Option<&str>, Python, Variant)> = vec![
            (None, Python::Newest, Variant::DebianDefault { slim: false }),
            (
                Some("latest"),
                Python::Newest,
                Variant::DebianDefault { slim: false },
            ),
            (
                Some("3"),
                Python::Newest,
                Variant::DebianDefault { slim: false },
            ),
            (Some("3-alpine"), Python::Newest, Variant::AlpineDefault),
            (Some("alpine"), Python::Newest, Variant::AlpineDefault),
            (
                Some("slim"),
                Python::Newest,
                Variant::DebianDefault { slim: true },
            ),
            (
                Some("alpine3.20"),
                Python::Newest,
                Variant::Alpine("3.20".into()),
            ),
            (
                Some("3.12"),
                version("3.12", false),
                Variant::DebianDefault { slim: false },
            ),
            (
                Some("3.12.7"),
                version("3.12.7", false),
                Variant::DebianDefault { slim: false },
            ),
            (
                Some("3.12-alpine"),
                version("3.12", false),
                Variant::AlpineDefault,
            ),
            (
                Some("3.12.7-alpine3.20"),
                version("3.12.7", false),
                Variant::Alpine("3.20".into()),
            ),
            (
                Some("3.13.0rc2-alpine3.20"),
                version("3.13", true),
                Variant::Alpine("3.20".into()),
            ),
            (
                Some("3.15-rc-alpine"),
                version("3.15", true),
                Variant::AlpineDefault,
            ),
            (
                Some("3.12-slim-bookworm"),
                version("3.12", false),
                Variant::Debian {
                    codename: "bookworm".into(),
                    slim: true,
                },
            ),
            (
                Some("3.12-trixie"),
                version("3.12", false),
                Variant::Debian {
                    codename: "trixie".into(),
                    slim: false,
                },
            ),
            (
                Some("3.12-windowsservercore-ltsc2022"),
                version("3.12", false),
                Variant::Windows("windowsservercore-ltsc2022".into()),
            ),
            (
                Some("3.12-onbuild2"),
                version("3.12", false),
                Variant::Unknown("onbuild2".into()),
            ),
        ];
        for (tag, python, variant) in cases {
            assert_eq!(split(tag), OfficialTag { python, variant }, "{tag:?}");
        }
    }
}
