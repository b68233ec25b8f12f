//! The command line: turning the flags (`args.rs`) into settings, running the pipeline, and the exit code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

mod args;

use crate::check::{Settings, check_all, check_tree, pinned_closure};
use crate::index::{
    Backoff, CacheMode, CacheOptions, ClientError, IndexClient, IndexOptions, Netrc,
    default_cache_dir, locate_netrc,
};
use crate::input::{Input, Selection, Wanted, read_inputs};
use crate::report::{
    build_report, emit_apk, emit_dockerfile, exit_code, no_workflow_commands, render_github,
    render_html, render_markdown, render_sarif, render_terminal,
};
use crate::settings::{index_urls as index_sources, merge as settings};
use crate::target::plan;
pub use args::{Args, Emit, FailOn, Format};

pub use crate::exit::Exit;

/// Why a run stopped before or while writing its report: the message, and the exit code it ends with.
#[derive(Debug)]
pub struct Stop {
    pub exit: Exit,
    pub message: String,
}

impl Stop {
    fn environment(message: String) -> Stop {
        Stop {
            exit: Exit::Environment,
            message,
        }
    }
}

/// Every other error that stops a run is the input's or the command line's.
impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop {
            exit: Exit::Usage,
            message,
        }
    }
}

/// Runs one invocation; what stops it before its report is written says why, and with which exit code.
pub fn run(args: Args) -> Result<Exit, Stop> {
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
    let env = index_sources::real_env;
    let chosen = index_sources::choose(&args, &input, &env, Path::new("/etc"), &mut warnings)?;
    notes.extend(chosen.note);
    let netrc = read_netrc(&env, &mut notes, &mut warnings);
    let options = IndexOptions {
        indexes: std::iter::once(chosen.index).chain(chosen.extras).collect(),
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs(args.timeout),
        retries: 3,
        backoff: Backoff::sleeping(Duration::from_millis(500)),
        netrc,
        cache: cache_options(&args, &mut warnings)?,
    };
    let client = Arc::new(IndexClient::new(&options).map_err(|e| match e {
        ClientError::Tls(_) => Stop::environment(e.to_string()),
        ClientError::BadIndexUrl(_) => Stop::from(e.to_string()),
    })?);
    let settings = Settings {
        targets: plan.targets(),
        pre: args.pre || input.options.pre,
        prefer_binary: args.prefer_binary || input.options.prefer_binary,
        formats: input.options.formats.clone(),
    };
    let mode = choose_mode(&args, &input);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::environment(format!("cannot start the async runtime: {e}")))?;
    let shown = client.shown_urls();
    let lines = |runtime: &tokio::runtime::Runtime| {
        let progress = progress_bar(
            (input.entries.len() * settings.targets.len()) as u64,
            "{spinner} checking {pos}/{len} requirements {wide_bar} {elapsed}",
        );
        let verdicts = runtime.block_on(check_all(&input, &settings, client.clone(), &progress));
        progress.finish_and_clear();
        verdicts
    };
    let tree = |runtime: &tokio::runtime::Runtime, warnings: &mut Vec<String>| {
        let progress = progress_bar(
            0,
            "{spinner} resolving the dependency tree: {len} projects seen, {pos} dependency lists read {elapsed}",
        );
        let checked = runtime.block_on(check_tree(&input, &settings, client.clone(), &progress));
        progress.finish_and_clear();
        warnings.extend(checked.warnings);
        (checked.verdicts, checked.dependencies)
    };
    let (verdicts, dependencies) = match mode {
        Mode::Tree(why) => {
            notes.push(why.to_string());
            tree(&runtime, &mut warnings)
        }
        Mode::Lines(why) => {
            notes.push(why.to_string());
            (lines(&runtime), Vec::new())
        }
        Mode::Pinned => {
            let mut verdicts = lines(&runtime);
            let closure = runtime.block_on(pinned_closure(
                &input,
                &settings,
                client.as_ref(),
                &mut verdicts,
            ));
            if closure.is_closed() {
                notes.push(
                    "dependency tree: every requirement is pinned and the pins list all their dependencies \
                     (read from their metadata), so each line is checked as pip installs it"
                        .to_string(),
                );
                (verdicts, Vec::new())
            } else {
                notes.push(format!(
                    "dependency tree: resolved on each target: every requirement is pinned, but pip also \
                     installs what the pins do not list ({})",
                    shortened(&closure.open, 5)
                ));
                tree(&runtime, &mut warnings)
            }
        }
    };
    if let Some((note, warning)) = client.finish_cache() {
        notes.push(note);
        warnings.extend(warning);
    }
    // The client holds every page read (~100,000 files for 800 projects): the process's exit frees them at
    // once, where dropping them one by one was a twentieth of a cached run.
    std::mem::forget(client);

    let mut report = build_report(&input, &plan, verdicts, dependencies, shown, warnings);
    // A Dockerfile's or the settings' bad lines are input errors like a requirements file's (exit 2).
    report.errors.extend(log.errors);
    report.errors.extend(config_errors);
    crate::advice::enrich(&mut report, crate::data::knowledge);
    let expired = report.apply_ignores(&ignore, &crate::report::today());
    report.warnings.extend(expired);
    report.notes = notes;
    report.redact();
    let json = args.emit.is_none() && matches!(args.format, Format::Json | Format::Sarif);
    if !json {
        report.make_visible();
    }
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
        (Some(Emit::Apk), _) => emit_apk(&report),
        (None, Format::Json) => report.to_json(),
        (None, Format::Terminal) => render_terminal(&report, args.output.is_none() && use_colour()),
        (None, Format::Markdown) => render_markdown(&report),
        (None, Format::Html) => render_html(&report),
        (None, Format::Sarif) => render_sarif(&report),
        (None, Format::Github) => render_github(&report),
    };
    // The GitHub format writes workflow commands on purpose, with their data escaped; elsewhere none may start.
    let text = match (args.emit, args.format) {
        (None, Format::Github) => text,
        _ => no_workflow_commands(text),
    };
    match &args.output {
        Some(path) => write_file(path, &text),
        None => write_stdout(&text),
    }
    .map_err(Stop::environment)?;
    Ok(exit_code(
        &report,
        args.fail_on.map(Into::into).unwrap_or_default(),
    ))
}

