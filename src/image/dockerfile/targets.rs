//! From the stages of a Dockerfile to the targets pip meets while it is built: every stage whose image (or
//! the image of the stage it builds on) is the official python image gives one, builders included, since
//! pip runs there too. Identical targets are given once; each note says how a target was derived and names
//! `path:line`.

use super::{Dockerfile, DockerfileError, Stage, parse};
use crate::image::{ImageError, ImageTarget, target_of};
use crate::target::Arch;

/// One target, and the stage it was derived from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageTarget {
    pub target: ImageTarget,
    /// The image the stage is built from, after substitution (`python:3.12-alpine`).
    pub image: String,
    /// The stage's `AS` name; `None` for an unnamed stage.
    pub stage: Option<String>,
    /// The stage's index (Docker numbers stages from 0: `COPY --from=0`).
    pub index: usize,
    /// The line of its `FROM`.
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerfileTargets {
    pub targets: Vec<StageTarget>,
    /// How each target was derived, and what was passed over; each names `path:line`.
    pub notes: Vec<String>,
    pub errors: Vec<DockerfileError>,
}

/// The targets of a Dockerfile. `arch_flag` is the `--arch` the user gave (maybe none): a stage's
/// `--platform` pins its own architecture, and a note says when that differs from what was asked.
pub fn targets(
    path: &str,
    text: &str,
    build_args: &[(String, String)],
    arch_flag: &[Arch],
) -> DockerfileTargets {
    let Dockerfile { stages, errors } = parse(text, build_args);
    let stages = &stages;
    let mut walk = Walk {
        path,
        stages,
        arch_flag,
        out: DockerfileTargets {
            errors,
            ..DockerfileTargets::default()
        },
        derived: vec![None; stages.len()],
        passed_over: Vec::new(),
        failed: false,
    };
    if stages.is_empty() {
        if walk.out.errors.is_empty() {
            walk.out.errors.push(DockerfileError {
                line: 1,
                column: 1,
                message: format!("{path} has no FROM instruction: it builds no image"),
            });
        }
        return walk.out;
    }
    for index in 0..stages.len() {
        walk.stage(index);
    }
    walk.finish()
}

/// The stages, read in order.
struct Walk<'a> {
    path: &'a str,
    stages: &'a [Stage],
    arch_flag: &'a [Arch],
    out: DockerfileTargets,
    /// For each stage, the position in `out.targets` of its target, once derived.
    derived: Vec<Option<usize>>,
    /// Stages that are not python images: their note, and how the final error names them.
    passed_over: Vec<(String, String)>,
    /// Whether some stage gave an error (which then says what is wrong better than "no python stage").
    failed: bool,
}

impl Walk<'_> {
    fn stage(&mut self, index: usize) {
        let stage = &self.stages[index];
        let at = format!(
            "{}:{} (stage {})",
            self.path,
            stage.line,
            label(stage, index)
        );
        if let Some(base) = stage.base_stage {
            // The stage builds on an earlier one, walked already: its target, if any, was derived there.
            self.derived[index] = self.derived[base];
            if let Some(i) = self.derived[base] {
                let note = format!("{at}: FROM {}: {}", stage.image, self.same_as(i));
                self.out.notes.push(note);
            }
            return;
        }
        if !stage.image_unresolved.is_empty() {
            return self.error(stage, unresolved_message(stage));
        }
        if stage.image.eq_ignore_ascii_case("scratch") {
            let note = format!("{at}: FROM scratch: an empty image, no Python");
            let found = format!("scratch at line {}", stage.line);
            return self.passed_over.push((note, found));
        }
        let (arch, arch_note) = match arch_of_stage(&at, stage, self.arch_flag) {
            Ok(found) => found,
            Err(message) => return self.error(stage, message),
        };
        match target_of(&stage.image, arch) {
            Ok(mut target) => {
                if let (Some(arch), Some(platform)) = (arch, &stage.platform) {
                    target
                        .how
                        .push_str(&format!(", {arch} (--platform={platform})"));
                }
                self.add(index, &at, target);
                self.out.notes.extend(arch_note);
            }
            Err(e @ ImageError::NotPython { .. }) => {
                let base = match &e {
                    ImageError::NotPython { base: Some(b), .. } => format!(", {b}"),
                    _ => String::new(),
                };
                let found = format!("{} at line {}{base}", stage.image, stage.line);
                self.passed_over.push((format!("{at}: {e}"), found));
            }
            Err(e) => self.error(stage, e.to_string()),
        }
    }

    /// Adds a stage's target, or notes that an earlier stage has the same one.
    fn add(&mut self, index: usize, at: &str, target: ImageTarget) {
        let stage = &self.stages[index];
        let same = self.out.targets.iter().position(|t| {
            (t.target.python, t.target.libc, t.target.arch)
                == (target.python, target.libc, target.arch)
        });
        if let Some(i) = same {
            let note = format!("{at}: {}: {}", stage.image, self.same_as(i));
            self.out.notes.push(note);
            self.derived[index] = Some(i);
            return;
        }
        self.out.notes.push(format!("{at}: {}", target.how));
        self.derived[index] = Some(self.out.targets.len());
        self.out.targets.push(StageTarget {
            target,
            image: stage.image.clone(),
            stage: stage.alias.clone(),
            index,
            line: stage.line,
        });
    }

    /// `the same target as stage builder (Dockerfile:3)`.
    fn same_as(&self, target: usize) -> String {
        let first = &self.out.targets[target];
        let stage = &self.stages[first.index];
        let name = label(stage, first.index);
        format!(
            "the same target as stage {name} ({}:{})",
            self.path, first.line
        )
    }

    fn error(&mut self, stage: &Stage, message: String) {
        self.failed = true;
        self.out.errors.push(DockerfileError {
            line: stage.line,
            column: stage.column,
            message,
        });
    }

    /// Non-python stages are notes beside a python one; with none, an error saying what was found.
    fn finish(mut self) -> DockerfileTargets {
        if self.out.targets.is_empty() && !self.failed {
            let found: Vec<&str> = self.passed_over.iter().map(|(_, f)| f.as_str()).collect();
            let first = &self.stages[0];
            self.out.errors.push(DockerfileError {
                line: first.line,
                column: first.column,
                message: format!(
                    "no stage is built FROM the official python image (found {}): muslcheck cannot tell \
                     which CPython these have; name the target with --python (and --musl for an Alpine image) instead",
                    found.join("; ")
                ),
            });
        } else {
            let notes = self.passed_over.into_iter().map(|(note, _)| note);
            self.out.notes.extend(notes);
        }
        self.out
    }
}

