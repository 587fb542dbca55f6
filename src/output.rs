//! All rendering in one place: JSON/YAML documents and kubectl-style tables on stdout,
//! error chains for stderr.

use crate::sink::printable;
use serde::Serialize;
use std::io::Write;

/// Machine-readable document formats (`-o json|yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Json,
    Yaml,
}

/// A value as pretty JSON (with a final newline).
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// A value as one YAML document (serde-saphyr, the maintained serde YAML crate kube uses).
pub fn yaml<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut text = serde_saphyr::to_string(&value)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A value rendered in `format`.
pub fn document<T: Serialize + ?Sized>(
    format: DocumentFormat,
    value: &T,
) -> anyhow::Result<String> {
    match format {
        DocumentFormat::Json => json(value),
        DocumentFormat::Yaml => yaml(value),
    }
}

/// Prints a value as a JSON or YAML document on stdout.
pub fn print_document<T: Serialize + ?Sized>(
    format: DocumentFormat,
    value: &T,
) -> anyhow::Result<()> {
    print_text(&document(format, value)?)
}

/// Writes text to stdout as it is. A closed pipe (`| head`) comes back as an error that
/// [`is_closed_stdout`] recognises, so the command stops quietly instead of panicking.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    print_bytes(text.as_bytes())
}

/// [`print_text`] for bytes (a generated completion script).
pub fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::Error::new(e).context("cannot write to stdout"))
}

/// Whether an error is stdout's reader going away (EPIPE): nothing to report then.
pub fn is_closed_stdout(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A kubectl-style table: columns padded with three spaces, no borders. Cells are made
/// printable (names come from the cluster), except in a [`Table::styled`] table whose cells
/// carry colour escapes on purpose; those do not count towards the column widths.
#[derive(Debug)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    min_width: usize,
    styled: bool,
}

impl Table {
    /// kubectl's usual table: upper-case headers.
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Table::exact(
            &headers
                .iter()
                .map(|h| h.as_ref().to_uppercase())
                .collect::<Vec<_>>(),
        )
    }

    /// Headers as given (`kubectl auth can-i --list` has `Resources`, `Non-Resource URLs`...).
    pub fn exact<S: AsRef<str>>(headers: &[S]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: Vec::new(),
            min_width: 2,
            styled: false,
        }
    }

    /// The narrowest a column gets, padding excluded (Go's tabwriter counts the padding in
    /// its minwidth: kubectl's 6 with padding 3 is 3 here).
    pub fn min_width(mut self, width: usize) -> Self {
        self.min_width = width;
        self
    }

    /// Cells hold ANSI colour escapes on purpose (the access matrix on a terminal).
    pub fn styled(mut self) -> Self {
        self.styled = true;
        self
    }

    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders to a string; `headers` false is kubectl's `--no-headers`.
    pub fn render(&self, headers: bool) -> String {
        let mut tw = tabwriter::TabWriter::new(Vec::new())
            .minwidth(self.min_width)
            .padding(3)
            .ansi(self.styled);
        let styled = self.styled;
        let mut write_line = |cells: &[String]| {
            // Tabs and newlines inside a cell would break the columns; `printable` turns them
            // into spaces along with every other control character.
            let line: Vec<String> = cells
                .iter()
                .map(|c| {
                    if styled {
                        c.replace(['\t', '\n'], " ")
                    } else {
                        printable(c).into_owned()
                    }
                })
                .collect();
            let _ = writeln!(tw, "{}", line.join("\t"));
        };
        if headers {
            write_line(&self.headers);
        }
        for row in &self.rows {
            write_line(row);
        }
        let bytes = tw.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    pub fn print(&self, headers: bool) -> anyhow::Result<()> {
        print_text(&self.render(headers))
    }
}

/// "outer: inner: root" in one line, the way kubectl prints errors.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        // Skip a cause whose text the outer message already includes.
        if parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// The `--kubeconfig`/`--context` the command was given, appended to the sign-in hints it
/// prints (`kubectl entra login`, `logout`, `whoami`), so each works as printed: those
/// commands read the sign-in of the same context. Set once by the command dispatcher.
static HINT_FLAGS: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The commands whose hints get the flags: the ones that act on the caller's own sign-in.
const SELF_COMMANDS: &[&str] = &["login", "logout", "whoami"];

/// Remembers the kubeconfig flags of this run for [`with_hint_flags`]. Values are quoted for
/// a POSIX shell when they need it.
pub fn set_hint_target(kubeconfig: Option<&std::path::Path>, context: Option<&str>) {
    let mut flags = String::new();
    if let Some(path) = kubeconfig {
        flags.push_str(&format!(
            " --kubeconfig {}",
            shell_word(&path.to_string_lossy())
        ));
    }
    if let Some(context) = context {
        flags.push_str(&format!(" --context {}", shell_word(context)));
    }
    if !flags.is_empty() {
        let _ = HINT_FLAGS.set(flags);
    }
}