/// The cache settings from `--cache-dir`, `--no-cache`, `--refresh`, `--offline` and `--cache-max-mb`.
/// `None`: no cache for this run. Without a cache directory the run goes on uncached, with a warning.
fn cache_options(args: &Args, warnings: &mut Vec<String>) -> Result<Option<CacheOptions>, String> {
    if args.offline && (args.no_cache || args.refresh) {
        let other = if args.no_cache {
            "--no-cache"
        } else {
            "--refresh"
        };
        return Err(format!(
            "--offline answers from the cache alone, so it cannot go with {other}"
        ));
    }
    if args.no_cache {
        return Ok(None);
    }
    let Some(dir) = args.cache_dir.clone().or_else(default_cache_dir) else {
        if args.offline {
            return Err(
                "--offline needs a cache directory: set --cache-dir or MUSLCHECK_CACHE_DIR".into(),
            );
        }
        warnings.push(
            "no cache directory (no HOME): answers are not cached; set --cache-dir or MUSLCHECK_CACHE_DIR"
                .into(),
        );
        return Ok(None);
    };
    let mode = match (args.offline, args.refresh) {
        (true, _) => CacheMode::Offline,
        (false, true) => CacheMode::Refresh,
        (false, false) => CacheMode::Normal,
    };
    Ok(Some(CacheOptions {
        dir,
        mode,
        // In range by `parse_mib`; a float-to-int cast saturates.
        max_bytes: (args.cache_max_mb * 1024.0 * 1024.0) as u64,
    }))
}

/// The netrc file pip would read (`NETRC`, else `~/.netrc`). A file that does not parse is a warning, as
/// requests ignores it; neither the note nor the warning quotes its contents.
fn read_netrc(
    env: &dyn Fn(&str) -> Option<String>,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Option<Netrc> {
    let path = locate_netrc(env)?;
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| Netrc::parse(&text));
    match parsed {
        Ok(netrc) if netrc.is_empty() => None,
        Ok(netrc) => {
            notes.push(format!(
                "credentials: from {} for hosts whose URL has none",
                path.display()
            ));
            Some(netrc)
        }
        Err(why) => {
            warnings.push(format!("{} is not used: {why}", path.display()));
            None
        }
    }
}

/// `a, b, c and 4 more`.
fn shortened(items: &[String], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

/// How the input is checked, and the note that says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every project of the tree pip installs, resolved on each target.
    Tree(&'static str),
    /// Each line as it is.
    Lines(&'static str),
    /// Every requirement pinned: line by line when the pins list their whole tree, else the tree.
    Pinned,
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

fn progress_bar(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
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
    // Only a regular file is replaced whole: a device (`-o /dev/null`), a pipe or a symlink is written
    // through, never swapped for a new file.
    let in_place = std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_symlink() || !m.file_type().is_file());
    if in_place {
        return std::fs::write(path, text).map_err(fail);
    }
    let name = path.file_name().ok_or_else(|| {
        format!(
            "cannot write the report to {}: not a file name",
            path.display()
        )
    })?;
    // Created exclusively under a random name (nothing planted there in advance is written through), with
    // the mode of the report it replaces, else the usual one of a new file.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    let permissions = std::fs::metadata(path).map(|m| m.permissions());
    let written = temp
        .write_all(text.as_bytes())
        .and_then(|()| match permissions {
            Ok(p) => temp.as_file().set_permissions(p),
            Err(_) => set_new_file_mode(temp.as_file()),
        })
        .and_then(|()| temp.as_file().sync_all());
    // On an error the temporary file is removed when `temp` is dropped.
    written.map_err(fail)?;
    temp.persist(path).map(drop).map_err(|e| fail(e.error))
}

/// A new report's mode: readable by all, as `File::create` would leave it under the usual umask.
#[cfg(unix)]
fn set_new_file_mode(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}
