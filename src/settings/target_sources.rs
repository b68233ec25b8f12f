//! Where a run's targets come from, read into the plain request `target::plan` decides on: the flags merged
//! with the settings file, the two images of `--from`/`--to`, a Dockerfile (named, or found beside the input
//! when no target flag is given), and `--glibc` as a version or a Debian release.

use crate::data;
use crate::image::{self, dockerfile};
use crate::input::Input;
use crate::report::ErrorEntry;
use crate::target::plan::{DeclaredPython, Found, Log, Named, Request, arches_or_default};
use crate::target::{Arch, GlibcVersion, LibcKind, MuslVersion, PythonVersion};

/// The settings that name the targets: the flags, with the settings file's values where they say nothing
/// (`merge`).
#[derive(Debug, Clone, Default)]
pub struct TargetSettings {
    pub python: Vec<PythonVersion>,
    pub arch: Vec<Arch>,
    pub libc: Vec<LibcKind>,
    pub musl: Option<MuslVersion>,
    /// A glibc version or a Debian release, as written.
    pub glibc: Option<String>,
    pub dockerfile: Option<String>,
    pub no_dockerfile: bool,
    /// `--build-arg`: `NAME=VALUE`, or `NAME` for the environment's value.
    pub build_args: Vec<String>,
    /// `--from` and `--to`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub compare: bool,
    /// The inputs, beside the first of which a Dockerfile is looked for.
    pub files: Vec<String>,
}

/// Reads what names the targets. Errors stop the run: a `--glibc` or an image that means nothing, two images
/// of different architectures, a Dockerfile the user named that cannot be read or names no target. A named
/// Dockerfile's bad lines go to `errors`, as a requirements file's do.
pub fn request(
    settings: &TargetSettings,
    input: &Input,
    log: &mut Log,
    errors: &mut Vec<ErrorEntry>,
) -> Result<Request, String> {
    let glibc = match &settings.glibc {
        Some(text) => glibc_of(text)?,
        None => default_debian().glibc,
    };
    let named = match (&settings.from, &settings.to) {
        (Some(from), Some(to)) => images(from, to, &settings.arch, log)?,
        _ => match dockerfile_targets(settings, log, errors)? {
            Some(found) => Named::Dockerfile(found),
            None => Named::Nothing,
        },
    };
    Ok(Request {
        pythons: settings.python.clone(),
        arches: settings.arch.clone(),
        libcs: settings.libc.clone(),
        musl: settings.musl,
        glibc,
        glibc_given: settings.glibc.is_some(),
        compare: settings.compare,
        named,
        requires_python: input.requires_python.as_ref().map(|rp| DeclaredPython {
            any_of: rp.any_of.clone(),
            text: rp.text.clone(),
            at: format!("{}:{}", rp.source.path, rp.source.line),
        }),
        image_name: image::official_image,
    })
}

/// The targets of the Dockerfile the settings name, or of one beside the input when no target flag says
/// otherwise; `None` when no Dockerfile gives any.
fn dockerfile_targets(
    settings: &TargetSettings,
    log: &mut Log,
    errors: &mut Vec<ErrorEntry>,
) -> Result<Option<Found>, String> {
    let dockerfile = match &settings.dockerfile {
        Some(path) => Some((path.clone(), true)),
        None if !settings.no_dockerfile
            && settings.python.is_empty()
            && settings.libc.is_empty()
            && settings.glibc.is_none() =>
        {
            beside_input(&settings.files).map(|p| (p, false))
        }
        None => None,
    };
    if dockerfile.is_none() && !settings.build_args.is_empty() {
        log.warnings
            .push("--build-arg has no effect without a Dockerfile".to_string());
    }
    match dockerfile {
        Some((path, explicit)) => read_dockerfile(&path, explicit, settings, log, errors),
        None => Ok(None),
    }
}

/// `--glibc 2.36` or `--glibc bookworm`.
fn glibc_of(text: &str) -> Result<GlibcVersion, String> {
    if let Some(debian) = data::images().debian(text.trim()) {
        return Ok(debian.glibc);
    }
    text.parse::<GlibcVersion>().map_err(|e| {
        format!(
            "{e}, or a Debian release ({})",
            data::images().debian_codenames()
        )
    })
}

