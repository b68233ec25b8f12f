//! Deciding the targets of a run from what it asks for, with a note of how each was derived: two images
//! compared, a Dockerfile's images, or the matrix of `--python` × `--libc` × `--arch`. A glibc (`-slim`) image
//! is always put beside its Alpine counterpart: the question muslcheck answers is what switching to Alpine
//! does.
//!
//! Plain logic on plain values: the images and the Dockerfile are read before (`settings::target_sources`),
//! and the project's requires-python comes with the request, so planning knows nothing of files, flags or
//! image references.

use super::matrix::{LibcKind, Plan, comparison, counterpart, libcs, matrix};
use super::{Arch, GlibcVersion, Libc, MuslVersion, PythonVersion, Target};
use crate::pep::VersionSpecifiers;

/// The CPython checked when neither `--python`, a Dockerfile nor the project's requires-python says.
const DEFAULT_PYTHON: PythonVersion = PythonVersion {
    minor: 12,
    patch: None,
};

/// The musl of musl targets when `--musl` does not say: every Alpine release since 3.13.
const DEFAULT_MUSL: MuslVersion = MuslVersion { minor: 2 };

/// Targets, each with the image it stands for, in the order found.
pub type Found = Vec<(Target, Option<String>)>;

/// What a run asks of its targets, every setting merged and every image read.
#[derive(Debug, Clone)]
pub struct Request {
    /// `--python`; empty: the lowest the project's requires-python admits, else 3.12.
    pub pythons: Vec<PythonVersion>,
    /// `--arch`; empty: x86_64.
    pub arches: Vec<Arch>,
    /// `--libc`; empty: musl.
    pub libcs: Vec<LibcKind>,
    /// `--musl`; `None`: 1.2.
    pub musl: Option<MuslVersion>,
    /// The glibc of glibc targets: `--glibc`, else that of the official image's `-slim` tag.
    pub glibc: GlibcVersion,
    /// Whether `--glibc` was given: on musl targets alone it has no effect, which the user should hear.
    pub glibc_given: bool,
    /// `--compare`: each target beside its counterpart on the other C library.
    pub compare: bool,
    pub named: Named,
    /// The project's requires-python.
    pub requires_python: Option<DeclaredPython>,
    /// The official image a target stands for (`python:3.12-alpine`), when there is one: the labels of a
    /// comparison's sides.
    pub image_name: fn(&Target) -> Option<String>,
}

/// The targets images name, when images name them.
#[derive(Debug, Clone)]
pub enum Named {
    /// None: the targets are the flags' matrix.
    Nothing,
    /// `--from IMAGE --to IMAGE`: each side's targets, paired in order.
    Images {
        from: String,
        current: Found,
        to: String,
        proposed: Found,
    },
    /// The images a Dockerfile builds from.
    Dockerfile(Found),
}

/// A project's requires-python, as planning reads it.
#[derive(Debug, Clone)]
pub struct DeclaredPython {
    pub any_of: Vec<VersionSpecifiers>,
    /// As written.
    pub text: String,
    /// Where it is written: `pyproject.toml:4`.
    pub at: String,
}

