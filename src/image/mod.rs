//! Targets derived from Docker images: `python:3.12-alpine` names CPython 3.12 on the Alpine release that
//! `-alpine` currently means, and so musl 1.2. Pure logic: nothing is pulled, no registry is asked; what a
//! moving tag means comes from `data/images.toml`, dated.
//!
//! `dockerfile` reads the `FROM` lines of a Dockerfile and maps each stage to such a target.

pub mod dockerfile;
mod reference;
mod tag;

use crate::data::{self, DebianRelease, Images};
use crate::target::{Arch, Libc, PythonVersion, Target};

pub use reference::{ImageRef, parse_reference};
use tag::{OfficialTag, Python, Variant};

/// What an image reference says about the target pip would see inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTarget {
    pub python: PythonVersion,
    pub libc: Libc,
    /// The architecture the reference pins (an official per-architecture repository such as
    /// `arm64v8/python`, or the `arch` the caller passed); `None` leaves it to `--arch`.
    pub arch: Option<Arch>,
    /// `Alpine 3.20`, `Debian bookworm`.
    pub distro: String,
    /// One line a person reads: how each part was derived.
    pub how: String,
}

impl ImageTarget {
    /// The target to check, with `default_arch` where the image does not pin one.
    pub fn target(&self, default_arch: Arch) -> Target {
        Target {
            python: self.python,
            libc: self.libc,
            arch: self.arch.unwrap_or(default_arch),
        }
    }
}

/// The official image tag a target stands for, when there is one: `python:3.12-alpine`,
/// `python:3.12-slim-bookworm`. None for a musl 1.1 or a glibc no Debian release ships: no current tag is
/// such an image, and none is made up.
pub fn official_image(target: &Target) -> Option<String> {
    let images = data::images();
    match target.libc {
        Libc::Musl(m) if m.minor >= 2 => Some(format!("python:{}-alpine", target.python)),
        Libc::Musl(_) => None,
        Libc::Glibc(g) => {
            let debian = images.debian.iter().find(|d| d.glibc == g)?;
            Some(if debian.codename == images.python_image.debian {
                format!("python:{}-slim", target.python)
            } else {
                format!("python:{}-slim-{}", target.python, debian.codename)
            })
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("'{reference}' is not an image reference: {why}")]
    BadReference { reference: String, why: String },
    #[error(
        "{reference}: muslcheck cannot tell which CPython this image has (it is not the official python \
         image{}); name the target with --python instead",
        base.as_ref().map(|b| format!("; it is {b}")).unwrap_or_default()
    )]
    NotPython {
        reference: String,
        /// What the image is known to be when it is an official distribution image: `Alpine 3.20 with musl
        /// 1.2.5`. Nothing is said of its Python.
        base: Option<String>,
    },
    #[error(
        "{reference}: a digest alone does not tell the Python version (muslcheck does not resolve digests); \
         name the target with --python and --musl instead, or write the tag the digest was taken from (python:3.12-alpine@sha256:…)"
    )]
    DigestOnly { reference: String },
    #[error(
        "{reference}: not a Linux image (-{variant} is Windows); muslcheck predicts pip on Linux (musl or glibc)"
    )]
    NotLinux { reference: String, variant: String },
    #[error(
        "{reference}: Alpine {release} is not in muslcheck's table (it knows Alpine {oldest} to {newest}); \
         name the target with --python and --musl instead"
    )]
    UnknownAlpine {
        reference: String,
        release: String,
        oldest: String,
        newest: String,
    },
    #[error(
        "{reference}: '-{variant}' is not a variant of the python image muslcheck knows (it knows -alpine, \
         -alpine3.N, -slim and the Debian releases {debian}); name the target with --python (and --musl for an Alpine image) instead"
    )]
    UnknownVariant {
        reference: String,
        variant: String,
        debian: String,
    },
    #[error("{reference}: {message}")]
    Python { reference: String, message: String },
    #[error(
        "{reference}: the {namespace}/ repository holds {image} images, but the architecture asked for is \
         {asked}"
    )]
    ArchConflict {
        reference: String,
        namespace: String,
        image: Arch,
        asked: Arch,
    },
}

