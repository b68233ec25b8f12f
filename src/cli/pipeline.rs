//! The checking itself, as the run configuration decided it: the index client and the async runtime, every
//! requirement checked on every target (line by line, or the whole dependency tree resolved), with a progress
//! bar on a terminal.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::runtime::Runtime;

use super::Stop;
use super::run_config::{Mode, RunConfig};
use crate::check::{Dependency, Lines, check_all, check_tree, pinned_closure};
use crate::index::{ClientError, IndexClient};
use crate::input::Input;
use crate::verdict::Verdict;

/// What the checks found, and what they had to say.
pub struct Checked {
    /// One list per input entry, one verdict per target.
    pub verdicts: Vec<Vec<Verdict>>,
    /// The projects the dependency tree added.
    pub dependencies: Vec<Dependency>,
    /// The indexes asked, as the report may show them (credentials removed).
    pub indexes: Vec<String>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// The index client and the async runtime the checks run on; what stops the run here is one that cannot be
/// set up.
pub fn start(config: &RunConfig) -> Result<(Arc<IndexClient>, Runtime), Stop> {
    let client = Arc::new(IndexClient::new(&config.index).map_err(|e| match e {
        ClientError::Tls(_) => Stop::environment(e.to_string()),
        ClientError::BadIndexUrl(_) => Stop::from(e.to_string()),
    })?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::environment(format!("cannot start the async runtime: {e}")))?;
    Ok((client, runtime))
}

/// Checks the input on every target of `config`; a requirement that cannot be checked is a verdict.
pub fn check(
    config: &RunConfig,
    input: &Input,
    client: Arc<IndexClient>,
    runtime: &Runtime,
) -> Checked {
    let settings = &config.check;
    let indexes = client.shown_urls();
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let lines = |runtime: &Runtime, stated: bool| {
        let progress = progress_bar(
            (input.entries.len() * settings.targets.len()) as u64,
            "{spinner} checking {pos}/{len} requirements {wide_bar} {elapsed}",
        );
        let lines = runtime.block_on(check_all(
            input,
            settings,
            client.clone(),
            &progress,
            stated,
        ));
        progress.finish_and_clear();
        lines
    };
    let tree = |runtime: &Runtime, warnings: &mut Vec<String>| {
        let progress = progress_bar(
            0,
            "{spinner} resolving the dependency tree: {len} projects seen, {pos} dependency lists read {elapsed}",
        );
        let checked = runtime.block_on(check_tree(input, settings, client.clone(), &progress));
        progress.finish_and_clear();
        warnings.extend(checked.warnings);
        (checked.verdicts, checked.dependencies)
    };
    let (verdicts, dependencies) = match config.mode {
        Mode::Tree(why) => {
            notes.push(why.to_string());
            tree(runtime, &mut warnings)
        }
        Mode::Lines(why) => {
            notes.push(why.to_string());
            (lines(runtime, false).verdicts, Vec::new())
        }
        Mode::Pinned => {
            let Lines {
                mut verdicts,
                stated,
            } = lines(runtime, true);
            let closure = pinned_closure(input, settings, &stated, &mut verdicts);
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
                tree(runtime, &mut warnings)
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
    Checked {
        verdicts,
        dependencies,
        indexes,
        notes,
        warnings,
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
