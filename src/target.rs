//! What a target is (CPython version, musl version, architecture) and the wheel tags it accepts, best first.
//!
//! The order is the one `packaging.tags.sys_tags()` yields on an Alpine machine (PEP 425 + PEP 656), which is
//! the order pip ranks wheels by. This module is the only place that knows it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::pep::{MarkerEnvironment, MarkerEnvironmentBuilder, Version, VersionSpecifiers};

/// Oldest and newest CPython minor the tool accepts for a target.
const MIN_PY_MINOR: u8 = 8;
const MAX_PY_MINOR: u8 = 15;

/// A CPython version as the user names it: `3.12` or `3.12.7`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PythonVersion {
    pub minor: u8,
    pub patch: Option<u8>,
}

impl PythonVersion {
    /// `3.Y.Z`, with Z = 0 when only `3.Y` was given (what pip's `--python-version 3.Y` compares with too).
    pub fn full(&self) -> String {
        format!("3.{}.{}", self.minor, self.patch.unwrap_or(0))
    }
}

impl PythonVersion {
    /// Whether a requires-python (a union of specifier sets) admits this version: some patch release of it,
    /// when no patch is given.
    pub fn admitted_by(&self, any_of: &[VersionSpecifiers]) -> bool {
        let patches: Vec<u8> = match self.patch {
            Some(p) => vec![p],
            None => (0..=30).collect(),
        };
        patches.iter().any(|p| {
            Version::from_str(&format!("3.{}.{p}", self.minor))
                .is_ok_and(|v| any_of.iter().any(|s| s.contains(&v)))
        })
    }

    /// The lowest CPython minor muslcheck knows that a requires-python admits.
    pub fn lowest_admitted(any_of: &[VersionSpecifiers]) -> Option<PythonVersion> {
        (MIN_PY_MINOR..=MAX_PY_MINOR)
            .map(|minor| PythonVersion { minor, patch: None })
            .find(|p| p.admitted_by(any_of))
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "3.{}.{p}", self.minor),
            None => write!(f, "3.{}", self.minor),
        }
    }
}

impl FromStr for PythonVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a CPython version like 3.12 or 3.12.7");
        let parts: Vec<&str> = s.trim().split('.').collect();
        if !(2..=3).contains(&parts.len()) || parts[0] != "3" {
            return Err(bad());
        }
        let minor: u8 = parts[1].parse().map_err(|_| bad())?;
        let patch = match parts.get(2) {
            Some(p) => Some(p.parse::<u8>().map_err(|_| bad())?),
            None => None,
        };
        if !(MIN_PY_MINOR..=MAX_PY_MINOR).contains(&minor) {
            return Err(format!(
                "CPython {s} is not supported: use 3.{MIN_PY_MINOR} to 3.{MAX_PY_MINOR}"
            ));
        }
        Ok(PythonVersion { minor, patch })
    }
}

/// A CPU architecture as `uname -m` (and so the wheel platform tag) spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
    Armv7l,
    I686,
    Ppc64le,
    S390x,
}

impl Arch {
    pub const ALL: [Arch; 6] = [
        Arch::X86_64,
        Arch::Aarch64,
        Arch::Armv7l,
        Arch::I686,
        Arch::Ppc64le,
        Arch::S390x,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Armv7l => "armv7l",
            Arch::I686 => "i686",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Arch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Docker's platform names are accepted too: that is how image builds name them.
        let arch = match s.trim().to_ascii_lowercase().as_str() {
            "x86_64" | "amd64" => Arch::X86_64,
            "aarch64" | "arm64" => Arch::Aarch64,
            "armv7l" | "armv7" => Arch::Armv7l,
            "i686" | "386" | "x86" => Arch::I686,
            "ppc64le" => Arch::Ppc64le,
            "s390x" => Arch::S390x,
            _ => {
                let known: Vec<&str> = Arch::ALL.iter().map(|a| a.as_str()).collect();
                return Err(format!(
                    "unknown architecture '{s}' (known: {})",
                    known.join(", ")
                ));
            }
        };
        Ok(arch)
    }
}

/// A musl release series: `1.1` or `1.2` (musllinux_1_N wheels run on musl 1.N and later).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MuslVersion {
    pub minor: u8,
}

