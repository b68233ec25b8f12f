//! The credentials pip would send to an index whose URL has none: those of the netrc file.

use crate::index::{Netrc, locate_netrc};

/// The netrc file pip would read (`NETRC`, else `~/.netrc`). A file that does not parse is a warning, as
/// requests ignores it; neither the note nor the warning quotes its contents.
pub fn read_netrc(
    env: &dyn Fn(&str) -> Option<String>,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Option<Netrc> {
    let path = locate_netrc(env)?;
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| Netrc::parse(&text));
    match parsed {
        Ok(netrc) if netrc.is_empty() => None,
        Ok(netrc) => {
            notes.push(format!(
                "credentials: from {} for hosts whose URL has none",
                path.display()
            ));
            Some(netrc)
        }
        Err(why) => {
            warnings.push(format!("{} is not used: {why}", path.display()));
            None
        }
    }
}
