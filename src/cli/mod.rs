//! The command line: flags, turning them into settings, running the pipeline, and the exit code.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use url::Url;

mod plan;
mod settings;
mod targets;

use crate::check::{Settings, check_all};
use crate::index::{DEFAULT_INDEX_URL, IndexClient, IndexOptions, redact};
use crate::input::{Input, Selection, Wanted, read_inputs};
use crate::report::{
    ErrorEntry, Package, Report, SCHEMA_VERSION, Source, TargetInfo, Tool, compare_targets,
    emit_dockerfile, render_github, render_html, render_markdown, render_sarif, render_terminal,
};
use crate::target::{Arch, MuslVersion, PythonVersion};
use crate::verdict::Outcome;
use targets::{LibcKind, Plan};

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

    /// Package index (PEP 691 JSON or PEP 503 HTML). Overrides an -i line in the files.
    #[arg(long, env = "PIP_INDEX_URL", value_name = "URL")]
    pub index_url: Option<String>,

    /// More indexes whose files are pooled with the main one's, as pip does. Repeatable.
    #[arg(
        long,
        env = "PIP_EXTRA_INDEX_URL",
        value_delimiter = ' ',
        value_name = "URL"
    )]
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

    /// Prefer an older wheel to a newer sdist, as pip --prefer-binary does.
    #[arg(long, env = "PIP_PREFER_BINARY", value_parser = clap::builder::FalseyValueParser::new())]
    pub prefer_binary: bool,

    /// Index page requests in flight at once (and as many for metadata files).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Seconds one index request may take before it is retried.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Build,
    Fail,
    Never,
}

/// The exit codes of DESIGN.md, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Gate = 1,
    Usage = 2,
    Unknown = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// Runs one invocation; errors that stop the run before any report are returned as text.
pub fn run(args: Args) -> Result<Exit, String> {
    let settings::Merged {
        args,
        ignore,
        errors: config_errors,
        notes: config_notes,
    } = settings::merge(args);
    let selection = Selection {
        extras: args.extra.clone(),
        all_extras: args.all_extras,
        groups: args.group.clone(),
        all_groups: args.all_groups,
        dev: args.dev,
    };
    let input = read_inputs(&args.files, &selection);
    let mut warnings = Vec::new();
    let mut notes: Vec<String> = input
        .files
        .iter()
        .map(|(path, f)| format!("input: {path} ({})", f.as_str()))
        .chain(config_notes)
        .collect();
    let mut log = plan::Log::default();
    let plan = plan::plan(&args, &input, &mut log)?;
    notes.extend(log.notes);
    warnings.extend(log.warnings);
    let (index, extras) = index_urls(&args, &input, &mut warnings)?;
    let options = IndexOptions {
        indexes: std::iter::once(index).chain(extras).collect(),
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs(args.timeout),
        retries: 3,
        backoff: Duration::from_millis(500),
    };
    let client = IndexClient::new(&options).map_err(|e| e.to_string())?;
    let settings = Settings {
        targets: plan.targets(),
        pre: args.pre || input.options.pre,
        prefer_binary: args.prefer_binary || input.options.prefer_binary,
        formats: input.options.formats.clone(),
    };
    let progress = progress_bar((input.entries.len() * settings.targets.len()) as u64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let shown = client.shown_urls();
    let verdicts = runtime.block_on(check_all(&input, &settings, Arc::new(client), &progress));
    progress.finish_and_clear();

    let mut report = build_report(&input, &plan, verdicts, shown, warnings);
    // A Dockerfile's or the settings' bad lines are input errors like a requirements file's (exit 2).
    report.errors.extend(log.errors);
    report.errors.extend(config_errors);
    crate::advice::enrich(&mut report, crate::data::knowledge);
    let expired = report.apply_ignores(&ignore, &crate::config::today());
    report.warnings.extend(expired);
    report.notes = notes;
    report.redact();
    // The format never changes the exit code: every renderer reads the same report.
    let text = match (args.emit, args.format) {
        (Some(Emit::Dockerfile), _) => {
            let requirements = input
                .files
                .iter()
                .find(|(_, f)| *f == crate::input::Format::Requirements)
                .map(|(path, _)| path.as_str());
            emit_dockerfile(&report, requirements)
        }
        (Some(Emit::Apk), _) => match &report.apk {
            Some(apk) => emit_apk(apk),
            None => "# nothing builds from source on the Alpine targets\n".to_string(),
        },
        (None, Format::Json) => report.to_json(),
        (None, Format::Terminal) => render_terminal(&report, args.output.is_none() && use_colour()),
        (None, Format::Markdown) => render_markdown(&report),
        (None, Format::Html) => render_html(&report),
        (None, Format::Sarif) => render_sarif(&report),
        (None, Format::Github) => render_github(&report),
    };
    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => write_stdout(&text)?,
    }
    Ok(exit_code(&report, args.fail_on.unwrap_or(FailOn::Build)))
}