/// What deciding the targets had to say: notes (how each target was derived) and warnings.
#[derive(Debug, Default)]
pub struct Log {
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// The C library versions of the run: `--musl`, `--glibc`.
#[derive(Clone, Copy)]
struct Libcs {
    musl: MuslVersion,
    glibc: GlibcVersion,
}

/// The targets of the run: two images compared (`--from`/`--to`), a Dockerfile's images, or the matrix of
/// `--python` × `--libc` × `--arch`; `--compare` pairs each glibc target with its musl counterpart.
pub fn plan(request: &Request, log: &mut Log) -> Plan {
    let libcs_of_run = Libcs {
        musl: request.musl.unwrap_or(DEFAULT_MUSL),
        glibc: request.glibc,
    };
    let image_name = request.image_name;
    match &request.named {
        Named::Images {
            from,
            current,
            to,
            proposed,
        } => return comparison(from, current, to, proposed),
        Named::Dockerfile(found) => {
            let glibc = found.iter().any(|(t, _)| matches!(t.libc, Libc::Glibc(_)));
            if glibc && !request.compare {
                log.notes.push(
                    "a glibc (-slim) image is checked beside its Alpine counterpart: what switching does"
                        .to_string(),
                );
            }
            return switch(found, libcs_of_run, request.compare, image_name);
        }
        Named::Nothing => {}
    }
    let pythons = target_pythons(&request.pythons, request.requires_python.as_ref(), log);
    let arches = arches_or_default(&request.arches);
    if request.compare {
        let slim = matrix(&pythons, &[Libc::Glibc(libcs_of_run.glibc)], &arches);
        let found: Found = slim
            .targets
            .iter()
            .map(|p| (p.target, image_name(&p.target)))
            .collect();
        return switch(&found, libcs_of_run, true, image_name);
    }
    let libcs = libcs(&request.libcs, libcs_of_run.musl, libcs_of_run.glibc);
    if !libcs.iter().any(|l| matches!(l, Libc::Glibc(_))) && request.glibc_given {
        log.warnings.push(
            "--glibc has no effect on musl targets: add --libc glibc or --compare".to_string(),
        );
    }
    matrix(&pythons, &libcs, &arches)
}

/// `--arch`, else x86_64.
pub fn arches_or_default(arches: &[Arch]) -> Vec<Arch> {
    if arches.is_empty() {
        vec![Arch::X86_64]
    } else {
        arches.to_vec()
    }
}

/// Each glibc target beside its musl counterpart, current → proposed; with `pair_musl` (an explicit
/// `--compare`), each musl target beside its glibc counterpart too, still glibc → musl. Other targets are
/// checked on their own.
fn switch(
    found: &Found,
    libcs: Libcs,
    pair_musl: bool,
    image_name: fn(&Target) -> Option<String>,
) -> Plan {
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
fn target_pythons(
    asked: &[PythonVersion],
    declared: Option<&DeclaredPython>,
    log: &mut Log,
) -> Vec<PythonVersion> {
    if !asked.is_empty() {
        let mut out = Vec::new();
        for python in asked {
            if out.contains(python) {
                continue;
            }
            if let Some(rp) = declared.filter(|rp| !python.admitted_by(&rp.any_of)) {
                log.warnings.push(format!(
                    "--python {python} is outside the project's requires-python {} ({})",
                    rp.text, rp.at
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
                    rp.text, rp.at
                ));
                python
            }
            None => {
                log.warnings.push(format!(
                    "requires-python {} ({}) admits no CPython muslcheck knows; checking {DEFAULT_PYTHON}",
                    rp.text, rp.at
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

    /// Image names as a fixed table, so that planning is tested without the image facts.
    fn named(target: &Target) -> Option<String> {
        match target.libc {
            Libc::Musl(_) => Some(format!("python:{}-alpine", target.python)),
            Libc::Glibc(_) => Some(format!("python:{}-slim", target.python)),
        }
    }

    fn request() -> Request {
        Request {
            pythons: Vec::new(),
            arches: Vec::new(),
            libcs: Vec::new(),
            musl: None,
            glibc: "2.36".parse().unwrap(),
            glibc_given: false,
            compare: false,
            named: Named::Nothing,
            requires_python: None,
            image_name: named,
        }
    }

    #[test]
    fn the_python_comes_from_requires_python_unless_asked() {
        let declared = DeclaredPython {
            any_of: vec![crate::pep::parse_requires_python(">=3.10").unwrap()],
            text: ">=3.10".into(),
            at: "pyproject.toml:4".into(),
        };
        let mut log = Log::default();
        let planned = plan(
            &Request {
                requires_python: Some(declared.clone()),
                ..request()
            },
            &mut log,
        );
        assert_eq!(planned.targets[0].target.id(), "cp310-musllinux_1_2_x86_64");
        assert_eq!(
            log.notes,
            ["python: 3.10, the lowest requires-python >=3.10 admits (pyproject.toml:4)"]
        );

        let mut log = Log::default();
        let planned = plan(
            &Request {
                pythons: vec![py("3.9"), py("3.12"), py("3.9")],
                requires_python: Some(declared),
                ..request()
            },
            &mut log,
        );
        assert_eq!(planned.targets().len(), 2);
        assert_eq!(
            log.warnings,
            ["--python 3.9 is outside the project's requires-python >=3.10 (pyproject.toml:4)"]
        );
    }

    #[test]
    fn a_dockerfiles_slim_image_is_checked_beside_its_alpine_counterpart() {
        let slim = Target {
            python: py("3.12"),
            libc: Libc::Glibc("2.36".parse().unwrap()),
            arch: Arch::X86_64,
        };
        let mut log = Log::default();
        let planned = plan(
            &Request {
                named: Named::Dockerfile(vec![(slim, Some("python:3.12-slim-bookworm".into()))]),
                ..request()
            },
            &mut log,
        );
        let ids: Vec<String> = planned.targets().iter().map(Target::id).collect();
        assert_eq!(
            ids,
            ["cp312-manylinux_2_36_x86_64", "cp312-musllinux_1_2_x86_64"]
        );
        let compare = planned.compare.as_ref().unwrap();
        assert_eq!(compare.from, "python:3.12-slim-bookworm");
        assert_eq!(compare.to, "python:3.12-alpine");
        assert_eq!(compare.pairs, [(0, 1)]);
        assert_eq!(log.notes.len(), 1, "{:?}", log.notes);
    }

    #[test]
    fn glibc_on_musl_targets_alone_is_a_warning() {
        let mut log = Log::default();
        let planned = plan(
            &Request {
                glibc_given: true,
                ..request()
            },
            &mut log,
        );
        assert_eq!(planned.targets().len(), 1);
        assert_eq!(
            log.warnings,
            ["--glibc has no effect on musl targets: add --libc glibc or --compare"]
        );
    }
}
