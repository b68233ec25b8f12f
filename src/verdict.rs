//! The vocabulary of docs/design.md: outcomes, classes, and the verdict one requirement gets on one target.

use serde::Serialize;

/// What pip does on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Wheel,
    Build,
    Fail,
    Skip,
    Missing,
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Wheel,
        Outcome::Build,
        Outcome::Fail,
        Outcome::Skip,
        Outcome::Missing,
        Outcome::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Wheel => "wheel",
            Outcome::Build => "build",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
            Outcome::Missing => "missing",
            Outcome::Unknown => "unknown",
        }
    }

    /// Report order: problems first (fail, missing, build, unknown), then what is fine.
    pub fn severity_rank(self) -> u8 {
        match self {
            Outcome::Fail => 0,
            Outcome::Missing => 1,
            Outcome::Build => 2,
            Outcome::Unknown => 3,
            Outcome::Wheel => 4,
            Outcome::Skip => 5,
        }
    }
}

/// What kinds of files the chosen release ships, seen from the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Musllinux,
    PurePython,
    MusllinuxOther,
    ManylinuxOnly,
    /// On a glibc target: a compatible manylinux (or linux) wheel.
    Manylinux,
    /// On a glibc target: manylinux wheels exist, none for this target's Python, arch or glibc.
    ManylinuxOther,
    /// On a glibc target: musllinux wheels only.
    MusllinuxOnly,
    NoLinux,
    SdistOnly,
    NoFiles,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Musllinux => "musllinux",
            Class::PurePython => "pure_python",
            Class::MusllinuxOther => "musllinux_other",
            Class::ManylinuxOnly => "manylinux_only",
            Class::Manylinux => "manylinux",
            Class::ManylinuxOther => "manylinux_other",
            Class::MusllinuxOnly => "musllinux_only",
            Class::NoLinux => "no_linux",
            Class::SdistOnly => "sdist_only",
            Class::NoFiles => "no_files",
        }
    }
}

/// One requirement on one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub class: Option<Class>,
    /// The version pip installs, or the one it would have wanted when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub file: Option<String>,
    pub yanked: bool,
    pub reason: String,
    pub advice: Vec<String>,
    /// The summed size of the chosen file, when the index gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// For a project the dependency tree brought in: the chains that pulled it in, each from its nearest
    /// dependent up to a top-level requirement, shortest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Vec<String>>,
    /// For a project that needs projects which cannot be installed: the chains down to them, each from its
    /// dependency to the failing project (`[["torch"]]`, `[["thinc", "blis"]]`), shortest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<Vec<String>>,
    /// For a project that only failing projects need (its outcome is `skip`): those projects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needed_only_by: Vec<String>,
    /// Set when the configuration's ignore list covers this package: the verdict stands but does not count
    /// toward the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<Ignored>,
}

/// An ignore-list entry that applied, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    pub reason: String,
    /// `YYYY-MM-DD`, when the entry has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Verdict {
    /// Whether pip downloads a file for this verdict: the chosen wheel, or the sdist it builds.
    pub fn downloads(&self) -> bool {
        self.file.is_some() && matches!(self.outcome, Outcome::Wheel | Outcome::Build)
    }

    /// A verdict with no file: skip, missing, unknown, or a failure.
    pub fn bare(outcome: Outcome, reason: impl Into<String>) -> Self {
        Verdict {
            outcome,
            class: None,
            version: None,
            file: None,
            yanked: false,
            reason: reason.into(),
            advice: Vec::new(),
            size: None,
            via: Vec::new(),
            blocked_by: Vec::new(),
            needed_only_by: Vec::new(),
            ignored: None,
        }
    }
}
