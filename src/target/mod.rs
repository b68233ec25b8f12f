//! What a target is (CPython version, musl version, architecture) and the wheel tags it accepts, best first.
//!
//! The order is the one `packaging.tags.sys_tags()` yields on an Alpine machine (PEP 425 + PEP 656), which is
//! the order pip ranks wheels by. This module is the only place that knows it.

pub(crate) mod matrix;
pub(crate) mod plan;

pub use matrix::{LibcKind, Plan};

use std::fmt;
use std::str::FromStr;

use rustc_hash::FxHashMap;

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

impl fmt::Display for MuslVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

/// A glibc release `2.N` (manylinux_2_N wheels run on glibc 2.N and later; PEP 600).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlibcVersion {
    pub minor: u16,
}

/// The oldest glibc a manylinux tag names: 2.5 (manylinux1) on x86_64 and i686, 2.17 elsewhere
/// (`packaging._manylinux`).
const GLIBC_OLDEST_X86: u16 = 5;
const GLIBC_OLDEST: u16 = 17;
/// The newest glibc muslcheck accepts as a target; far past any release, it only bounds the tag list.
const GLIBC_NEWEST: u16 = 99;

impl FromStr for GlibcVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a glibc version like 2.36");
        let minor = s
            .trim()
            .strip_prefix("2.")
            .ok_or_else(bad)?
            .parse::<u16>()
            .map_err(|_| bad())?;
        if !(GLIBC_OLDEST..=GLIBC_NEWEST).contains(&minor) {
            return Err(format!(
                "glibc {s} is not supported: use 2.{GLIBC_OLDEST} to 2.{GLIBC_NEWEST}"
            ));
        }
        Ok(GlibcVersion { minor })
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.{}", self.minor)
    }
}

/// The C library of the image: musl (Alpine) or glibc (Debian, the `-slim` images).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Libc {
    Musl(MuslVersion),
    Glibc(GlibcVersion),
}

impl Libc {
    /// `musl` or `glibc`, as the JSON report's `libc` says.
    pub fn name(self) -> &'static str {
        match self {
            Libc::Musl(_) => "musl",
            Libc::Glibc(_) => "glibc",
        }
    }

    /// The version alone: `1.2`, `2.36`.
    pub fn version(self) -> String {
        match self {
            Libc::Musl(v) => v.to_string(),
            Libc::Glibc(v) => v.to_string(),
        }
    }

    /// The wheel platform family whose tags this libc accepts: `musllinux` (PEP 656) or `manylinux` (PEP 600).
    pub fn family(self) -> &'static str {
        match self {
            Libc::Musl(_) => "musllinux",
            Libc::Glibc(_) => "manylinux",
        }
    }

    /// The platform tag without its architecture: `musllinux_1_2`, `manylinux_2_36`.
    pub fn platform_prefix(self) -> String {
        match self {
            Libc::Musl(v) => format!("musllinux_1_{}", v.minor),
            Libc::Glibc(v) => format!("manylinux_2_{}", v.minor),
        }
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name(), self.version())
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
    pub libc: Libc,
    pub arch: Arch,
}

impl Target {
    /// A musl target (the common case; glibc targets are built with the struct literal).
    pub fn musl(python: PythonVersion, musl: MuslVersion, arch: Arch) -> Self {
        Target {
            python,
            libc: Libc::Musl(musl),
            arch,
        }
    }

    /// CPython 3.12 on musl 1.2 (`python:3.12-alpine`) for `arch`: the tests' usual target.
    #[cfg(test)]
    pub fn cp312_musl(arch: Arch) -> Self {
        Target::musl(
            PythonVersion {
                minor: 12,
                patch: None,
            },
            MuslVersion { minor: 2 },
            arch,
        )
    }

    /// The target id of docs/design.md: `cp312-musllinux_1_2_x86_64`, `cp312-manylinux_2_36_x86_64`.
    pub fn id(&self) -> String {
        format!(
            "cp3{}-{}_{}",
            self.python.minor,
            self.libc.platform_prefix(),
            self.arch
        )
    }

    /// `cp312`: the interpreter tag and the ABI tag of this CPython.
    pub fn interpreter(&self) -> String {
        format!("cp3{}", self.python.minor)
    }

    /// Platforms best first, as `packaging.tags._linux_platforms()` yields them in packaging 26 (which pip 26
    /// vendors): `linux_ARCH` first, then on musl 1.N musllinux_1_N … musllinux_1_0 (PEP 656), on glibc 2.N
    /// manylinux_2_N … down to the oldest tag of the architecture, each legacy alias (manylinux2014 = 2.17,
    /// manylinux2010 = 2.12, manylinux1 = 2.5) right after its PEP 600 name. Indexes of the public kind host
    /// no `linux_` wheels; private ones may, and pip prefers them.
    pub fn platforms(&self) -> Vec<String> {
        let arch = self.arch.as_str();
        let mut out = vec![format!("linux_{arch}")];
        out.extend::<Vec<String>>(match self.libc {
            Libc::Musl(v) => (0..=v.minor)
                .rev()
                .map(|m| format!("musllinux_1_{m}_{arch}"))
                .collect(),
            Libc::Glibc(v) => {
                let oldest = match self.arch {
                    Arch::X86_64 | Arch::I686 => GLIBC_OLDEST_X86,
                    _ => GLIBC_OLDEST,
                };
                let mut tags = Vec::new();
                for minor in (oldest..=v.minor).rev() {
                    tags.push(format!("manylinux_2_{minor}_{arch}"));
                    let legacy = match minor {
                        17 => Some("manylinux2014"),
                        12 => Some("manylinux2010"),
                        5 => Some("manylinux1"),
                        _ => None,
                    };
                    if let Some(legacy) = legacy {
                        tags.push(format!("{legacy}_{arch}"));
                    }
                }
                tags
            }
        });
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
        write!(f, "CPython {} · {} · {}", self.python, self.libc, self.arch)
    }
}

