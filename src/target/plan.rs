//! Deciding the targets of a run from the flags, the settings, a Dockerfile or two image references, with a
//! note of how each was derived. A glibc (`-slim`) image is always put beside its Alpine counterpart: the
//! question muslcheck answers is what switching to Alpine does.

use super::matrix::{Plan, comparison, counterpart, libcs, matrix};
use crate::cli::Args;
use crate::data;
use crate::image::{self, dockerfile};
use crate::input::{Input, RequiresPython};
use crate::report::ErrorEntry;
use crate::target::{Arch, GlibcVersion, Libc, MuslVersion, PythonVersion, Target};

/// The CPython checked when neither `--python`, a Dockerfile nor the project's requires-python says.
const DEFAULT_PYTHON: PythonVersion = PythonVersion {
    minor: 12,
    patch: None,
};

/// The musl of musl targets when `--musl` does not say: every Alpine release since 3.13.
const DEFAULT_MUSL: MuslVersion = MuslVersion { minor: 2 };

/// Targets, each with the image it stands for, in the order found.
type Found = Vec<(Target, Option<String>)>;

/// What deciding the targets had to say: notes (how each target was derived), warnings, and a Dockerfile's
/// bad lines.
#[derive(Debug, Default)]
pub struct Log {
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    pub errors: Vec<ErrorEntry>,
}

/// The C library versions of the run: `--musl`, `--glibc` (a version or a Debian release).
#[derive(Clone, Copy)]
struct Libcs {
    musl: MuslVersion,
    glibc: GlibcVersion,
}

/// The targets of the run: two images compared (`--from`/`--to`), a Dockerfile's images (given, or found
/// beside the input when no target flag is), or the matrix of `--python` × `--libc` × `--arch`; `--compare`
/// pairs each glibc target with its musl counterpart.
pub fn plan(args: &Args, input: &Input, log: &mut Log) -> Result<Plan, String> {
    let libcs_of_run = Libcs {
        musl: args.musl.unwrap_or(DEFAULT_MUSL),
        glibc: match &args.glibc {
            Some(text) => glibc_of(text)?,
            None => default_debian().glibc,
        },
    };
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        return images(from, to, &args.arch, log);
    }
    let dockerfile = match &args.dockerfile {
        Some(path) => Some((path.clone(), true)),
        None if !args.no_dockerfile
            && args.python.is_empty()
            && args.libc.is_empty()
            && args.glibc.is_none() =>
        {
            beside_input(&args.files).map(|p| (p, false))
        }
        None => None,
    };
    if dockerfile.is_none() && !args.build_arg.is_empty() {
        log.warnings
            .push("--build-arg has no effect without a Dockerfile".to_string());
    }
    if let Some((path, explicit)) = dockerfile
        && let Some(found) = from_dockerfile(&path, explicit, args, log)?
    {
        let glibc = found.iter().any(|(t, _)| matches!(t.libc, Libc::Glibc(_)));
        if glibc && !args.compare {
            log.notes.push(
                    "a glibc (-slim) image is checked beside its Alpine counterpart: what switching does"
                        .to_string(),
                );
        }
        return Ok(switch(&found, libcs_of_run, args.compare));
    }
    let pythons = target_pythons(&args.python, input, log);
    let arches = arches_or_default(&args.arch);
    if args.compare {
        let slim = matrix(&pythons, &[Libc::Glibc(libcs_of_run.glibc)], &arches);
        let found: Found = slim
            .targets
            .iter()
            .map(|p| (p.target, image_name(&p.target)))
            .collect();
        return Ok(switch(&found, libcs_of_run, true));
    }
    let libcs = libcs(&args.libc, libcs_of_run.musl, libcs_of_run.glibc);
    if !libcs.iter().any(|l| matches!(l, Libc::Glibc(_))) && args.glibc.is_some() {
        log.warnings.push(
            "--glibc has no effect on musl targets: add --libc glibc or --compare".to_string(),
        );
    }
    Ok(matrix(&pythons, &libcs, &arches))
}

