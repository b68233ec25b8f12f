//! The flags: what a run is asked to do, as clap reads it from the command line and the environment.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::index::DEFAULT_MAX_MB;
use crate::report;
use crate::target::{self, Arch, MuslVersion, PythonVersion};

/// What `pip install` does on an Alpine (musl) image, for every requirement, before anyone builds.
#[derive(Debug, Clone, Parser)]
#[command(name = "muslcheck", version, about, max_term_width = 100)]
pub struct Args {
    /// Dependency files or project directories (default: the current directory); `-` reads a requirements
    /// file from standard input. Formats: requirements.txt (and pip freeze output), pyproject.toml, Pipfile,
    /// uv.lock, poetry.lock, pdm.lock, pylock.toml, Pipfile.lock.
    #[arg(value_name = "PATH")]
    pub files: Vec<String>,

    /// CPython version of the target image, as 3.12 or 3.12.7; a list (3.11,3.12,3.13) checks each
    /// [default: the lowest the project's requires-python admits, else 3.12]
    #[arg(long, value_name = "X.Y[.Z],…", value_delimiter = ',')]
    pub python: Vec<PythonVersion>,

    /// Include this extra (optional dependencies) of the project. Repeatable.
    #[arg(long, value_name = "NAME")]
    pub extra: Vec<String>,

    /// Include every extra of the project.
    #[arg(long)]
    pub all_extras: bool,

    /// Include this dependency group (PEP 735, Poetry, PDM, uv). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub group: Vec<String>,

    /// Include every dependency group.
    #[arg(long)]
    pub all_groups: bool,

    /// Include development dependencies (Pipfile's dev-packages, the `dev` group).
    #[arg(long)]
    pub dev: bool,

    /// CPU architecture: x86_64, aarch64, armv7l, i686, ppc64le or s390x (amd64 and arm64 are accepted);
    /// a list (x86_64,aarch64) checks each [default: x86_64]
    #[arg(long, value_name = "ARCH,…", value_delimiter = ',')]
    pub arch: Vec<Arch>,

    /// C library of the target: musl (Alpine) or glibc (Debian, the -slim images); musl,glibc checks both.
    #[arg(long, value_enum, value_name = "LIBC,…", value_delimiter = ',')]
    pub libc: Vec<LibcKind>,

    /// musl version of musl targets: 1.2 (Alpine 3.13 and later) or 1.1 (Alpine 3.9 to 3.12).
    /// [default: 1.2]
    #[arg(long, value_name = "1.N")]
    pub musl: Option<MuslVersion>,

    /// glibc version of glibc targets, as 2.36 or a Debian release name (bookworm)
    /// [default: the Debian release of the official python image's -slim tag]
    #[arg(long, value_name = "2.N|RELEASE")]
    pub glibc: Option<String>,