impl FromStr for MuslVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "1.1" => Ok(MuslVersion { minor: 1 }),
            "1.2" => Ok(MuslVersion { minor: 2 }),
            _ => Err(format!("unknown musl version '{s}' (known: 1.1, 1.2)")),
        }
    }
}

/// One wheel tag triple of PEP 425.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub python: String,
    pub abi: String,
    pub platform: String,
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.python, self.abi, self.platform)
    }
}

/// An interpreter, a C library and an architecture: one Alpine image, as pip on it sees the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub python: PythonVersion,
    pub musl: MuslVersion,
    pub arch: Arch,
}

impl Target {
    /// The target id of DESIGN.md: `cp312-musllinux_1_2_x86_64`.
    pub fn id(&self) -> String {
        format!(
            "cp3{}-musllinux_1_{}_{}",
            self.python.minor, self.musl.minor, self.arch
        )
    }

    /// `cp312`: the interpreter tag and the ABI tag of this CPython.
    pub fn interpreter(&self) -> String {
        format!("cp3{}", self.python.minor)
    }

    /// Platforms best first: musllinux_1_N … musllinux_1_0, then linux (PEP 656; pip's order on musl).
    fn platforms(&self) -> Vec<String> {
        let arch = self.arch.as_str();
        let mut out: Vec<String> = (0..=self.musl.minor)
            .rev()
            .map(|m| format!("musllinux_1_{m}_{arch}"))
            .collect();
        out.push(format!("linux_{arch}"));
        out
    }

    /// Every tag the target accepts, best first, as `packaging.tags.sys_tags()` yields them.
    pub fn compatible_tags(&self) -> Vec<Tag> {
        let cp = self.interpreter();
        let minor = self.python.minor;
        let platforms = self.platforms();
        let mut tags = Vec::new();
        let mut push_all = |python: &str, abi: &str, platforms: &[String]| {
            for p in platforms {
                tags.push(Tag {
                    python: python.into(),
                    abi: abi.into(),
                    platform: p.clone(),
                });
            }
        };
        // cpython_tags(): own ABI, abi3, none, then the abi3 of every older CPython 3 down to 3.2.
        push_all(&cp, &cp, &platforms);
        push_all(&cp, "abi3", &platforms);
        push_all(&cp, "none", &platforms);
        for older in (2..minor).rev() {
            push_all(&format!("cp3{older}"), "abi3", &platforms);
        }
        // compatible_tags(): py3Y, py3, py3(Y-1) … py30 on each platform; cp3Y-none-any; the same py list on any.
        let py_range: Vec<String> = std::iter::once(format!("py3{minor}"))
            .chain(std::iter::once("py3".to_string()))
            .chain((0..minor).rev().map(|m| format!("py3{m}")))
            .collect();
        for py in &py_range {
            push_all(py, "none", &platforms);
        }
        let any = ["any".to_string()];
        push_all(&cp, "none", &any);
        for py in &py_range {
            push_all(py, "none", &any);
        }
        tags
    }

    /// The marker environment of PEP 508 on this target.
    pub fn marker_environment(&self) -> MarkerEnvironment {
        let full = self.python.full();
        let short = format!("3.{}", self.python.minor);
        MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: &full,
            os_name: "posix",
            platform_machine: self.arch.as_str(),
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: "Linux",
            platform_version: "",
            python_full_version: &full,
            python_version: &short,
            sys_platform: "linux",
        })
        .expect("versions built from validated numbers always parse")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CPython {} · musl 1.{} · {}",
            self.python, self.musl.minor, self.arch
        )
    }
}

/// The compatible tags of one target indexed by rank (0 = best), for matching wheel filenames.
#[derive(Debug)]
pub struct TagRanks {
    ranks: HashMap<String, usize>,
}