fn arches_or_default(arches: &[Arch]) -> Vec<Arch> {
    if arches.is_empty() {
        vec![Arch::X86_64]
    } else {
        arches.to_vec()
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

/// The official image tag a target stands for, when there is one: `python:3.12-alpine`,
/// `python:3.12-slim-bookworm`. None for a musl 1.1 or a glibc no Debian release ships: no current tag is
/// such an image, and none is made up.
fn image_name(target: &Target) -> Option<String> {
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

/// `--from IMAGE --to IMAGE`, paired by architecture: each `--arch`, or the one an image pins
/// (`arm64v8/python`), which the other image must then run on too.
fn images(from: &str, to: &str, arches: &[Arch], log: &mut Log) -> Result<Plan, String> {
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
    Ok(comparison(
        from,
        &side(&current, from),
        to,
        &side(&proposed, to),
    ))
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
fn from_dockerfile(
    path: &str,
    explicit: bool,
    args: &Args,
    log: &mut Log,
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
    let found = dockerfile::targets(path, &text, &build_args(&args.build_arg), &args.arch);
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
            log.errors.push(ErrorEntry {
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
            None => arches_or_default(&args.arch),
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

/// Each glibc target beside its musl counterpart, current → proposed; with `pair_musl` (an explicit
/// `--compare`), each musl target beside its glibc counterpart too, still glibc → musl. Other targets are
/// checked on their own.
fn switch(found: &Found, libcs: Libcs, pair_musl: bool) -> Plan {
    let mut current: Found = Vec::new();
    let mut proposed: Found = Vec::new();
    let mut alone: Found = Vec::new();
    for (target, image) in found {
        let other = counterpart(target, libcs.musl, libcs.glibc);
        let named = image.clone().or_else(|| image_name(target));
        match target.libc {
            Libc::Glibc(_) => {
                current.push((*target, named));
                proposed.push((other, image_name(&other)));
            }
            Libc::Musl(_) if pair_musl => {
                current.push((other, image_name(&other)));
                proposed.push((*target, named));
            }
            Libc::Musl(_) => alone.push((*target, named)),
        }
    }
    if current.is_empty() {
        let mut plan = Plan::default();
        for (target, image) in alone {
            plan.add(target, image);
        }
        return plan;
    }
    let label = |side: &Found| {
        let mut names: Vec<String> = Vec::new();
        for (t, image) in side {
            let name = image.clone().unwrap_or_else(|| t.to_string());
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(", ")
    };
    let mut plan = comparison(&label(&current), &current, &label(&proposed), &proposed);
    for (target, image) in alone {
        plan.add(target, image);
    }
    plan
}

/// The target's CPythons: `--python`, else the lowest the project's requires-python admits, else the
/// default. A `--python` outside requires-python is a warning: the project says it does not support it.
fn target_pythons(asked: &[PythonVersion], input: &Input, log: &mut Log) -> Vec<PythonVersion> {
    let declared = input.requires_python.as_ref();
    let at = |rp: &RequiresPython| format!("{}:{}", rp.source.path, rp.source.line);
    if !asked.is_empty() {
        let mut out = Vec::new();
        for python in asked {
            if out.contains(python) {
                continue;
            }
            if let Some(rp) = declared.filter(|rp| !python.admitted_by(&rp.any_of)) {
                log.warnings.push(format!(
                    "--python {python} is outside the project's requires-python {} ({})",
                    rp.text,
                    at(rp)
                ));
            }
            out.push(*python);
        }
        return out;
    }
    let python = match declared {
        Some(rp) => match PythonVersion::lowest_admitted(&rp.any_of) {
            Some(python) => {
                log.notes.push(format!(
                    "python: {python}, the lowest requires-python {} admits ({})",
                    rp.text,
                    at(rp)
                ));
                python
            }
            None => {
                log.warnings.push(format!(
                    "requires-python {} ({}) admits no CPython muslcheck knows; checking {DEFAULT_PYTHON}",
                    rp.text,
                    at(rp)
                ));
                DEFAULT_PYTHON
            }
        },
        None => DEFAULT_PYTHON,
    };
    vec![python]
}
