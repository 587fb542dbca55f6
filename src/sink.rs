//! Where human messages go. Library code (sign-in, cache, Graph) reports through a [`Sink`] that
//! the command passes in, instead of printing: commands decide where text lands, and tests read
//! what a flow said without capturing stderr.
//!
//! Every line is made printable first ([`printable`]): text from the network (error
//! descriptions, user codes, URLs) must never reach a terminal as escape sequences.

use std::borrow::Cow;
use std::io::Write as _;
use std::sync::Mutex;

/// Receives the lines a flow wants a person to read.
pub trait Sink: Send + Sync {
    /// Progress and prompts ("To sign in, open ...").
    fn info(&self, line: &str);
    /// Something went wrong but the command goes on ("the token was not cached: ...").
    fn warn(&self, line: &str);
}

/// The real one: stderr, prefixed like kubectl's plugin messages. Never panics, even when stderr
/// is closed (kubectl may have gone away while we were signing in).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stderr;

impl Sink for Stderr {
    fn info(&self, line: &str) {
        stderr_line(&format!("kubectl-entra: {}", printable(line)));
    }

    fn warn(&self, line: &str) {
        stderr_line(&format!("kubectl-entra: warning: {}", printable(line)));
    }
}

/// Writes one line to stderr, ignoring every error: a closed or full stderr must not panic or
/// change the exit code (`eprintln!` panics on a closed stderr).
pub fn stderr_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// Writes text to stderr as it is (no newline added), ignoring every error.
pub fn stderr_text(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// `eprintln!` that never panics. Use it for every human message of the plugin.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::sink::stderr_line(&format!($($arg)*))
    };
}

/// Keeps what a flow said, for tests.
#[derive(Debug, Default)]
pub struct Recorder {
    lines: Mutex<Vec<String>>,
}

impl Recorder {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn push(&self, line: String) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(line);
        }
    }
}

impl Sink for Recorder {
    fn info(&self, line: &str) {
        self.push(printable(line).into_owned());
    }

    fn warn(&self, line: &str) {
        self.push(format!("warning: {}", printable(line)));
    }
}

/// Text with every control character (C0, DEL, C1) shown as `\u{..}` instead of being sent to
/// the terminal: ESC/OSC sequences in a server's answer could clear the screen, retitle the
/// window or hide text. Newlines and tabs are escaped too: one message stays one line.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_escape_sequences_and_keeps_plain_text_borrowed() {
        assert!(matches!(
            printable("AADSTS70016: pending"),
            Cow::Borrowed(_)
        ));
        let hostile = "code \u{1b}]0;owned\u{7}\u{1b}[2J done\r\nnext\u{9b}";
        let shown = printable(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("\\u{1b}]0;owned\\u{7}"), "{shown}");
        assert!(shown.contains("done  next"), "{shown}");
    }

    #[test]
    fn recorder_keeps_lines_made_printable() {
        let r = Recorder::default();
        r.info("a\u{1b}[31m");
        r.warn("b");
        assert_eq!(
            r.lines(),
            vec!["a\\u{1b}[31m".to_string(), "warning: b".into()]
        );
    }
}