/// The two `apk add` lines, and the packages whose build dependencies are not known.
fn emit_apk(apk: &crate::report::ApkPlan) -> String {
    let mut out = String::new();
    for line in [&apk.build_command, &apk.run_command] {
        if !line.is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !apk.unknown.is_empty() {
        out.push_str(&format!(
            "# build dependencies not known for: {}\n",
            apk.unknown.join(", ")
        ));
    }
    out
}

/// Index precedence: `--index-url` / `PIP_INDEX_URL`, then the files' `-i`, then the default. The files'
/// `--extra-index-url` lines add to the command line's.
fn index_urls(
    args: &Args,
    input: &Input,
    warnings: &mut Vec<String>,
) -> Result<(Url, Vec<Url>), String> {
    let parse = |s: &str| {
        Url::parse(s.trim()).map_err(|e| {
            let shown = Url::parse(s)
                .map(|u| redact(&u))
                .unwrap_or_else(|_| "(unparsable URL)".into());
            format!("invalid index URL {shown}: {e}")
        })
    };
    for location in &input.options.find_links {
        warnings.push(format!(
            "--find-links {location} in the requirements is not read: files there could change what pip installs"
        ));
    }
    if input.options.no_index {
        warnings.push(
            "--no-index in the requirements is ignored: muslcheck always asks the index".into(),
        );
    }
    let index = match (&args.index_url, &input.options.index_url) {
        (Some(cli), Some((_, at))) => {
            warnings.push(format!(
                "--index-url given, so the -i line at {}:{} is not used",
                at.path, at.line
            ));
            parse(cli)?
        }
        (Some(cli), None) => parse(cli)?,
        (None, Some((file, _))) => parse(file)?,
        (None, None) => parse(DEFAULT_INDEX_URL)?,
    };
    let extras = args
        .extra_index_url
        .iter()
        .filter(|s| !s.trim().is_empty())
        .chain(input.options.extra_index_urls.iter())
        .map(|s| parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((index, extras))
}

fn build_report(
    input: &Input,
    plan: &Plan,
    verdicts: Vec<Vec<crate::verdict::Verdict>>,
    indexes: Vec<String>,
    warnings: Vec<String>,
) -> Report {
    let ids: Vec<String> = plan.targets.iter().map(|p| p.target.id()).collect();
    let packages = input
        .entries
        .iter()
        .zip(verdicts)
        .map(|(entry, verdicts)| {
            let name = match &entry.wanted {
                Wanted::Index(r) => Some(r.name.clone()),
                Wanted::NotIndex { name, .. } => name.clone(),
            };
            Package {
                name,
                version: verdicts.first().and_then(|v| v.version.clone()),
                requirement: entry.text.clone(),
                source: Source {
                    path: entry.source.path.clone(),
                    line: entry.source.line,
                    key: entry.source.key.clone(),
                },
                targets: ids
                    .iter()
                    .cloned()
                    .zip(verdicts)
                    .collect::<BTreeMap<_, _>>(),
            }
        })
        .collect();
    let mut indexes = indexes.into_iter();
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        index: indexes.next().unwrap_or_default(),
        extra_index_urls: indexes.collect(),
        targets: plan
            .targets
            .iter()
            .map(|p| TargetInfo::new(&p.target, p.image.clone()))
            .collect(),
        packages,
        errors: input.errors.iter().map(ErrorEntry::from).collect(),
        summary: BTreeMap::new(),
        download: BTreeMap::new(),
        compare: None,
        apk: None,
        warnings,
        notes: Vec::new(),
    };
    report.summarize();
    if let Some(comparison) = &plan.compare {
        let labels: BTreeMap<String, String> = report
            .targets
            .iter()
            .map(|t| t.id.clone())
            .zip(report.labels())
            .collect();
        let pairs: Vec<(String, String)> = comparison
            .pairs
            .iter()
            .map(|(a, b)| (ids[*a].clone(), ids[*b].clone()))
            .collect();
        report.compare = Some(compare_targets(
            &comparison.from,
            &comparison.to,
            &pairs,
            &report.packages,
            &labels,
        ));
    }
    report
}

/// DESIGN.md: 2 (bad input) before 1 (the gate) before 3 (unknown lookups).
pub fn exit_code(report: &Report, fail_on: FailOn) -> Exit {
    let outcomes = || {
        report
            .packages
            .iter()
            .flat_map(|p| p.targets.values())
            .filter(|v| v.ignored.is_none())
            .map(|v| v.outcome)
    };
    let gate = |o: Outcome| match fail_on {
        FailOn::Build => matches!(o, Outcome::Build | Outcome::Fail | Outcome::Missing),
        FailOn::Fail => matches!(o, Outcome::Fail | Outcome::Missing),
        FailOn::Never => false,
    };
    if !report.errors.is_empty() {
        Exit::Usage
    } else if outcomes().any(gate) {
        Exit::Gate
    } else if outcomes().any(|o| o == Outcome::Unknown) {
        Exit::Unknown
    } else {
        Exit::Ok
    }
}

fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} checking {pos}/{len} requirements {wide_bar} {elapsed}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A closed pipe (`muslcheck … | head`) is a normal end, not an error.
fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the report: {e}"))
        }
        _ => Ok(()),
    }
}

/// Writes the report to `path` whole or not at all: a temporary file in the same directory (so the rename
/// stays on one file system), flushed to disk, then renamed over `path`. A reader never sees half a report,
/// and a failed run leaves an earlier report in place.
fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write the report to {}: {e}", path.display());
    let name = path.file_name().ok_or_else(|| {
        format!(
            "cannot write the report to {}: not a file name",
            path.display()
        )
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".muslcheck-{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(fail(e))
        }
    }
}