/// The target an image reference names. `arch` is the architecture the caller knows the image runs on (a
/// Dockerfile's `--platform`), kept in the result; an official per-architecture repository pins its own.
pub fn target_of(reference: &str, arch: Option<Arch>) -> Result<ImageTarget, ImageError> {
    let image = parse_reference(reference)?;
    let reference = reference.trim();
    if !image.is_official_python() {
        return Err(ImageError::NotPython {
            reference: reference.to_string(),
            base: known_base(&image),
        });
    }
    let Some(tag) = image
        .tag
        .as_deref()
        .or(image.digest.is_none().then_some("latest"))
    else {
        return Err(ImageError::DigestOnly {
            reference: reference.to_string(),
        });
    };
    let arch = match (image.namespace_arch(), arch) {
        (Some(pinned), Some(asked)) if pinned != asked => {
            return Err(ImageError::ArchConflict {
                reference: reference.to_string(),
                namespace: image.namespace.clone().unwrap_or_default(),
                image: pinned,
                asked,
            });
        }
        (pinned, asked) => pinned.or(asked),
    };
    let images = data::images();
    let official = tag::split(Some(tag));
    let default_release = match &official.variant {
        Variant::Alpine(release) => release == &images.python_image.alpine,
        Variant::Debian { codename, .. } => codename == &images.python_image.debian,
        _ => true,
    };
    let (python, python_how) = python_of(reference, &official, images)?;
    let distro = distro_of(reference, &official.variant, images)?;
    // A tag naming a distribution release but no Python (`alpine3.20`, `bullseye`) stopped moving when that
    // release left the image: it holds the CPython of that day, not today's newest.
    if matches!(official.python, Python::Newest) && !default_release {
        return Err(ImageError::Python {
            reference: reference.to_string(),
            message: "this tag stopped moving when its distribution release left the image, so its CPython \
                      is an older one; write the Python in the tag (python:3.X-…)"
                .to_string(),
        });
    }

    let mut how = format!(
        "{reference} → CPython {python} ({python_how}), {} ({}), {} ({})",
        distro.name, distro.how, distro.libc, distro.libc_how
    );
    // A tag pinned to a patch release, or a Python the image no longer builds, keeps the distribution it was
    // last built on, which may be older than what the bare variant means today.
    let frozen = python.patch.is_some() || python.minor < 10;
    let variant_named = matches!(
        official.variant,
        Variant::Alpine(_) | Variant::Debian { .. }
    );
    if frozen && !variant_named {
        how.push_str(&format!(
            "; a tag of an old or patch-pinned Python may be on an older {} release: name it in the tag to \
             be sure",
            if matches!(distro.libc, Libc::Musl(_)) {
                "Alpine"
            } else {
                "Debian"
            }
        ));
    }
    if let (Some(arch), Some(ns)) = (image.namespace_arch(), &image.namespace) {
        how.push_str(&format!(", {arch} (the {ns}/ repository)"));
    }
    if image.digest.is_some() {
        how.push_str("; the digest is not resolved: the tag decides");
    }
    Ok(ImageTarget {
        python,
        libc: distro.libc,
        arch,
        distro: distro.name,
        how,
    })
}

fn python_of(
    reference: &str,
    tag: &OfficialTag,
    images: &Images,
) -> Result<(PythonVersion, String), ImageError> {
    let image = &images.python_image;
    match &tag.python {
        Python::Newest => Ok((
            image.newest_python,
            format!(
                "the newest the image carries as of {}: {} then",
                image.checked, image.newest_python_full
            ),
        )),
        Python::Version { text, prerelease } => {
            let python = text.parse().map_err(|message| ImageError::Python {
                reference: reference.to_string(),
                message,
            })?;
            let how = if *prerelease {
                "tag; a pre-release, checked as its minor"
            } else {
                "tag"
            };
            Ok((python, how.to_string()))
        }
    }
}

struct Distro {
    name: String,
    how: String,
    libc: Libc,
    libc_how: String,
}

