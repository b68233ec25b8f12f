//! The flags turned into one run configuration with every decision made (ripgrep's `HiArgs` to the flags'
//! `LowArgs`): the settings file merged in, the targets planned, the indexes and the cache chosen, the way the
//! input is checked. The pipeline and the renderer read it and decide nothing more. Each decision is made by
//! the module of its concept (`settings::*`, `target::plan`); this file only hands them the flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::{Args, Emit, Format};
use crate::check::Settings;
use crate::index::{Backoff, IndexOptions};
use crate::input::{Input, Selection, Wanted};
use crate::report::{ErrorEntry, FailOn, IgnoreEntry};
use crate::settings::cache::{self, CacheFlags};
use crate::settings::credentials::read_netrc;
use crate::settings::index_urls::{self, IndexFlags, real_env};
use crate::settings::merge::{Merged, merge};
use crate::settings::target_sources::{self, TargetSettings};
use crate::target::{Plan, plan};

/// One run, decided.
pub struct RunConfig {
    /// The targets, each with the image it stands for, and the comparison of two images when there is one.
    pub plan: Plan,
    /// The indexes to ask and how: concurrency, timeout, credentials, cache.
    pub index: IndexOptions,
    /// What every requirement is checked against: the targets, `--pre`, `--prefer-binary`, the input's
    /// `--only-binary`/`--no-binary`.
    pub check: Settings,
    pub mode: Mode,
    pub fail_on: FailOn,
    pub ignore: Vec<IgnoreEntry>,
    pub output: Output,
    /// What deciding had to say, in the report's order.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// A Dockerfile's and the settings file's bad lines: input errors, like a requirements file's (exit 2).
    pub errors: Vec<ErrorEntry>,
}

/// What the report becomes and where it goes.
pub struct Output {
    pub format: Format,
    pub emit: Option<Emit>,
    /// `--output`; `None`: standard output.
    pub path: Option<PathBuf>,
}

/// How the input is checked, and the note that says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every project of the tree pip installs, resolved on each target.
    Tree(&'static str),
    /// Each line as it is.
    Lines(&'static str),
    /// Every requirement pinned: line by line when the pins list their whole tree, else the tree.
    Pinned,
}

/// What the flags select of the input: extras, groups, development dependencies.
pub fn selection(args: &Args) -> Selection {
    Selection {
        extras: args.extra.clone(),
        all_extras: args.all_extras,
        groups: args.group.clone(),
        all_groups: args.all_groups,
        dev: args.dev,
    }
}

impl RunConfig {
    /// Decides the run for the flags and the input read. An error is a usage error that stops the run.
    pub fn new(args: Args, input: &Input) -> Result<RunConfig, String> {
        let Merged {
            targets,
            fail_on,
            ignore,
            errors: settings_errors,
            mut notes,
        } = merge(
            args.config.as_deref(),
            &args.files,
            target_settings(&args),
            args.fail_on.map(Into::into),
        );
        let mut log = plan::Log::default();
        // A Dockerfile's bad lines come before the settings file's in the report.
        let mut errors = Vec::new();
        let request = target_sources::request(&targets, input, &mut log, &mut errors)?;
        errors.extend(settings_errors);
        let plan = plan::plan(&request, &mut log);
        notes.extend(log.notes);
        let mut warnings = log.warnings;
        let env = real_env;
        let index_flags = IndexFlags {
            index_url: args.index_url.clone(),
            extra_index_urls: args.extra_index_url.clone(),
        };
        let chosen =
            index_urls::choose(&index_flags, input, &env, Path::new("/etc"), &mut warnings)?;
        notes.extend(chosen.note);
        let netrc = read_netrc(&env, &mut notes, &mut warnings);
        let cache_flags = CacheFlags {
            dir: args.cache_dir.clone(),
            no_cache: args.no_cache,
            refresh: args.refresh,
            offline: args.offline,
            max_mb: args.cache_max_mb,
        };
        let index = IndexOptions {
            indexes: std::iter::once(chosen.index).chain(chosen.extras).collect(),
            concurrency: usize::from(args.concurrency),
            timeout: Duration::from_secs(args.timeout),
            retries: 3,
            backoff: Backoff::sleeping(Duration::from_millis(500)),
            netrc,
            cache: cache::options(&cache_flags, &mut warnings)?,
        };
        let check = Settings {
            targets: plan.targets(),
            pre: args.pre || input.options.pre,
            prefer_binary: args.prefer_binary || input.options.prefer_binary,
            formats: input.options.formats.clone(),
            in_flight: 4 * usize::from(args.concurrency),
        };
        Ok(RunConfig {
            plan,
            index,
            check,
            mode: choose_mode(&args, input),
            fail_on,
            ignore,
            output: Output {
                format: args.format,
                emit: args.emit,
                path: args.output,
            },
            notes,
            warnings,
            errors,
        })
    }
}

/// The target flags as given; the settings file fills in what they leave unsaid.
fn target_settings(args: &Args) -> TargetSettings {
    TargetSettings {
        python: args.python.clone(),
        arch: args.arch.clone(),
        libc: args.libc.iter().copied().map(Into::into).collect(),
        musl: args.musl,
        glibc: args.glibc.clone(),
        dockerfile: args.dockerfile.clone(),
        no_dockerfile: args.no_dockerfile,
        build_args: args.build_arg.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        compare: args.compare,
        files: args.files.clone(),
    }
}

/// What `pip install` would be asked: requirements files and pyproject.toml install their whole tree, lock
/// files list theirs.
fn choose_mode(args: &Args, input: &Input) -> Mode {
    if args.deps {
        return Mode::Tree("dependency tree: resolved on each target (--deps)");
    }
    if args.no_deps {
        return Mode::Lines("dependency tree: not resolved (--no-deps)");
    }
    if input.files.iter().any(|(_, format)| format.is_lock()) {
        return Mode::Lines(
            "dependency tree: not resolved, a lock file lists it already (--deps to resolve it anyway)",
        );
    }
    let requirements: Vec<&crate::input::IndexRequirement> = input
        .entries
        .iter()
        .filter_map(|e| match &e.wanted {
            Wanted::Index(r) => Some(r),
            Wanted::NotIndex { .. } => None,
        })
        .collect();
    if requirements.is_empty() {
        return Mode::Lines("dependency tree: nothing to resolve");
    }
    if requirements
        .iter()
        .all(|r| crate::pep::is_pinned(&r.specifiers))
    {
        return Mode::Pinned;
    }
    Mode::Tree(
        "dependency tree: resolved on each target (--no-deps checks only the requirements listed)",
    )
}
