//! All rendering in one place: JSON/YAML documents and kubectl-style tables on stdout,
//! error chains for stderr.

use serde::Serialize;
use std::io::Write;

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints a value as a YAML document on stdout.
pub fn print_yaml<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let text = serde_yaml::to_string(value)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// A kubectl-style table: upper-case headers, columns padded with three spaces, no borders.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_uppercase()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders to a string; `headers` false is kubectl's `--no-headers`.
    pub fn render(&self, headers: bool) -> String {
        let mut tw = tabwriter::TabWriter::new(Vec::new()).padding(3);
        let mut write_line = |cells: &[String]| {
            // Tabs and newlines inside a cell would break the columns.
            let line: Vec<String> = cells.iter().map(|c| c.replace(['\t', '\n'], " ")).collect();
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
        std::io::stdout()
            .lock()
            .write_all(self.render(headers).as_bytes())?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn error_chain_joins_causes() {
        let err = anyhow::anyhow!("root cause").context("while signing in");
        assert_eq!(error_chain(&err), "while signing in: root cause");
    }
}