fn distro_of(reference: &str, variant: &Variant, images: &Images) -> Result<Distro, ImageError> {
    let checked = &images.python_image.checked;
    let (alpine, alpine_how) = match variant {
        Variant::AlpineDefault => (
            images.python_image.alpine.as_str(),
            format!("what -alpine means as of {checked}"),
        ),
        Variant::Alpine(release) => (release.as_str(), "tag".to_string()),
        Variant::DebianDefault { slim } => {
            let what = if *slim {
                "-slim"
            } else {
                "a tag without variant"
            };
            let how = format!("what {what} means as of {checked}");
            return match images.debian(&images.python_image.debian) {
                Some(release) => Ok(debian(release, how)),
                None => Err(unknown_variant(reference, variant, images)),
            };
        }
        Variant::Debian { codename, .. } => {
            return match images.debian(codename) {
                Some(release) => Ok(debian(release, "tag".to_string())),
                None => Err(unknown_variant(reference, variant, images)),
            };
        }
        Variant::Windows(v) => {
            return Err(ImageError::NotLinux {
                reference: reference.to_string(),
                variant: v.clone(),
            });
        }
        Variant::Unknown(_) => return Err(unknown_variant(reference, variant, images)),
    };
    if data::release_key(alpine).is_none() {
        return Err(unknown_variant(reference, variant, images));
    }
    let Some(release) = images.alpine(alpine) else {
        return Err(ImageError::UnknownAlpine {
            reference: reference.to_string(),
            release: alpine.to_string(),
            oldest: images.alpine[0].release.clone(),
            newest: {
                let newest = images.newest_alpine();
                format!("{}, released {}", newest.release, newest.released)
            },
        });
    };
    Ok(Distro {
        name: format!("Alpine {alpine}"),
        how: alpine_how,
        libc: Libc::Musl(release.musl),
        libc_how: format!("Alpine {alpine} ships musl {}", release.musl_full),
    })
}

fn debian(release: &DebianRelease, how: String) -> Distro {
    let DebianRelease {
        codename,
        version,
        glibc,
        ..
    } = release;
    Distro {
        name: format!("Debian {codename}"),
        how,
        libc: Libc::Glibc(*glibc),
        libc_how: format!("Debian {version} ({codename}) ships glibc {glibc}"),
    }
}

fn unknown_variant(reference: &str, variant: &Variant, images: &Images) -> ImageError {
    let text = match variant {
        Variant::Alpine(release) => format!("alpine{release}"),
        Variant::Debian { codename, slim } if *slim => format!("slim-{codename}"),
        Variant::Debian { codename, .. } => codename.clone(),
        Variant::Unknown(v) | Variant::Windows(v) => v.clone(),
        Variant::AlpineDefault => "alpine".into(),
        Variant::DebianDefault { .. } => "slim".into(),
    };
    ImageError::UnknownVariant {
        reference: reference.to_string(),
        variant: text,
        debian: images.debian_codenames(),
    }
}

/// What a non-python official base image is known to ship, for the message that asks for `--python`:
/// `alpine:3.20` is Alpine 3.20 with musl 1.2.5, `debian:bookworm-slim` Debian bookworm with glibc 2.36.
fn known_base(image: &ImageRef) -> Option<String> {
    if !matches!(image.namespace.as_deref(), None | Some("library")) {
        return None;
    }
    let tag = image.tag.as_deref()?;
    let images = data::images();
    match image.name.as_str() {
        "alpine" => {
            // `3.20` or `3.20.3`: the release is the first two numbers.
            let release: Vec<&str> = tag.splitn(3, '.').take(2).collect();
            let a = images.alpine(&release.join("."))?;
            Some(format!("Alpine {} with musl {}", a.release, a.musl_full))
        }
        "debian" => {
            let release = tag.strip_suffix("-slim").unwrap_or(tag);
            let number = release
                .split('.')
                .next()
                .and_then(|n| n.parse::<u32>().ok());
            let d = images
                .debian
                .iter()
                .find(|d| d.codename == release || Some(d.version) == number)?;
            Some(format!("Debian {} with glibc {}", d.codename, d.glibc))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
