//! What configures a run besides its flags.

pub mod file;
pub mod index_urls;
pub mod merge;
mod pip_conf;
