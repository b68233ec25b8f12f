//! Distribution filenames: wheels (PEP 427, with PEP 425 compressed tag sets) and sdists, read as pip reads
//! them, so that a file pip would skip is skipped here too.

use std::str::FromStr;
use std::sync::Arc;

use crate::pep::{Version, normalizes_to};
use crate::target::TagRanks;

/// Archive endings pip accepts for a source distribution (pip's `SUPPORTED_EXTENSIONS` less `.whl`).
const SDIST_EXTENSIONS: [&str; 10] = [
    ".tar.gz",
    ".tgz",
    ".zip",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
];
// `.tar` last: it is a suffix of none of the others, but `.tar.gz` etc. must be tried first.
const PLAIN_TAR: &str = ".tar";

/// A wheel filename split into its parts. Tag fields keep their compressed form (`py2.py3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    pub version: Version,
    /// PEP 427 build tag as pip orders it: the leading number, then the rest as text. Boxed: few wheels
    /// have one.
    pub build: Option<Box<(u64, Box<str>)>>,
    /// `python-abi-platform` as the filename writes them (each part may be a compressed set), shared with the
    /// page's other wheels of the same tags (`SharedParts`): a run may hold a hundred thousand of these.
    tags: Arc<str>,
}

impl WheelName {
    fn part(&self, i: usize) -> &str {
        self.tags.split('-').nth(i).unwrap_or("")
    }

    /// The python tag set (`cp312`, `py2.py3`).
    pub fn python(&self) -> &str {
        self.part(0)
    }

    /// The ABI tag set (`cp312`, `abi3`, `none`).
    pub fn abi(&self) -> &str {
        self.part(1)
    }

    /// The platform tag set (`manylinux_2_17_x86_64.manylinux2014_x86_64`, `any`).
    pub fn platform(&self) -> &str {
        self.part(2)
    }

    /// Every tag the compressed tag sets expand to.
    pub fn tags(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        let (python, abi, platform) = (self.python(), self.abi(), self.platform());
        python.split('.').flat_map(move |py| {
            abi.split('.')
                .flat_map(move |abi| platform.split('.').map(move |p| (py, abi, p)))
        })
    }

    /// The best rank any of the wheel's tags has on the target; `None` when none is accepted.
    pub fn best_rank(&self, ranks: &TagRanks) -> Option<usize> {
        let mut parts = self.tags.splitn(3, '-');
        let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
        ranks.best(python, abi, platform)
    }

    /// The tag with the best rank, as `py3-none-any`.
    pub fn best_tag(&self, ranks: &TagRanks) -> Option<(String, String, String)> {
        self.tags()
            .filter_map(|(py, abi, p)| ranks.rank(py, abi, p).map(|r| (r, py, abi, p)))
            .min_by_key(|(r, ..)| *r)
            .map(|(_, py, abi, p)| (py.to_string(), abi.to_string(), p.to_string()))
    }

    /// The platform parts of the tag sets (`manylinux_2_17_x86_64`, `win_amd64`, `any`, …).
    pub fn platforms(&self) -> impl Iterator<Item = &str> {
        self.platform().split('.')
    }
}

impl FromStr for WheelName {
    type Err = String;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        WheelName::parse(filename, &mut SharedParts::default())
    }
}

impl WheelName {
    /// A wheel filename, its version read through `versions`.
    fn parse(filename: &str, versions: &mut SharedParts) -> Result<Self, String> {
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| format!("{filename}: not a wheel"))?;
        // Read without collecting: every file name of every page passes here.
        let mut parts = [""; 6];
        let mut count = 0;
        for part in stem.split('-') {
            if count == parts.len() {
                count += 1;
                break;
            }
            parts[count] = part;
            count += 1;
        }
        let (name, version, build, python, abi, platform) = match count {
            5 => (parts[0], parts[1], None, parts[2], parts[3], parts[4]),
            6 => (
                parts[0],
                parts[1],
                Some(parts[2]),
                parts[3],
                parts[4],
                parts[5],
            ),
            _ => {
                return Err(format!(
                    "{filename}: a wheel name has 5 or 6 dash-separated parts"
                ));
            }
        };
        if [name, python, abi, platform].iter().any(|p| p.is_empty()) {
            return Err(format!("{filename}: empty part in the wheel name"));
        }
        // pip's wheel name pattern: the build tag starts with a digit; it is compared as (number, rest).
        let build = match build {
            None => None,
            Some(b) => {
                let digits: String = b.chars().take_while(|c| c.is_ascii_digit()).collect();
                let number = digits.parse::<u64>().map_err(|_| {
                    format!("{filename}: build tag '{b}' does not start with a digit")
                })?;
                Some(Box::new((number, b[digits.len()..].into())))
            }
        };
        // pip turns `_` back into `-` before parsing the version (PEP 427 escaping).
        let version = if version.contains('_') {
            versions.parse(&version.replace('_', "-"))
        } else {
            versions.parse(version)
        }
        .map_err(|e| format!("{filename}: invalid version: {e}"))?;
        Ok(WheelName {
            version,
            build,
            // The last three parts, as the name writes them.
            tags: versions
                .tags(&stem[stem.len() - python.len() - abi.len() - platform.len() - 2..]),
        })
    }
}

