//! Writing the report: the format or `--emit` the run asked for, to standard output or whole to `--output`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::args::{Emit, Format};
use super::run_config::Output;
use crate::input::Input;
use crate::report::{
    Report, emit_apk, emit_dockerfile, no_workflow_commands, render_github, render_html,
    render_markdown, render_sarif, render_terminal,
};

/// The text of the report as `output` asks for it. Text from outside shows its control characters as escapes
/// in every format but JSON and SARIF, which carry it as it came.
pub fn render(report: &mut Report, output: &Output, input: &Input) -> String {
    let json = output.emit.is_none() && matches!(output.format, Format::Json | Format::Sarif);
    if !json {
        report.make_visible();
    }
    // The format never changes the exit code: every renderer reads the same report.
    let text = match (output.emit, output.format) {
        (Some(Emit::Dockerfile), _) => {
            let requirements = input
                .files
                .iter()
                .find(|(_, f)| *f == crate::input::Format::Requirements)
                .map(|(path, _)| path.as_str());
            emit_dockerfile(report, requirements)
        }
        (Some(Emit::Apk), _) => emit_apk(report),
        (None, Format::Json) => report.to_json(),
        (None, Format::Terminal) => render_terminal(report, output.path.is_none() && use_colour()),
        (None, Format::Markdown) => render_markdown(report),
        (None, Format::Html) => render_html(report),
        (None, Format::Sarif) => render_sarif(report),
        (None, Format::Github) => render_github(report),
    };
    // The GitHub format writes workflow commands on purpose, with their data escaped; elsewhere none may start.
    match (output.emit, output.format) {
        (None, Format::Github) => text,
        _ => no_workflow_commands(text),
    }
}

/// Writes the text to `--output`, else to standard output.
pub fn write(output: &Output, text: &str) -> Result<(), String> {
    match &output.path {
        Some(path) => write_file(path, text),
        None => write_stdout(text),
    }
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