/// `--request-timeout` as given, for the error a request that ran out of it ends with.
static REQUEST_TIMEOUT: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();

/// Remembers this run's `--request-timeout` (a zero one is no limit).
pub fn set_request_timeout(limit: Option<std::time::Duration>) {
    if let Some(limit) = limit.filter(|l| !l.is_zero()) {
        let _ = REQUEST_TIMEOUT.set(limit);
    }
}

/// What to add to an error that a `--request-timeout` ended (a timed-out I/O somewhere in its
/// chain), naming the limit; None for any other error or without the flag.
pub fn request_timeout_note(err: &anyhow::Error) -> Option<String> {
    let limit = REQUEST_TIMEOUT.get()?;
    let timed_out = err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
            || cause.to_string().contains("timed out")
    });
    timed_out.then(|| {
        format!(
            "the API server did not answer within --request-timeout {}s; raise it, or check the cluster and the network",
            limit.as_secs_f64()
        )
    })
}

/// `text` with the remembered kubeconfig flags after every `kubectl entra login|logout|whoami`.
pub fn with_hint_flags(text: &str) -> String {
    match HINT_FLAGS.get() {
        Some(flags) => add_flags(text, flags),
        None => text.to_string(),
    }
}

fn add_flags(text: &str, flags: &str) -> String {
    const PREFIX: &str = "kubectl entra ";
    let mut out = String::with_capacity(text.len() + flags.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        let after = &rest[at + PREFIX.len()..];
        let command = SELF_COMMANDS.iter().find(|c| {
            after.starts_with(*c)
                && !after[c.len()..].starts_with(|ch: char| ch.is_alphanumeric() || ch == '-')
        });
        match command {
            Some(c) => {
                let end = at + PREFIX.len() + c.len();
                out.push_str(&rest[..end]);
                out.push_str(flags);
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[..at + PREFIX.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A word as a POSIX shell reads it back: as is when plain, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_hints_carry_the_kubeconfig_flags() {
        let flags = " --context 'aks dev'";
        assert_eq!(
            add_flags(
                "run `kubectl entra logout` and retry; (kubectl entra login)",
                flags
            ),
            "run `kubectl entra logout --context 'aks dev'` and retry; (kubectl entra login --context 'aks dev')"
        );
        // Other commands (an admin's bind) and longer names stay as they are.
        let text = "an admin runs: kubectl entra bind --group g; kubectl entra logouts";
        assert_eq!(add_flags(text, flags), text);
        assert_eq!(shell_word("aks-dev"), "aks-dev");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn table_aligns_columns_like_kubectl() {
        let mut t = Table::new(&["name", "role"]);
        t.row(["dev-user-access", "Role/dev-user-full-access"]);
        t.row(["x", "ClusterRole/view"]);
        let text = t.render(true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME              ROLE");
        assert_eq!(lines[1], "dev-user-access   Role/dev-user-full-access");
        assert_eq!(lines[2], "x                 ClusterRole/view");
        assert!(!t.render(false).contains("NAME"));
    }

    #[test]
    fn cells_are_made_printable_unless_styled() {
        let mut t = Table::exact(&["a", "b"]);
        t.row(["x\u{1b}[2J", "y\tz"]);
        let text = t.render(true);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.starts_with("a"), "{text:?}");
        let mut t = Table::exact(&["a", "b"]).min_width(0).styled();
        t.row(["\u{1b}[32m✔\u{1b}[0m", "y"]);
        t.row(["no", "y"]);
        assert_eq!(t.render(false), "\u{1b}[32m✔\u{1b}[0m    y\nno   y\n");
    }

    #[test]
    fn yaml_keeps_strings_that_look_like_other_things_strings() {
        let value = serde_json::json!({
            "a": "1", "b": "true", "c": "yes", "d": "null", "e": "0x10", "f": "",
            "g": "a: b", "h": "- x", "i": "~", "j": "01", "k": "1e3", "l": "on",
            "n": 1, "t": true, "z": null, "list": ["x", 2]
        });
        let text = yaml(&value).unwrap();
        let back: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back, value, "{text}");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let err = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("cannot write to stdout");
        assert!(is_closed_stdout(&err));
        assert!(!is_closed_stdout(&anyhow::anyhow!("other")));
    }

    #[test]
    fn error_chain_joins_causes() {
        let err = anyhow::anyhow!("root cause").context("while signing in");
        assert_eq!(error_chain(&err), "while signing in: root cause");
    }
}
