//! Credentials never leave muslcheck: the only form of a URL, or of any text that may hold one, that is ever
//! printed or stored.

use url::Url;

/// The index URL with any user name and password taken out: the only form that is ever printed.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    // Setting these fails only for URLs that cannot carry credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    // A URL that cannot carry credentials may still hold some as text (`user:pass@host/simple/` reads as
    // scheme `user`).
    redact_text(shown.as_str())
}

/// Any text with the `user:password@` of its URLs taken out (pip's `redact_auth_from_url`, for every URL in
/// a line): requirement lines, reasons and errors may quote a URL the user wrote with credentials.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(['/', ' ', '\t', '"', '\'', '#', '?'])
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => rest = &tail[userinfo_end + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    if out.contains('@') {
        out = out
            .split_inclusive(char::is_whitespace)
            .map(redact_schemeless)
            .collect();
    }
    out
}

/// One word without `://` that looks like an index address with credentials: `user:pass@host/simple/` (a
/// colon before the `@`) or `token@host.example/simple/` (a dotted host and a path after it). Other words
/// with an `@` (`pkg@1.0`, `name @ url`) are kept.
fn redact_schemeless(word: &str) -> String {
    if word.contains("://") {
        return word.to_string();
    }
    let lead = word.len() - word.trim_start_matches(['\'', '"', '(', '<']).len();
    let Some(at) = word.find('@').filter(|&at| at > lead) else {
        return word.to_string();
    };
    let (user, after) = (&word[lead..at], &word[at + 1..]);
    let host = after.split('/').next().unwrap_or("");
    let credentials = user.contains(':') || (after.contains('/') && host.contains('.'));
    if credentials && !user.contains('/') {
        format!("{}{after}", &word[..lead])
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_any_text() {
        assert_eq!(
            redact_text(
                "foo @ https://alice:s3cr3t@example.invalid/foo-1.0.tar.gz: not from the index"
            ),
            "foo @ https://example.invalid/foo-1.0.tar.gz: not from the index"
        );
        assert_eq!(
            redact_text("-e git+https://ghp_TOKEN123@example.invalid/x/y.git#egg=y"),
            "-e git+https://example.invalid/x/y.git#egg=y"
        );
        assert_eq!(
            redact_text("git+ssh://git@example.invalid/x.git@v1"),
            "git+ssh://example.invalid/x.git@v1"
        );
        assert_eq!(redact_text("numpy==2.1.3"), "numpy==2.1.3");
        // Without a scheme.
        assert_eq!(
            redact_text(
                "index URL 'user:pass@host.example/simple/' is not an absolute http(s) URL"
            ),
            "index URL 'host.example/simple/' is not an absolute http(s) URL"
        );
        assert_eq!(
            redact_text(
                "ghp_TOKEN@pkgs.example.invalid/simple/ and pkg@1.0, name @ https://x.invalid/a"
            ),
            "pkgs.example.invalid/simple/ and pkg@1.0, name @ https://x.invalid/a"
        );
        let url = Url::parse("user:pass@host.example/simple/").unwrap();
        assert_eq!(redact(&url), "host.example/simple/");
    }

    #[test]
    fn redact_drops_credentials() {
        let url = Url::parse("https://user:s3cret@example.invalid/simple/").unwrap();
        assert_eq!(redact(&url), "https://example.invalid/simple/");
        let token = Url::parse("https://__token__@example.invalid/simple/").unwrap();
        assert!(!redact(&token).contains("token"));
    }
}
