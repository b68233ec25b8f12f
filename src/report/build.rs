//! The report of a run, built from what the pipeline found: one package per input line and one per project
//! the dependency tree added, each with its verdict on every target, the summary, and the comparison of two
//! images when the run compares them.

use std::collections::BTreeMap;

use super::{
    ErrorEntry, Package, Report, SCHEMA_VERSION, Source, TargetInfo, Tool, compare_targets,
};
use crate::check::Dependency;
use crate::input::{Input, Wanted};
use crate::target::Plan;
use crate::verdict::Verdict;

/// The report before advice, ignore entries, notes and redaction are applied; `indexes` are the main index's
/// URL, then the extra ones', as shown.
pub fn build(
    input: &Input,
    plan: &Plan,
    verdicts: Vec<Vec<Verdict>>,
    dependencies: Vec<Dependency>,
    indexes: Vec<String>,
    warnings: Vec<String>,
) -> Report {
    let ids: Vec<String> = plan.targets.iter().map(|p| p.target.id()).collect();
    let added = dependencies.into_iter().map(|dependency| {
        let source = dependency
            .entry
            .map(|i| &input.entries[i].source)
            .map_or_else(
                || Source {
                    path: input
                        .files
                        .first()
                        .map(|(p, _)| p.clone())
                        .unwrap_or_default(),
                    line: 0,
                    key: None,
                },
                |s| Source {
                    path: s.path.clone(),
                    line: s.line,
                    key: s.key.clone(),
                },
            );
        Package {
            name: Some(dependency.name),
            version: dependency.verdicts.iter().find_map(|v| v.version.clone()),
            requirement: dependency.requirement,
            source,
            targets: ids.iter().cloned().zip(dependency.verdicts).collect(),
        }
    });
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
        .chain(added)
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