    /// Compare two images: the current one (python:3.12-slim) …
    #[arg(
        long,
        value_name = "IMAGE",
        requires = "to",
        conflicts_with_all = ["python", "libc", "glibc", "compare", "dockerfile"]
    )]
    pub from: Option<String>,

    /// … and the proposed one (python:3.12-alpine): what changes per package, and a summary line.
    #[arg(long, value_name = "IMAGE", requires = "from")]
    pub to: Option<String>,

    /// Compare each target with its counterpart on the other C library (slim against alpine); with a
    /// Dockerfile, its images against their counterparts.
    #[arg(long, conflicts_with = "libc")]
    pub compare: bool,

    /// Derive the targets from a Dockerfile's FROM lines: CPython from the python image's tag, musl or glibc
    /// from its Alpine or Debian release, the architecture from --platform (else --arch). Without --python,
    /// --libc, --glibc or --from, a Dockerfile or Containerfile beside the first input is read.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["python", "libc", "glibc"])]
    pub dockerfile: Option<String>,

    /// A value for an ARG of the Dockerfile, as `docker build --build-arg`. Repeatable.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_arg: Vec<String>,

    /// Do not look for a Dockerfile beside the input.
    #[arg(long, conflicts_with = "dockerfile")]
    pub no_dockerfile: bool,

    /// Package index (PEP 691 JSON or PEP 503 HTML); overrides an -i line in the files [default:
    /// PIP_INDEX_URL, UV_DEFAULT_INDEX, UV_INDEX_URL, an -i line, pip's config files, then PyPI]
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,

    /// More indexes whose files are pooled with the main one's, as pip does. Repeatable
    /// [default: PIP_EXTRA_INDEX_URL, UV_INDEX and UV_EXTRA_INDEX_URL, or pip's config files].
    #[arg(long, value_delimiter = ' ', value_name = "URL")]
    pub extra_index_url: Vec<String>,

    /// Report format: terminal, json (schema_version 1), markdown (a pull-request comment or an audit),
    /// html (one self-contained page), sarif (SARIF 2.1.0 for code scanning), github (Actions annotations).
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,

    /// Write the report to FILE instead of standard output (replaced as a whole: written beside it, then
    /// renamed over it).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print, instead of the report, what the packages that build from source on Alpine need: `apk` (one
    /// build-time and one run-time `apk add` line) or `dockerfile` (a builder stage that makes the wheels and
    /// a runtime stage that installs them). The exit code is the report's.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub emit: Option<Emit>,

    /// Lowest outcome that makes the exit code 1: build (build, fail, missing), fail (fail, missing), never
    /// [default: build]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Settings file (muslcheck.toml, or a pyproject.toml with [tool.muslcheck]) [default: one beside the
    /// first input]. Flags override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<String>,

    /// Count pre-releases as pip --pre does.
    #[arg(long)]
    pub pre: bool,

    /// Resolve the whole dependency tree on each target, as pip would, and check every project in it
    /// (the default unless the input is a lock file or pins every requirement).
    #[arg(long, overrides_with = "no_deps")]
    pub deps: bool,

    /// Check only the requirements the input names, not what they depend on (the default for lock files
    /// and files that pin every requirement, which list the whole tree already).
    #[arg(long, overrides_with = "deps")]
    pub no_deps: bool,

    /// Prefer an older wheel to a newer sdist, as pip --prefer-binary does.
    #[arg(long, env = "PIP_PREFER_BINARY", value_parser = clap::builder::FalseyValueParser::new())]
    pub prefer_binary: bool,

    /// Index page requests in flight at once (and as many for metadata files).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Seconds one index request may take before it is retried.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,

    /// Where the index's answers are cached [default: $XDG_CACHE_HOME/muslcheck or ~/.cache/muslcheck;
    /// ~/Library/Caches/muslcheck on macOS; %LOCALAPPDATA%\muslcheck\cache on Windows]
    #[arg(long, env = "MUSLCHECK_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the cache.
    #[arg(long, env = "MUSLCHECK_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Revalidate every cached answer with the index (conditional requests), however fresh it is.
    #[arg(long)]
    pub refresh: bool,

    /// Answer from the cache alone, stale entries included, and never touch the network; what is not cached
    /// is unknown.
    #[arg(long, env = "MUSLCHECK_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,

    /// Size bound of the cache in MiB (fractions allowed): after a run passes it, the least recently used
    /// entries go.
    #[arg(
        long,
        env = "MUSLCHECK_CACHE_MAX_MB",
        value_name = "MIB",
        default_value_t = DEFAULT_MAX_MB as f64,
        value_parser = parse_mib
    )]
    pub cache_max_mb: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Terminal,
    Json,
    Markdown,
    Html,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    Apk,
    Dockerfile,
}

/// A C library family: `target::LibcKind` as clap reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LibcKind {
    Musl,
    Glibc,
}

impl From<LibcKind> for target::LibcKind {
    fn from(kind: LibcKind) -> Self {
        match kind {
            LibcKind::Musl => target::LibcKind::Musl,
            LibcKind::Glibc => target::LibcKind::Glibc,
        }
    }
}

/// The gate: `report::FailOn` as clap reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Build,
    Fail,
    Never,
}

impl From<FailOn> for report::FailOn {
    fn from(gate: FailOn) -> Self {
        match gate {
            FailOn::Build => report::FailOn::Build,
            FailOn::Fail => report::FailOn::Fail,
            FailOn::Never => report::FailOn::Never,
        }
    }
}

/// A size in MiB: a finite number, zero or more.
fn parse_mib(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(mib) if mib.is_finite() && mib >= 0.0 => Ok(mib),
        _ => Err(format!(
            "'{text}' is not a size in MiB (a number, 0 or more)"
        )),
    }
}
