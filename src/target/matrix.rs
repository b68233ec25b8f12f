//! The shapes of a run's targets and how they combine: the flags' matrix (`--python 3.11,3.12 --arch
//! x86_64,aarch64 --libc musl,glibc`), and the two sides of a comparison (`--from python:3.12-slim --to
//! python:3.12-alpine`), each target with the image it stands for. The deciding is in `plan`.

use std::str::FromStr;

use super::{Arch, GlibcVersion, Libc, MuslVersion, PythonVersion, Target};

/// A C library family a run names (`--libc`, `libc` in the settings file); its version comes from `--musl` /
/// `--glibc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibcKind {
    Musl,
    Glibc,
}

/// `musl` or `glibc`, in any case (as the flag's values are matched).
impl FromStr for LibcKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        [("musl", LibcKind::Musl), ("glibc", LibcKind::Glibc)]
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, kind)| kind)
            .ok_or_else(|| "expected musl or glibc".to_string())
    }
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
