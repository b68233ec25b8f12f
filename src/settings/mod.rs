//! What configures a run besides its flags, one module per source, each read into plain values:
//!
//! - `file`: muslcheck's own settings file (`muslcheck.toml`, `[tool.muslcheck]`);
//! - `merge`: that file merged with the flags (a flag wins);
//! - `target_sources`: what names the targets (the merged settings, two images, a Dockerfile), read into the
//!   request `target::plan` decides on;
//! - `index_urls`: which indexes to ask, from the flags, the environment, the requirements and `pip_conf`
//!   (pip's configuration files);
//! - `credentials`: the netrc file;
//! - `cache`: whether and how the index's answers are cached.
//!
//! `cli` turns the flags into these modules' inputs and gathers their results into one run configuration.

pub mod cache;
pub mod credentials;
pub mod file;
pub mod index_urls;
pub mod merge;
mod pip_conf;
pub mod target_sources;
