//! Whether and how the index's answers are cached: `--cache-dir`, `--no-cache`, `--refresh`, `--offline` and
//! `--cache-max-mb` (or their `MUSLCHECK_*` variables), checked against each other.

use std::path::PathBuf;

use crate::index::{CacheMode, CacheOptions, default_cache_dir};

/// The cache flags as given.
#[derive(Debug, Clone, Default)]
pub struct CacheFlags {
    pub dir: Option<PathBuf>,
    pub no_cache: bool,
    pub refresh: bool,
    pub offline: bool,
    /// In range: `--cache-max-mb` takes a finite number, zero or more.
    pub max_mb: f64,
}

/// The cache settings from `--cache-dir`, `--no-cache`, `--refresh`, `--offline` and `--cache-max-mb`.
/// `None`: no cache for this run. Without a cache directory the run goes on uncached, with a warning.
pub fn options(
    flags: &CacheFlags,
    warnings: &mut Vec<String>,
) -> Result<Option<CacheOptions>, String> {
    if flags.offline && (flags.no_cache || flags.refresh) {
        let other = if flags.no_cache {
            "--no-cache"
        } else {
            "--refresh"
        };
        return Err(format!(
            "--offline answers from the cache alone, so it cannot go with {other}"
        ));
    }
    if flags.no_cache {
        return Ok(None);
    }
    let Some(dir) = flags.dir.clone().or_else(default_cache_dir) else {
        if flags.offline {
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
    let mode = match (flags.offline, flags.refresh) {
        (true, _) => CacheMode::Offline,
        (false, true) => CacheMode::Refresh,
        (false, false) => CacheMode::Normal,
    };
    Ok(Some(CacheOptions {
        dir,
        mode,
        // In range (`--cache-max-mb` takes a finite number, zero or more); a float-to-int cast saturates.
        max_bytes: (flags.max_mb * 1024.0 * 1024.0) as u64,
    }))
}