fn label(stage: &Stage, index: usize) -> String {
    stage.alias.clone().unwrap_or_else(|| index.to_string())
}

fn unresolved_message(stage: &Stage) -> String {
    let names: Vec<String> = stage
        .image_unresolved
        .iter()
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "FROM {}: {} has no value here; give it a default (ARG NAME=value before the first FROM) or pass it \
         as a build argument, or name the target with --python instead",
        stage.image,
        names.join(", ")
    )
}

/// The architecture a stage's `--platform` pins, and a note when there is something to say about it.
fn arch_of_stage(
    at: &str,
    stage: &Stage,
    arch_flag: &[Arch],
) -> Result<(Option<Arch>, Option<String>), String> {
    let Some(platform) = &stage.platform else {
        return Ok((None, None));
    };
    if !stage.platform_unresolved.is_empty() {
        let names: Vec<String> = stage
            .platform_unresolved
            .iter()
            .map(|n| format!("${n}"))
            .collect();
        let asked = if arch_flag.is_empty() {
            "--arch, or muslcheck's default".to_string()
        } else {
            format!("--arch ({})", arch_list(arch_flag))
        };
        return Ok((
            None,
            Some(format!(
                "{at}: --platform={platform}: {} is decided when the image is built (BUILDPLATFORM is the \
                 building machine's, TARGETPLATFORM the --platform of docker build); the architecture comes \
                 from {asked}",
                names.join(", ")
            )),
        ));
    }
    let arch = arch_of_platform(platform).map_err(|why| format!("--platform={platform}: {why}"))?;
    let note = (!arch_flag.is_empty() && !arch_flag.contains(&arch)).then(|| {
        format!(
            "{at}: --platform={platform} pins this stage to {arch}; --arch {} does not apply to it",
            arch_list(arch_flag)
        )
    });
    Ok((Some(arch), note))
}

fn arch_list(arches: &[Arch]) -> String {
    let names: Vec<&str> = arches.iter().map(|a| a.as_str()).collect();
    names.join(", ")
}

/// `linux/arm64` → aarch64, as the OCI platform names map to `uname -m` (`linux/arm` is `linux/arm/v7`,
/// Docker's default ARM variant).
pub fn arch_of_platform(platform: &str) -> Result<Arch, String> {
    let lower = platform.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [os, arch] => (*os, *arch, None),
        [os, arch, variant] => (*os, *arch, Some(*variant)),
        _ => return Err("not a platform like linux/arm64".into()),
    };
    if os != "linux" {
        return Err(format!(
            "{os} is not Linux; muslcheck predicts pip on Linux"
        ));
    }
    let unsupported = || {
        let known: Vec<&str> = Arch::ALL.iter().map(|a| a.as_str()).collect();
        format!(
            "{lower} is not an architecture muslcheck checks (it checks {})",
            known.join(", ")
        )
    };
    match (arch, variant) {
        ("amd64" | "x86_64", _) => Ok(Arch::X86_64),
        ("arm64" | "aarch64", None | Some("v8")) => Ok(Arch::Aarch64),
        ("arm", None | Some("v7")) => Ok(Arch::Armv7l),
        ("386" | "i386", _) => Ok(Arch::I686),
        ("ppc64le", None) => Ok(Arch::Ppc64le),
        ("s390x", None) => Ok(Arch::S390x),
        _ => Err(unsupported()),
    }
}

#[cfg(test)]
mod tests;
