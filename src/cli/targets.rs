//! Which targets a run checks: the flags' matrix (`--python 3.11,3.12 --arch x86_64,aarch64 --libc musl,glibc`),
//! the images a Dockerfile builds from, or the two sides of a comparison (`--from python:3.12-slim --to
//! python:3.12-alpine`). Every target says how it was derived, for the report's notes.

use std::path::Path;

use super::Args;
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

/// The targets of the run: two images compared (`--from`/`--to`), a Dockerfile's images (given, or found
/// beside the input when no target flag is), or the matrix of `--python` × `--libc` × `--arch`; `--compare`
/// pairs each with its counterpart on the other C library.
pub fn plan(args: &Args, input: &Input, log: &mut Log) -> Result<Plan, String> {
    let glibc = match &args.glibc {
        Some(text) => glibc_of(text)?,
        None => default_debian().glibc,
    };
    let musl = args.musl.unwrap_or(MuslVersion { minor: 2 });
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
    if let Some((path, explicit)) = dockerfile {
        match from_dockerfile(&path, explicit, args, log)? {
            Some(found) if args.compare => return Ok(counterparts(&found, musl, glibc)),
            Some(found) => return Ok(plain(found)),
            None => {}
        }
    }
    let pythons = target_pythons(&args.python, input, log);
    let arches = if args.arch.is_empty() {
        vec![Arch::X86_64]
    } else {
        args.arch.clone()
    };
    if args.compare {
        let slim = matrix(&pythons, &[Libc::Glibc(glibc)], &arches);
        let found: Vec<(Target, Option<String>)> = slim
            .targets
            .iter()
            .map(|p| (p.target, Some(image_name(&p.target))))
            .collect();
        return Ok(counterparts(&found, musl, glibc));
    }
    let libcs = libcs(&args.libc, musl, glibc);
    Ok(matrix(&pythons, &libcs, &arches))
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

/// The official image tag a target stands for: `python:3.12-alpine`, `python:3.12-slim-bookworm`.
fn image_name(target: &Target) -> String {
    let images = data::images();
    match target.libc {
        Libc::Musl(m) if m.minor >= 2 => format!("python:{}-alpine", target.python),
        Libc::Musl(_) => {
            // The newest Alpine release that still ships musl 1.1.
            let last = images.alpine.iter().rev().find(|a| a.musl.minor < 2);
            match last {
                Some(a) => format!("python:{}-alpine{}", target.python, a.release),
                None => format!(
                    "python:{}-alpine (musl {})",
                    target.python,
                    target.libc.version()
                ),
            }
        }
        Libc::Glibc(g) => match images.debian.iter().find(|d| d.glibc == g) {
            Some(d) if d.codename == images.python_image.debian => {
                format!("python:{}-slim", target.python)
            }
            Some(d) => format!("python:{}-slim-{}", target.python, d.codename),
            None => format!("python:{}-slim (glibc {g})", target.python),
        },
    }
}

/// `--from IMAGE --to IMAGE`, each on every `--arch` (an image that pins its architecture keeps it).
fn images(from: &str, to: &str, arches: &[Arch], log: &mut Log) -> Result<Plan, String> {
    let arches = if arches.is_empty() {
        vec![Arch::X86_64]
    } else {
        arches.to_vec()
    };
    let side = |reference: &str, log: &mut Log| -> Result<Vec<(Target, Option<String>)>, String> {
        let derived = image::target_of(reference, None).map_err(|e| e.to_string())?;
        log.notes.push(format!("target: {}", derived.how));
        let mut out: Vec<(Target, Option<String>)> = Vec::new();
        for arch in &arches {
            let target = derived.target(*arch);
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, Some(reference.trim().to_string())));
            }
        }
        Ok(out)
    };
    let current = side(from, log)?;
    let proposed = side(to, log)?;
    if current.len() != proposed.len() {
        return Err(format!(
            "--from {from} and --to {to} run on different architectures: compare images of the same one"
        ));
    }
    Ok(comparison(from.trim(), &current, to.trim(), &proposed))
}