/// What the file names of one page share, each kept once: the files of a release share one parsed version (a
/// shared allocation), and the wheels of many releases one tag set (`cp312-cp312-musllinux_1_2_x86_64`),
/// where a page of a hundred thousand files would otherwise hold as many of each.
#[derive(Default)]
pub struct SharedParts {
    versions: rustc_hash::FxHashMap<Box<str>, Version>,
    tags: rustc_hash::FxHashSet<Arc<str>>,
}

impl SharedParts {
    fn parse(&mut self, text: &str) -> Result<Version, String> {
        if let Some(version) = self.versions.get(text) {
            return Ok(version.clone());
        }
        let version = crate::pep::parse_version(text).map_err(|e| e.to_string())?;
        self.versions.insert(text.into(), version.clone());
        Ok(version)
    }

    fn tags(&mut self, text: &str) -> Arc<str> {
        if let Some(tags) = self.tags.get(text) {
            return tags.clone();
        }
        let tags: Arc<str> = text.into();
        self.tags.insert(tags.clone());
        tags
    }
}

/// What kind of distribution a file of a project's page is, and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistFile {
    Wheel(WheelName),
    Sdist { version: Version },
}

impl DistFile {
    /// Reads a filename from the page of `project` (normalized); `None` for what pip skips: other archive
    /// kinds (`.egg`, `.exe`, …), another project's file, an unparsable version.
    #[cfg(test)]
    pub fn parse(filename: &str, project: &str) -> Option<DistFile> {
        DistFile::parse_with(filename, project, &mut SharedParts::default())
    }

    /// Reads a filename as `parse` does, with the versions of the page's other files: equal texts give one
    /// shared version.
    pub fn parse_with(
        filename: &str,
        project: &str,
        versions: &mut SharedParts,
    ) -> Option<DistFile> {
        if filename.ends_with(".whl") {
            let wheel = WheelName::parse(filename, versions).ok()?;
            let name = filename.split('-').next().unwrap_or("");
            return normalizes_to(name, project).then_some(DistFile::Wheel(wheel));
        }
        // pip compares the extension case-sensitively: `pkg-1.0.TAR.GZ` is not a file it takes.
        let ext = SDIST_EXTENSIONS
            .iter()
            .copied()
            .chain(std::iter::once(PLAIN_TAR))
            .find(|ext| filename.ends_with(ext))?;
        let stem = &filename[..filename.len() - ext.len()];
        sdist_version(stem, project, versions).map(|version| DistFile::Sdist { version })
    }

    pub fn version(&self) -> &Version {
        match self {
            DistFile::Wheel(w) => &w.version,
            DistFile::Sdist { version } => version,
        }
    }
}

