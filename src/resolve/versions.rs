//! The versions a resolution chooses among, and PEP 440 specifiers as pubgrub's version sets.
//!
//! pubgrub needs version *sets* closed under union, intersection and complement; PEP 440 specifiers are not
//! intervals (pre-release rules, local versions, `!=1.*`). So a specifier becomes a set over the versions the
//! index lists for the target: the listed versions it admits, merged into runs. On every version the resolver
//! can choose the set is exact, and what it says between them never matters.

use std::collections::HashSet;
use std::fmt;
use std::ops::Bound;

use pubgrub::Ranges;

use crate::pep::{Version, VersionSpecifiers, filter_versions, is_pinned};
use crate::select::CandidateVersion;

/// A version as the resolver sees it. `Unavailable` stands for "this project cannot be installed": it is in
/// every set, chosen only when a lookup failed (the verdict is then `unknown`) or, after pip's resolution
/// failed, to still give a verdict for everything else.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResolverVersion {
    Unavailable,
    Real(Version),
}

impl fmt::Display for ResolverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolverVersion::Unavailable => f.write_str("(none)"),
            ResolverVersion::Real(v) => write!(f, "{v}"),
        }
    }
}

pub type Set = Ranges<ResolverVersion>;

/// The candidates of `universe` (ascending) that `specifiers` admits, with `Unavailable`. Yanked versions
/// count only for an exact pin (PEP 592); pre-releases as `packaging` filters them.
pub fn admitted(
    universe: &[CandidateVersion],
    specifiers: &VersionSpecifiers,
    allow_pre: bool,
) -> Set {
    let pinned = is_pinned(specifiers);
    let eligible = universe
        .iter()
        .filter(|c| pinned || !c.yanked)
        .map(|c| &c.version);
    let chosen: HashSet<&Version> = filter_versions(specifiers, eligible, allow_pre)
        .into_iter()
        .collect();
    let mut set = Set::singleton(ResolverVersion::Unavailable);
    let mut run: Option<(&Version, &Version)> = None;
    for c in universe {
        if chosen.contains(&c.version) {
            run = Some((run.map_or(&c.version, |(lo, _)| lo), &c.version));
        } else if let Some(r) = run.take() {
            set = set.union(&interval(r));
        }
    }
    if let Some(r) = run {
        set = set.union(&interval(r));
    }
    set
}

/// The newest of `universe` (ascending) in `set`, found by binary search from the set's top run down.
pub fn newest_within<'u>(
    universe: &'u [CandidateVersion],
    set: &Set,
) -> Option<&'u CandidateVersion> {
    let runs: Vec<(&Bound<ResolverVersion>, &Bound<ResolverVersion>)> = set.iter().collect();
    runs.into_iter().rev().find_map(|(lo, hi)| {
        let (from, to) = (below(universe, lo), upto(universe, hi));
        (to > from).then(|| &universe[to - 1])
    })
}

/// How many of `universe` (ascending) `set` holds: a binary search per run of the set, not a test per
/// version (the resolver asks this of every project at every step).
pub fn count_within(universe: &[CandidateVersion], set: &Set) -> usize {
    set.iter()
        .map(|(lo, hi)| upto(universe, hi).saturating_sub(below(universe, lo)))
        .sum()
}

/// How many of `universe` lie below the run that starts at `bound`.
fn below(universe: &[CandidateVersion], bound: &Bound<ResolverVersion>) -> usize {
    match bound {
        Bound::Unbounded
        | Bound::Included(ResolverVersion::Unavailable)
        | Bound::Excluded(ResolverVersion::Unavailable) => 0,
        Bound::Included(ResolverVersion::Real(v)) => universe.partition_point(|c| c.version < *v),
        Bound::Excluded(ResolverVersion::Real(v)) => universe.partition_point(|c| c.version <= *v),
    }
}