/// The compatible tags of one target indexed by rank (0 = best), for matching wheel filenames.
#[derive(Debug)]
pub struct TagRanks {
    /// platform → abi → python → rank: looked up part by part, so that matching a file allocates nothing
    /// and a platform the target does not accept (most files of a page) is one miss. Hashed with a fast
    /// hash: the keys are the target's own tags, and every file of every page read is looked up.
    ranks: FxHashMap<String, FxHashMap<String, FxHashMap<String, usize>>>,
}

impl TagRanks {
    pub fn new(target: &Target) -> Self {
        let mut ranks: FxHashMap<String, FxHashMap<String, FxHashMap<String, usize>>> =
            FxHashMap::default();
        for (i, tag) in target.compatible_tags().iter().enumerate() {
            let text = tag.to_string();
            let mut parts = text.splitn(3, '-');
            let (Some(python), Some(abi), Some(platform)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            ranks
                .entry(platform.to_string())
                .or_default()
                .entry(abi.to_string())
                .or_default()
                .entry(python.to_string())
                .or_insert(i);
        }
        TagRanks { ranks }
    }

    /// The rank of one tag, `None` when the target does not accept it.
    pub fn rank(&self, python: &str, abi: &str, platform: &str) -> Option<usize> {
        self.ranks.get(platform)?.get(abi)?.get(python).copied()
    }

    /// The best rank of the tags that compressed tag sets (`py2.py3`, `none`,
    /// `manylinux_2_17_x86_64.manylinux2014_x86_64`) expand to; `None` when the target accepts none. The
    /// platforms are looked up first: most files of a page are for a platform the target does not accept.
    pub fn best(&self, pythons: &str, abis: &str, platforms: &str) -> Option<usize> {
        platforms
            .split('.')
            .filter_map(|platform| self.ranks.get(platform))
            .flat_map(|by_abi| abis.split('.').filter_map(|abi| by_abi.get(abi)))
            .flat_map(|by_python| {
                pythons
                    .split('.')
                    .filter_map(|python| by_python.get(python).copied())
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_id_and_display() {
        let t = Target {
            python: "3.12".parse().unwrap(),
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
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
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
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

    /// Parses a target id back (test helper): `cp312-musllinux_1_2_x86_64`, `cp312-manylinux_2_36_i686`.
    fn from_id(id: &str) -> Target {
        let (cp, rest) = id.split_once('-').unwrap();
        let python: PythonVersion = format!("3.{}", &cp[3..]).parse().unwrap();
        let parts: Vec<&str> = rest.splitn(4, '_').collect();
        let version = format!("{}.{}", parts[1], parts[2]);
        let libc = match parts[0] {
            "musllinux" => Libc::Musl(version.parse().unwrap()),
            "manylinux" => Libc::Glibc(version.parse().unwrap()),
            other => panic!("unknown family {other}"),
        };
        Target {
            python,
            libc,
            arch: parts[3].parse().unwrap(),
        }
    }

    /// The fixtures are `packaging.tags` output, generated once by `tests/fixtures/tags/generate.py`
    /// (packaging 26.3): musl and glibc targets over several CPythons and every architecture, every tag in
    /// order, the platform list from packaging's own `_musllinux`/`_manylinux` with the C library faked.
    #[test]
    fn tag_order_matches_packaging_tags() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tags");
        let mut checked = Vec::new();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let id = path.file_stem().unwrap().to_str().unwrap().to_string();
            let t = from_id(&id);
            assert_eq!(t.id(), id);
            let expected = std::fs::read_to_string(&path).unwrap();
            let expected: Vec<&str> = expected.lines().collect();
            let ours: Vec<String> = t.compatible_tags().iter().map(Tag::to_string).collect();
            assert_eq!(ours, expected, "tag order for {id}");
            checked.push(id);
        }
        assert_eq!(checked.len(), 25, "{checked:?}");
        assert!(checked.iter().any(|id| id.contains("manylinux_2_36_i686")));
    }

    #[test]
    fn glibc_versions_and_ids() {
        let t = Target {
            python: "3.12".parse().unwrap(),
            libc: Libc::Glibc("2.36".parse().unwrap()),
            arch: Arch::X86_64,
        };
        assert_eq!(t.id(), "cp312-manylinux_2_36_x86_64");
        assert_eq!(t.to_string(), "CPython 3.12 · glibc 2.36 · x86_64");
        assert!("2.16".parse::<GlibcVersion>().is_err());
        assert!("3.1".parse::<GlibcVersion>().is_err());
        assert!("2.x".parse::<GlibcVersion>().is_err());
        let r = TagRanks::new(&t);
        let legacy = r.rank("cp312", "cp312", "manylinux2014_x86_64").unwrap();
        let pep600 = r.rank("cp312", "cp312", "manylinux_2_17_x86_64").unwrap();
        assert_eq!(legacy, pep600 + 1, "an alias right after its PEP 600 name");
        assert_eq!(r.rank("cp312", "cp312", "manylinux_2_39_x86_64"), None);
        assert_eq!(r.rank("cp312", "cp312", "musllinux_1_2_x86_64"), None);
    }
}