/// pip's `_extract_version_from_fragment`: the version is what follows the first `-` whose prefix is the
/// project's name (names may hold dashes, so the split point is found by comparing normalized prefixes).
fn sdist_version(stem: &str, project: &str, versions: &mut SharedParts) -> Option<Version> {
    stem.char_indices()
        .filter(|(_, c)| *c == '-')
        .find(|(i, _)| normalizes_to(&stem[..*i], project))
        .and_then(|(i, _)| versions.parse(&stem[i + 1..]).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::{Arch, Target};

    #[test]
    fn a_releases_files_share_one_parsed_version() {
        let mut versions = SharedParts::default();
        for name in [
            "demo-1.0-py3-none-any.whl",
            "demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "demo-1.0.tar.gz",
            "demo-1.0.0.tar.gz",
        ] {
            assert!(
                DistFile::parse_with(name, "demo", &mut versions).is_some(),
                "{name}"
            );
        }
        // By text: `1.0.0` equals `1.0` but is written, and shown, as it is.
        assert_eq!(versions.versions.len(), 2);
    }

    fn ranks() -> TagRanks {
        TagRanks::new(&Target {
            python: "3.12".parse().unwrap(),
            libc: crate::target::Libc::Musl("1.2".parse().unwrap()),
            arch: Arch::X86_64,
        })
    }

    #[test]
    fn wheel_with_compressed_tags() {
        let w: WheelName = "six-1.16.0-py2.py3-none-any.whl".parse().unwrap();
        assert_eq!(w.python(), "py2.py3");
        assert_eq!(w.tags().count(), 2);
        assert!(w.best_rank(&ranks()).is_some());
        assert_eq!(w.best_tag(&ranks()).unwrap().0, "py3");
    }

    #[test]
    fn manylinux_and_musllinux_platform_sets() {
        let many: WheelName =
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
                .parse()
                .unwrap();
        assert_eq!(many.best_rank(&ranks()), None);
        assert_eq!(many.platforms().count(), 2);
        let musl: WheelName = "numpy-2.1.3-cp312-cp312-musllinux_1_1_x86_64.whl"
            .parse()
            .unwrap();
        // linux_x86_64 (0), musllinux_1_2 (1), musllinux_1_1 (2).
        assert_eq!(musl.best_rank(&ranks()), Some(2));
        let native: WheelName = "numpy-2.1.3-cp312-cp312-linux_x86_64.whl".parse().unwrap();
        assert_eq!(native.best_rank(&ranks()), Some(0));
    }

    #[test]
    fn best_rank_is_the_best_of_every_expanded_tag() {
        let ranks = ranks();
        for name in [
            "six-1.16.0-py2.py3-none-any.whl",
            "x-1.0-cp312.cp311-cp312.abi3-musllinux_1_1_x86_64.manylinux2014_x86_64.whl",
            "x-1.0-cp39-abi3-manylinux_2_17_x86_64.musllinux_1_2_x86_64.linux_x86_64.whl",
            "x-1.0-cp312-cp312-macosx_11_0_arm64.win_amd64.whl",
            "x-1.0-py3-none-musllinux_1_2_aarch64.any.whl",
        ] {
            let w: WheelName = name.parse().unwrap();
            let each = w
                .tags()
                .filter_map(|(py, abi, p)| ranks.rank(py, abi, p))
                .min();
            assert_eq!(w.best_rank(&ranks), each, "{name}");
        }
        let none: WheelName = "x-1.0-cp312-cp312-win_amd64.whl".parse().unwrap();
        assert_eq!(none.best_rank(&ranks), None);
    }

    #[test]
    fn build_tags_and_escaped_versions() {
        let w: WheelName = "pkg-1.0_post1-12abc-py3-none-any.whl".parse().unwrap();
        assert_eq!(w.build, Some(Box::new((12, "abc".into()))));
        assert_eq!(w.version.to_string(), "1.0.post1");
        assert!("pkg-1.0-x1-py3-none-any.whl".parse::<WheelName>().is_err());
        assert!("pkg-1.0-py3-none.whl".parse::<WheelName>().is_err());
        assert!(
            "pkg-notaversion!-py3-none-any.whl"
                .parse::<WheelName>()
                .is_err()
        );
    }

    #[test]
    fn abi3_wheel_of_an_older_cpython_is_accepted() {
        let w: WheelName = "cryptography-43.0.3-cp39-abi3-musllinux_1_2_x86_64.whl"
            .parse()
            .unwrap();
        let rank = w.best_rank(&ranks()).unwrap();
        assert!(rank > ranks().rank("cp312", "none", "linux_x86_64").unwrap());
    }

    #[test]
    fn sdists_as_pip_reads_them() {
        let f = DistFile::parse("ruamel.yaml.clib-0.2.12.tar.gz", "ruamel-yaml-clib").unwrap();
        assert_eq!(f.version().to_string(), "0.2.12");
        let f = DistFile::parse("Django-5.1.tar.bz2", "django").unwrap();
        assert_eq!(f.version().to_string(), "5.1");
        assert!(DistFile::parse("foo-bar-1.0.zip", "foo-bar").is_some());
        assert_eq!(DistFile::parse("foo-1.0-py3.8.egg", "foo"), None);
        assert_eq!(DistFile::parse("other-1.0.tar.gz", "foo"), None);
        assert_eq!(DistFile::parse("foo-1.0.whl", "foo"), None);
        assert_eq!(DistFile::parse("foo-1.0.TAR.GZ", "foo"), None);
    }
}