/// How many of `universe` lie at or below the end of the run that ends at `bound`.
fn upto(universe: &[CandidateVersion], bound: &Bound<ResolverVersion>) -> usize {
    match bound {
        Bound::Unbounded => universe.len(),
        Bound::Included(ResolverVersion::Unavailable)
        | Bound::Excluded(ResolverVersion::Unavailable) => 0,
        Bound::Included(ResolverVersion::Real(v)) => universe.partition_point(|c| c.version <= *v),
        Bound::Excluded(ResolverVersion::Real(v)) => universe.partition_point(|c| c.version < *v),
    }
}

fn interval((lo, hi): (&Version, &Version)) -> Set {
    Set::from_range_bounds((
        Bound::Included(ResolverVersion::Real(lo.clone())),
        Bound::Included(ResolverVersion::Real(hi.clone())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pep::{parse_specifiers, parse_version};

    fn universe(versions: &[(&str, bool)]) -> Vec<CandidateVersion> {
        versions
            .iter()
            .map(|(v, yanked)| CandidateVersion {
                version: parse_version(v).unwrap(),
                has_wheel: true,
                yanked: *yanked,
            })
            .collect()
    }

    /// Finals, a yanked one and a pre-release.
    fn releases() -> Vec<CandidateVersion> {
        universe(&[
            ("1.0", false),
            ("1.1", false),
            ("1.2", true),
            ("2.0rc1", false),
            ("2.0", false),
            ("2.1", false),
        ])
    }

    fn members(set: &Set, universe: &[CandidateVersion]) -> Vec<String> {
        universe
            .iter()
            .filter(|c| set.contains(&ResolverVersion::Real(c.version.clone())))
            .map(|c| c.version.to_string())
            .collect()
    }

    #[test]
    fn a_specifier_is_exact_on_the_listed_versions() {
        let u = releases();
        let set = |s: &str| admitted(&u, &parse_specifiers(s).unwrap(), false);
        assert_eq!(members(&set(">=1.0,!=1.1"), &u), ["1.0", "2.0", "2.1"]);
        // The yanked 1.2 splits no run it is not in, and counts only for an exact pin.
        assert_eq!(members(&set("<2"), &u), ["1.0", "1.1"]);
        assert_eq!(members(&set("==1.2"), &u), ["1.2"]);
        assert_eq!(members(&set("==2.0rc1"), &u), ["2.0rc1"]);
        assert_eq!(members(&set(">=2.0.dev0,<2.1"), &u), ["2.0rc1", "2.0"]);
        assert!(set(">=3").contains(&ResolverVersion::Unavailable));
        assert_eq!(members(&set(">=3"), &u), Vec::<String>::new());
    }

    #[test]
    fn counting_by_runs_agrees_with_testing_each_version() {
        let u = releases();
        for spec in [
            "",
            ">=1.0,!=1.1",
            "<2",
            "==1.2",
            ">=2.0.dev0,<2.1",
            ">=3",
            "!=2.0",
            "==1.1",
        ] {
            let set = admitted(&u, &parse_specifiers(spec).unwrap(), false);
            for s in [
                set.clone(),
                set.complement(),
                set.intersection(&Set::singleton(ResolverVersion::Unavailable).complement()),
                Set::singleton(ResolverVersion::Unavailable),
                Set::full(),
            ] {
                assert_eq!(count_within(&u, &s), members(&s, &u).len(), "{spec}: {s}");
                let newest = members(&s, &u).last().cloned();
                assert_eq!(
                    newest_within(&u, &s).map(|c| c.version.to_string()),
                    newest,
                    "{spec}: {s}"
                );
            }
        }
    }

    #[test]
    fn pre_releases_count_when_nothing_final_matches() {
        let u = universe(&[("1.0", false), ("2.0b1", false)]);
        let set = admitted(&u, &parse_specifiers(">=1.5").unwrap(), false);
        assert_eq!(members(&set, &u), ["2.0b1"]);
        let set = admitted(&u, &VersionSpecifiers::empty(), false);
        assert_eq!(members(&set, &u), ["1.0"]);
        let set = admitted(&u, &VersionSpecifiers::empty(), true);
        assert_eq!(members(&set, &u), ["1.0", "2.0b1"]);
    }
}
