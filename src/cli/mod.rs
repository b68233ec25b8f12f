//! The command line: the flags (`args`) turned into one run configuration with every decision made
//! (`run_config`), the checks (`pipeline`), the report, and its text written (`output`). The exit code is the
//! report's gate (`report::gate`), or why the run stopped before its report was written.

use crate::input::{Input, read_inputs};
use crate::report::{Report, build_report, exit_code, today};

mod args;
mod output;
mod pipeline;
mod run_config;

pub use crate::exit::Exit;
pub use args::{Args, Emit, FailOn, Format};
use pipeline::Checked;
use run_config::RunConfig;

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
    let input = read_inputs(&args.files, &run_config::selection(&args));
    if input.files.is_empty() && !input.errors.is_empty() {
        // Nothing could be read (no such file, a directory without a dependency file): there is no report to
        // write, and the errors go to standard error.
        let errors: Vec<String> = input
            .errors
            .iter()
            .map(|e| match e.line {
                Some(_) => e.to_string(),
                None => e.message.clone(),
            })
            .collect();
        return Err(Stop::from(errors.join("\nmuslcheck: ")));
    }
    let mut config = RunConfig::new(args, &input)?;
    // The runtime is dropped when the run ends, after the report is written: dropping it stops the tasks
    // still running (the resolver's look-ahead fetches), which need not hold the report up.
    let (client, runtime) = pipeline::start(&config)?;
    let checked = pipeline::check(&config, &input, client, &runtime);
    let mut report = finished_report(&mut config, &input, checked);
    let text = output::render(&mut report, &config.output, &input);
    output::write(&config.output, &text).map_err(Stop::environment)?;
    Ok(exit_code(&report, config.fail_on))
}

/// The report with everything the run knows: the verdicts, the advice, the ignore list applied, the notes,
/// warnings and errors of the whole run; credentials taken out.
fn finished_report(config: &mut RunConfig, input: &Input, checked: Checked) -> Report {
    let mut warnings = std::mem::take(&mut config.warnings);
    warnings.extend(checked.warnings);
    let mut report = build_report(
        input,
        &config.plan,
        checked.verdicts,
        checked.dependencies,
        checked.indexes,
        warnings,
    );
    report.errors.append(&mut config.errors);
    crate::advice::enrich(&mut report, crate::data::knowledge);
    let expired = report.apply_ignores(&config.ignore, &today());
    report.warnings.extend(expired);
    let passed_over = input.passed_over.iter().map(|(dir, names)| {
        format!(
            "input: {dir} also holds {}, not read (name a file to check it)",
            names.join(", ")
        )
    });
    report.notes = input
        .files
        .iter()
        .map(|(path, f)| format!("input: {path} ({})", f.as_str()))
        .chain(passed_over)
        .chain(std::mem::take(&mut config.notes))
        .chain(checked.notes)
        .collect();
    report.redact();
    report
}
