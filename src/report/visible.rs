//! Text that came from outside (an index's pages and metadata, a checkout's files) reaches terminals, CI logs
//! and pull requests through the reports. An index owner can set a yank reason to `ESC[2J` (clear the screen)
//! or to a newline followed by a forged report row or a GitHub Actions workflow command (`::add-mask::`,
//! `::error::`). One rule for every text format: control characters (C0, DEL, C1) and the Unicode controls
//! that reorder text are shown as escapes (`\x1b`, `\n`, `\u{202e}`), so nothing from outside can end a line
//! or act on the terminal; and no line of a report starts with `::`. JSON and SARIF keep the text as it came,
//! in JSON's own escaping.

/// `text` with every character that would act rather than show (C0 controls, DEL, C1 controls, bidirectional
/// overrides and isolates) written as an escape.
pub fn visible(text: &str) -> String {
    if !text.chars().any(acts) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && acts(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if acts(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` acts on a terminal or on how the text around it is laid out, rather than showing.
fn acts(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with a `\` before every line that starts (after blanks) with `::`: GitHub Actions runs such a line
/// of a job's output as a workflow command.
pub fn no_workflow_commands(text: String) -> String {
    if !text.lines().any(|l| l.trim_start().starts_with("::")) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("::") {
            out.push('\\');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_as_escapes() {
        assert_eq!(visible("numpy 2.1.3"), "numpy 2.1.3");
        assert_eq!(visible("bad\x1b[2Jbuild"), "bad\\x1b[2Jbuild");
        assert_eq!(
            visible("x\n::add-mask::y\r\u{7}\u{7f}\u{9b}"),
            "x\\n::add-mask::y\\r\\x07\\x7f\\x9b"
        );
        assert_eq!(visible("a\u{202e}b\u{2066}"), "a\\u{202e}b\\u{2066}");
        assert_eq!(visible("naïve – café"), "naïve – café");
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        let text = "WHEEL ok\n::error::forged\n  ::add-mask::x\nfine :: here\n".to_string();
        assert_eq!(
            no_workflow_commands(text),
            "WHEEL ok\n\\::error::forged\n\\  ::add-mask::x\nfine :: here\n"
        );
        assert_eq!(no_workflow_commands("::x".into()), "\\::x");
    }
}