/// The Debian release a bare `-slim` tag means.
fn default_debian() -> &'static data::DebianRelease {
    let images = data::images();
    images
        .debian(&images.python_image.debian)
        .unwrap_or(&images.debian[images.debian.len() - 1])
}

/// `--from IMAGE --to IMAGE`, paired by architecture: each `--arch`, or the one an image pins
/// (`arm64v8/python`), which the other image must then run on too.
fn images(from: &str, to: &str, arches: &[Arch], log: &mut Log) -> Result<Named, String> {
    let (from, to) = (from.trim(), to.trim());
    let current = image::target_of(from, None).map_err(|e| e.to_string())?;
    let proposed = image::target_of(to, None).map_err(|e| e.to_string())?;
    log.notes.push(format!("current: {}", current.how));
    log.notes.push(format!("proposed: {}", proposed.how));
    let arches = match (current.arch, proposed.arch) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "--from {from} runs on {a} and --to {to} on {b}: compare images of one architecture"
            ));
        }
        (Some(pinned), _) | (None, Some(pinned)) => vec![pinned],
        (None, None) => arches_or_default(arches),
    };
    let side = |derived: &image::ImageTarget, image: &str| -> Found {
        arches
            .iter()
            .map(|arch| (derived.target(*arch), Some(image.to_string())))
            .collect()
    };
    Ok(Named::Images {
        from: from.to_string(),
        current: side(&current, from),
        to: to.to_string(),
        proposed: side(&proposed, to),
    })
}

/// A Dockerfile or Containerfile in the directory of the first input (none for standard input alone).
fn beside_input(files: &[String]) -> Option<String> {
    let dir = crate::input::input_dir(files)?;
    ["Dockerfile", "Containerfile"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// `--build-arg NAME=VALUE`, or `--build-arg NAME` for the environment's value, as `docker build` takes them.
fn build_args(pairs: &[String]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|pair| match pair.split_once('=') {
            Some((name, value)) => Some((name.trim().to_string(), value.to_string())),
            None => std::env::var(pair.trim())
                .ok()
                .map(|value| (pair.trim().to_string(), value)),
        })
        .collect()
}

/// The targets a Dockerfile's python stages name. A Dockerfile the user named must be read and hold a python
/// stage (else an error), and its bad lines are input errors; one found beside the input only adds targets
/// when it can, and says what it could not as warnings.
fn read_dockerfile(
    path: &str,
    explicit: bool,
    settings: &TargetSettings,
    log: &mut Log,
    errors: &mut Vec<ErrorEntry>,
) -> Result<Option<Found>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if explicit => return Err(format!("cannot read the Dockerfile {path}: {e}")),
        Err(e) => {
            log.warnings.push(format!(
                "{path} is not read ({e}); checking the default target"
            ));
            return Ok(None);
        }
    };
    let found = dockerfile::targets(
        path,
        &text,
        &build_args(&settings.build_args),
        &settings.arch,
    );
    let at = |e: &dockerfile::DockerfileError| format!("{path}:{}:{}", e.line, e.column);
    if explicit && found.targets.is_empty() {
        let lines: Vec<String> = found
            .errors
            .iter()
            .map(|e| format!("{}: {}", at(e), e.message))
            .collect();
        return Err(lines.join("\n"));
    }
    for e in &found.errors {
        if explicit {
            errors.push(ErrorEntry {
                path: path.to_string(),
                line: Some(e.line),
                column: Some(e.column),
                message: e.message.clone(),
            });
        } else {
            log.warnings.push(format!(
                "{}: {} (in a Dockerfile found beside the input; pass --dockerfile or --no-dockerfile to \
                 decide)",
                at(e),
                e.message
            ));
        }
    }
    if found.targets.is_empty() {
        log.warnings.push(format!(
            "{path} names no target muslcheck can check; checking the default target"
        ));
        return Ok(None);
    }
    let how = if explicit {
        ""
    } else {
        " (found beside the input)"
    };
    log.notes.push(format!("targets from {path}{how}"));
    log.notes
        .extend(found.notes.iter().map(|n| format!("  {n}")));
    let mut out: Found = Vec::new();
    for stage in &found.targets {
        let arches = match stage.target.arch {
            Some(arch) => vec![arch],
            None => arches_or_default(&settings.arch),
        };
        for arch in arches {
            let target = stage.target.target(arch);
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, Some(stage.image.clone())));
            }
        }
    }
    Ok(Some(out))
}