/// A Dockerfile or Containerfile in the directory of the first input (the current directory for none).
fn beside_input(files: &[String]) -> Option<String> {
    let first = files.iter().find(|f| f.as_str() != "-");
    let dir = match first {
        None if files.is_empty() => Path::new("."),
        None => return None,
        Some(f) if Path::new(f).is_dir() => Path::new(f),
        Some(f) => Path::new(f).parent().unwrap_or(Path::new(".")),
    };
    ["Dockerfile", "Containerfile"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// The targets a Dockerfile's python stages name. A Dockerfile the user named must be read and hold a python
/// stage (else an error); one found beside the input is used only when it does, with a warning otherwise.
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
    let mut build_args = Vec::new();
    for pair in &args.build_arg {
        match pair.split_once('=') {
            Some((name, value)) => build_args.push((name.trim().to_string(), value.to_string())),
            None => return Err(format!("--build-arg {pair}: expected NAME=VALUE")),
        }
    }
    let found = dockerfile::targets(path, &text, &build_args, &args.arch);
    let errors = found.errors.iter().map(|e| ErrorEntry {
        path: path.to_string(),
        line: Some(e.line),
        column: Some(e.column),
        message: e.message.clone(),
    });
    if !explicit && found.targets.is_empty() {
        for e in errors {
            log.warnings.push(format!(
                "{}:{}:{}: {} (in a Dockerfile found beside the input: checking the default target; pass \
                 --dockerfile or --no-dockerfile to decide)",
                e.path,
                e.line.unwrap_or(0),
                e.column.unwrap_or(0),
                e.message
            ));
        }
        return Ok(None);
    }
    if found.targets.is_empty() {
        let lines: Vec<String> = found
            .errors
            .iter()
            .map(|e| format!("{path}:{}:{}: {}", e.line, e.column, e.message))
            .collect();
        return Err(lines.join("\n"));
    }
    log.errors.extend(errors);
    let how = if explicit {
        ""
    } else {
        " (found beside the input)"
    };
    log.notes.push(format!("targets from {path}{how}"));
    log.notes
        .extend(found.notes.iter().map(|n| format!("  {n}")));
    let mut out: Vec<(Target, Option<String>)> = Vec::new();
    for stage in &found.targets {
        let arches: Vec<Arch> = match stage.target.arch {
            Some(arch) => vec![arch],
            None if args.arch.is_empty() => vec![Arch::X86_64],
            None => args.arch.clone(),
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

fn plain(found: Vec<(Target, Option<String>)>) -> Plan {
    let mut plan = Plan::default();
    for (target, image) in found {
        plan.add(target, image);
    }
    plan
}

/// Each found target against its counterpart on the other C library (slim ↔ alpine).
fn counterparts(
    found: &[(Target, Option<String>)],
    musl: MuslVersion,
    glibc: GlibcVersion,
) -> Plan {
    let other: Vec<(Target, Option<String>)> = found
        .iter()
        .map(|(t, _)| {
            let c = counterpart(t, musl, glibc);
            (c, Some(image_name(&c)))
        })
        .collect();
    let label = |side: &[(Target, Option<String>)]| {
        let mut names: Vec<String> = Vec::new();
        for (t, image) in side {
            let name = image.clone().unwrap_or_else(|| image_name(t));
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(", ")
    };
    comparison(&label(found), found, &label(&other), &other)
}

/// A C library family named on the command line; its version comes from `--musl` / `--glibc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LibcKind {
    Musl,
    Glibc,
}

/// One target of the run, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub target: Target,
    /// The image it stands for (`python:3.12-alpine`), when an image or a Dockerfile named it.
    pub image: Option<String>,
}

/// Two sides of a comparison: targets of the current image paired with those of the proposed one.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub from: String,
    pub to: String,
    /// (index of the current side's target, index of the proposed side's target) into `Plan::targets`.
    pub pairs: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub targets: Vec<Planned>,
    pub compare: Option<Comparison>,
}

impl Plan {
    /// Adds a target unless it is already there; returns its index.
    pub fn add(&mut self, target: Target, image: Option<String>) -> usize {
        if let Some(i) = self.targets.iter().position(|p| p.target == target) {
            return i;
        }
        self.targets.push(Planned { target, image });
        self.targets.len() - 1
    }

    pub fn targets(&self) -> Vec<Target> {
        self.targets.iter().map(|p| p.target).collect()
    }
}

/// The C libraries the flags name, each with its version: `--libc` (default musl), `--musl`, `--glibc`.
pub fn libcs(kinds: &[LibcKind], musl: MuslVersion, glibc: GlibcVersion) -> Vec<Libc> {
    let kinds = if kinds.is_empty() {
        &[LibcKind::Musl][..]
    } else {
        kinds
    };
    let mut out: Vec<Libc> = Vec::new();
    for kind in kinds {
        let libc = match kind {
            LibcKind::Musl => Libc::Musl(musl),
            LibcKind::Glibc => Libc::Glibc(glibc),
        };
        if !out.contains(&libc) {
            out.push(libc);
        }
    }
    out
}

/// Every combination of the flags' Pythons, C libraries and architectures, in that nesting order (so a
/// report's columns read 3.11 x86_64, 3.11 aarch64, 3.12 x86_64 …).
pub fn matrix(pythons: &[PythonVersion], libcs: &[Libc], arches: &[Arch]) -> Plan {
    let mut plan = Plan::default();
    for python in pythons {
        for libc in libcs {
            for arch in arches {
                plan.add(
                    Target {
                        python: *python,
                        libc: *libc,
                        arch: *arch,
                    },
                    None,
                );
            }
        }
    }
    plan
}

/// A comparison of two lists of targets, paired in order (same Python and architecture on both sides).
pub fn comparison(
    from_label: &str,
    from: &[(Target, Option<String>)],
    to_label: &str,
    to: &[(Target, Option<String>)],
) -> Plan {
    let mut plan = Plan::default();
    let mut pairs = Vec::new();
    for ((f, f_image), (t, t_image)) in from.iter().zip(to) {
        let a = plan.add(*f, f_image.clone());
        let b = plan.add(*t, t_image.clone());
        if a != b && !pairs.contains(&(a, b)) {
            pairs.push((a, b));
        }
    }
    plan.compare = Some(Comparison {
        from: from_label.to_string(),
        to: to_label.to_string(),
        pairs,
    });
    plan
}

/// The same target on the other C library: what `-slim` becomes on `-alpine`, and back.
pub fn counterpart(target: &Target, musl: MuslVersion, glibc: GlibcVersion) -> Target {
    let libc = match target.libc {
        Libc::Musl(_) => Libc::Glibc(glibc),
        Libc::Glibc(_) => Libc::Musl(musl),
    };
    Target { libc, ..*target }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn py(s: &str) -> PythonVersion {
        s.parse().unwrap()
    }

    #[test]
    fn the_matrix_is_every_combination_once() {
        let musl: MuslVersion = "1.2".parse().unwrap();
        let glibc: GlibcVersion = "2.36".parse().unwrap();
        let libcs = libcs(
            &[LibcKind::Musl, LibcKind::Glibc, LibcKind::Musl],
            musl,
            glibc,
        );
        assert_eq!(libcs.len(), 2);
        let plan = matrix(
            &[py("3.11"), py("3.12"), py("3.11")],
            &libcs,
            &[Arch::X86_64, Arch::Aarch64],
        );
        let ids: Vec<String> = plan.targets().iter().map(Target::id).collect();
        assert_eq!(ids.len(), 8, "{ids:?}");
        assert_eq!(ids[0], "cp311-musllinux_1_2_x86_64");
        assert_eq!(ids[1], "cp311-musllinux_1_2_aarch64");
        assert_eq!(ids[2], "cp311-manylinux_2_36_x86_64");
        assert_eq!(ids[7], "cp312-manylinux_2_36_aarch64");
    }

    #[test]
    fn a_comparison_pairs_each_side_in_order() {
        let musl: MuslVersion = "1.2".parse().unwrap();
        let glibc: GlibcVersion = "2.36".parse().unwrap();
        let slim: Vec<(Target, Option<String>)> = [Arch::X86_64, Arch::Aarch64]
            .iter()
            .map(|a| {
                let t = Target {
                    python: py("3.12"),
                    libc: Libc::Glibc(glibc),
                    arch: *a,
                };
                (t, Some("python:3.12-slim".to_string()))
            })
            .collect();
        let alpine: Vec<(Target, Option<String>)> = slim
            .iter()
            .map(|(t, _)| (counterpart(t, musl, glibc), None))
            .collect();
        let plan = comparison("python:3.12-slim", &slim, "python:3.12-alpine", &alpine);
        let compare = plan.compare.as_ref().unwrap();
        assert_eq!(compare.pairs, vec![(0, 1), (2, 3)]);
        assert_eq!(plan.targets[1].target.id(), "cp312-musllinux_1_2_x86_64");
        assert_eq!(plan.targets[0].image.as_deref(), Some("python:3.12-slim"));
    }
}
