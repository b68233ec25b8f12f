//! What `--emit` prints instead of the report, built from it. `apk`: the `apk add` lines the packages that
//! build from source need. `dockerfile`: a multi-stage Dockerfile for the Alpine target. The builder stage
//! installs the build dependencies and turns every requirement into a wheel; the runtime stage gets the
//! run-time libraries and installs those wheels without a compiler, so the image stays small.

use std::fmt::Write;

use super::Report;

/// The Dockerfile text; `requirements` is the requirements file the run read (`None` for other formats,
/// whose lock must be exported to one first).
pub fn dockerfile(report: &Report, requirements: Option<&str>) -> String {
    let target = report.targets.iter().find(|t| t.libc == "musl");
    let image = match target {
        Some(t) => t
            .image
            .clone()
            .filter(|i| i.contains("alpine"))
            .unwrap_or_else(|| format!("python:{}-alpine", t.python)),
        None => "python:3-alpine".to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by muslcheck {} for {image}{}.",
        report.tool.version,
        target.map_or(String::new(), |t| format!(" ({})", t.id))
    );
    let file = requirements.unwrap_or("requirements.txt");
    if requirements.is_none() {
        let _ = writeln!(
            out,
            "# The input was not a requirements file: export it first (uv export, poetry export, pdm export)."
        );
    }
    let Some(apk) = &report.apk else {
        let _ = writeln!(
            out,
            "# Nothing builds from source on this target: one stage is enough.\nFROM {image}\n\
             COPY {file} /tmp/requirements.txt\n\
             RUN pip install --no-cache-dir -r /tmp/requirements.txt"
        );
        return out;
    };
    let _ = writeln!(
        out,
        "# Built from source here: {}.",
        apk.covers
            .iter()
            .chain(&apk.unknown)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !apk.unknown.is_empty() {
        let _ = writeln!(
            out,
            "# muslcheck does not know the build dependencies of {}: gcc and musl-dev are added for them;\n\
             # add their libraries' -dev packages if the build stops.",
            apk.unknown.join(", ")
        );
    }
    let mut build = apk.build.clone();
    if !apk.unknown.is_empty() {
        for base in ["gcc", "musl-dev"] {
            if !build.iter().any(|b| b == base) {
                build.push(base.to_string());
            }
        }
        build.sort();
    }
    let _ = writeln!(out, "\nFROM {image} AS builder");
    // The builder stage is thrown away, so its packages need no virtual group to remove them again.
    let _ = writeln!(out, "RUN apk add --no-cache {}", build.join(" "));
    let _ = writeln!(out, "COPY {file} /tmp/requirements.txt");
    let _ = writeln!(
        out,
        "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt"
    );
    let _ = writeln!(out, "\nFROM {image}");
    if !apk.run_command.is_empty() {
        let _ = writeln!(out, "RUN {}", apk.run_command);
    }
    let _ = writeln!(out, "COPY --from=builder /wheels /wheels");
    let _ = writeln!(
        out,
        "RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels"
    );
    out
}

/// `--emit apk`: the two `apk add` lines, and the packages whose build dependencies are not known.
pub fn apk(report: &Report) -> String {
    let Some(apk) = &report.apk else {
        return "# nothing builds from source on the Alpine targets\n".to_string();
    };
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::{ApkPlan, SCHEMA_VERSION, TargetInfo, Tool};
    use crate::target::Target;

    fn report(apk: Option<ApkPlan>) -> Report {
        let target = Target::musl(
            "3.12".parse().unwrap(),
            "1.2".parse().unwrap(),
            "aarch64".parse().unwrap(),
        );
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            index: String::new(),
            extra_index_urls: Vec::new(),
            targets: vec![TargetInfo::new(&target, None)],
            packages: Vec::new(),
            errors: Vec::new(),
            summary: BTreeMap::new(),
            download: BTreeMap::new(),
            compare: None,
            apk,
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_builder_stage_and_a_runtime_stage() {
        let apk = ApkPlan {
            build: vec!["gcc".into(), "musl-dev".into(), "postgresql-dev".into()],
            run: vec!["libpq".into()],
            build_command: "apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev"
                .into(),
            run_command: "apk add --no-cache libpq".into(),
            covers: vec!["psycopg2".into()],
            unknown: vec!["mystery".into()],
        };
        let text = dockerfile(&report(Some(apk)), Some("requirements/prod.txt"));
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "",
                "FROM python:3.12-alpine AS builder",
                "RUN apk add --no-cache gcc musl-dev postgresql-dev",
                "COPY requirements/prod.txt /tmp/requirements.txt",
                "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt",
                "",
                "FROM python:3.12-alpine",
                "RUN apk add --no-cache libpq",
                "COPY --from=builder /wheels /wheels",
                "RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels",
            ]
        );
        assert!(
            text.contains("does not know the build dependencies of mystery"),
            "{text}"
        );
        assert!(text.contains("(cp312-musllinux_1_2_aarch64)"), "{text}");
    }

    #[test]
    fn one_stage_when_nothing_builds() {
        let text = dockerfile(&report(None), None);
        assert!(text.contains("export it first"), "{text}");
        assert!(text.contains("\nFROM python:3.12-alpine\n"), "{text}");
        assert!(!text.contains("AS builder"), "{text}");
    }
}