impl TagRanks {
    pub fn new(target: &Target) -> Self {
        let ranks = target
            .compatible_tags()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i))
            .collect();
        TagRanks { ranks }
    }

    /// The rank of one tag, `None` when the target does not accept it.
    pub fn rank(&self, python: &str, abi: &str, platform: &str) -> Option<usize> {
        // Built once per lookup; tag strings are short and lookups per file few.
        self.ranks
            .get(&format!("{python}-{abi}-{platform}"))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_id_and_display() {
        let t = Target {
            python: "3.12".parse().unwrap(),
            musl: "1.2".parse().unwrap(),
            arch: "arm64".parse().unwrap(),
        };
        assert_eq!(t.id(), "cp312-musllinux_1_2_aarch64");
        assert_eq!(t.to_string(), "CPython 3.12 · musl 1.2 · aarch64");
    }

    #[test]
    fn python_versions_parse_strictly() {
        assert_eq!("3.12.7".parse::<PythonVersion>().unwrap().full(), "3.12.7");
        assert_eq!("3.12".parse::<PythonVersion>().unwrap().full(), "3.12.0");
        assert!("2.7".parse::<PythonVersion>().is_err());
        assert!("3.7".parse::<PythonVersion>().is_err());
        assert!("3.x".parse::<PythonVersion>().is_err());
        assert!("3.12.7.1".parse::<PythonVersion>().is_err());
    }

    #[test]
    fn lowest_python_a_requires_python_admits() {
        let lowest =
            |s: &str| PythonVersion::lowest_admitted(&[s.parse().unwrap()]).map(|p| p.to_string());
        assert_eq!(lowest(">=3.10").as_deref(), Some("3.10"));
        assert_eq!(lowest(">=3.9.2,<4").as_deref(), Some("3.9"));
        assert_eq!(lowest(">=3.6").as_deref(), Some("3.8"));
        assert_eq!(lowest("==3.11.*").as_deref(), Some("3.11"));
        assert_eq!(lowest("<3.0"), None);
        let p: PythonVersion = "3.12.7".parse().unwrap();
        assert!(p.admitted_by(&[">=3.12.5".parse().unwrap()]));
        assert!(!p.admitted_by(&["<3.12.7".parse().unwrap()]));
        assert!(
            p.admitted_by(&["<3.0".parse().unwrap(), ">=3.4".parse().unwrap()]),
            "a union"
        );
    }

    #[test]
    fn unknown_arch_and_musl_are_errors() {
        assert!("sparc".parse::<Arch>().unwrap_err().contains("x86_64"));
        assert!("1.3".parse::<MuslVersion>().is_err());
    }

    #[test]
    fn ranks_follow_the_tag_order() {
        let t = Target {
            python: "3.12".parse().unwrap(),
            musl: "1.2".parse().unwrap(),
            arch: Arch::X86_64,
        };
        let r = TagRanks::new(&t);
        let native = r.rank("cp312", "cp312", "musllinux_1_1_x86_64").unwrap();
        let abi3 = r.rank("cp39", "abi3", "musllinux_1_2_x86_64").unwrap();
        let pure = r.rank("py3", "none", "any").unwrap();
        assert!(native < abi3 && abi3 < pure);
        assert_eq!(r.rank("cp312", "cp312", "manylinux_2_17_x86_64"), None);
        assert_eq!(r.rank("cp313", "cp313", "musllinux_1_2_x86_64"), None);
        assert_eq!(r.rank("cp312", "cp312", "musllinux_1_2_aarch64"), None);
    }

    /// The fixtures are `packaging.tags` output, generated once by `tests/fixtures/tags/generate.py`
    /// (packaging 26.3): for cp39/cp312/cp313 × x86_64/aarch64 × musl 1.1/1.2, every tag in order.
    #[test]
    fn tag_order_matches_packaging_tags() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tags");
        let mut checked = 0;
        for minor in ["3.9", "3.12", "3.13"] {
            for arch in ["x86_64", "aarch64"] {
                for musl in ["1.1", "1.2"] {
                    let t = Target {
                        python: minor.parse().unwrap(),
                        musl: musl.parse().unwrap(),
                        arch: arch.parse().unwrap(),
                    };
                    let file = dir.join(format!("{}.txt", t.id()));
                    let expected = std::fs::read_to_string(&file).unwrap();
                    let expected: Vec<&str> = expected.lines().collect();
                    let ours: Vec<String> =
                        t.compatible_tags().iter().map(Tag::to_string).collect();
                    assert_eq!(ours, expected, "tag order for {}", t.id());
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 12);
    }
}
