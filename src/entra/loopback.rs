//! The one-shot listener on 127.0.0.1 that the browser is redirected to after the sign-in.
//! It answers every request with a small page of ours, and finishes with the first redirect
//! that carries our `state` on the right path: a code, or Entra's error. Anything else (another
//! path, a wrong or missing `state`, a missing `code`, a request after the answer) gets an error
//! page and does not end the wait, which is bounded.
//!
// Hand-written rather than with an HTTP server crate: each connection is one GET whose request
// line is all we read (capped at 8 KiB), and the plugin has no server dependency to reuse.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// The most we read of one request.
const REQUEST_LIMIT: usize = 8 * 1024;
/// How long one connection may take to send its request (browsers open idle preconnects;
/// those are served concurrently and dropped after this).
const REQUEST_WAIT: Duration = Duration::from_secs(10);

/// What the redirect said.
#[derive(PartialEq, Eq)]
pub enum Redirect {
    Code(String),
    Refused {
        error: String,
        description: Option<String>,
    },
}

impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Redirect::Code(_) => f.write_str("Code(<redacted>)"),
            Redirect::Refused { error, .. } => write!(f, "Refused({error})"),
        }
    }
}

pub struct Loopback {
    listener: TcpListener,
    redirect_uri: String,
    path: String,
}

impl Loopback {
    /// Listens on 127.0.0.1: on the pinned URL's port, else on a free one, which the redirect
    /// URI names as `http://localhost:<port>/` (Entra's loopback rule ignores the port).
    pub async fn bind(pinned: Option<&Url>) -> anyhow::Result<Loopback> {
        let port = pinned.and_then(Url::port_or_known_default).unwrap_or(0);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot listen on 127.0.0.1:{port} for the browser's redirect ({e}); choose another port with --redirect-url, or leave it out for a free one"
                )
            })?;
        let port = listener.local_addr()?.port();
        let (redirect_uri, path) = match pinned {
            Some(url) => (url.to_string(), url.path().to_string()),
            None => (format!("http://localhost:{port}/"), "/".to_string()),
        };
        Ok(Loopback {
            listener,
            redirect_uri,
            path,
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves requests until a redirect with `state` arrives, or `limit` passes. The listener
    /// closes when this returns.
    pub async fn wait(self, state: &str, limit: Duration) -> anyhow::Result<Redirect> {
        let expected = Arc::new(Expected {
            path: self.path.clone(),
            state: state.to_string(),
            done: AtomicBool::new(false),
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Redirect>(1);
        let mut connections = tokio::task::JoinSet::new();
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => anyhow::bail!(
                    "no browser sign-in arrived at {} within {} (--browser-timeout); open the printed page in a browser on this machine, or run the command again",
                    self.redirect_uri,
                    duration_text(limit)
                ),
                Some(redirect) = rx.recv() => return Ok(redirect),
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let expected = expected.clone();
                    let tx = tx.clone();
                    connections.spawn(async move {
                        let served = tokio::time::timeout(REQUEST_WAIT, serve(stream, &expected)).await;
                        if let Ok(Some(redirect)) = served {
                            let _ = tx.send(redirect).await;
                        }
                    });
                }
            }
        }
    }
}

/// `5m`, `90s`, `1m30s`: as the flag takes it.
pub fn duration_text(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 60, secs % 60) {
        (0, _) if d.subsec_millis() != 0 || secs == 0 => format!("{}ms", d.as_millis()),
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

struct Expected {
    path: String,
    state: String,
    /// Set by the first redirect that ends the sign-in; later ones get an error page.
    done: AtomicBool,
}

/// Answers one connection; `Some` when it ended the sign-in.
async fn serve(mut stream: TcpStream, expected: &Expected) -> Option<Redirect> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() >= REQUEST_LIMIT {
            respond(&mut stream, 431, &page::error("The request is too large.")).await;
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let (status, body, outcome) = answer(&head, expected);
    respond(&mut stream, status, &body).await;
    outcome
}

/// The page for one request and whether it ends the sign-in.
fn answer(head: &[u8], expected: &Expected) -> (u16, String, Option<Redirect>) {
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" {
        return (
            405,
            page::error("Only the browser's redirect is served here."),
            None,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != expected.path {
        return (
            404,
            page::error("This is not the sign-in redirect kubectl-entra is waiting for."),
            None,
        );
    }
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        slot.get_or_insert(v.into_owned());
    }
    if state.as_deref() != Some(expected.state.as_str()) {
        return (
            400,
            page::error(
                "This answer does not belong to the sign-in kubectl-entra started (its state does not match), so it was ignored. Finish the sign-in in the tab kubectl-entra opened, or run the command again.",
            ),
            None,
        );
    }
    if code.is_none() && error.is_none() {
        return (
            400,
            page::error(
                "The answer carries neither an authorization code nor an error, so it was ignored. Run the command again to sign in.",
            ),
            None,
        );
    }
    if expected.done.swap(true, Ordering::SeqCst) {
        return (
            409,
            page::error("This sign-in has already finished; this request was ignored."),
            None,
        );
    }
    match (code, error) {
        (_, Some(error)) => {
            let body = page::refused(&error, description.as_deref());
            (200, body, Some(Redirect::Refused { error, description }))
        }
        (Some(code), None) => (200, page::signed_in(), Some(Redirect::Code(code))),
        (None, None) => unreachable!("checked above"),
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\ncontent-security-policy: default-src 'none'; style-src 'unsafe-inline'\r\nreferrer-policy: no-referrer\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The pages the browser sees. Everything from the redirect is escaped.
mod page {
    /// Hand-written: five replacements do not justify a templating dependency.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out
    }

    fn page(title: &str, body: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>kubectl-entra: {title}</title>\n\
<style>body{{font-family:sans-serif;max-width:36em;margin:3em auto}}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n"
        )
    }

    pub fn signed_in() -> String {
        page(
            "Signed in",
            "<p id=\"result\">The sign-in finished. You can close this tab and return to the terminal.</p>",
        )
    }

    pub fn refused(error: &str, description: Option<&str>) -> String {
        let next = if error == "access_denied" {
            "The sign-in was declined or cancelled. Run the command again to sign in."
        } else {
            "Check --tenant-id, --client-id and --server-id, then run the command again. The terminal shows the same error."
        };
        page(
            "Sign-in failed",
            &format!(
                "<p id=\"result\">Entra answered <code>{}</code>: {}</p>\n<p>{next}</p>",
                escape(error),
                escape(description.unwrap_or("(no description)"))
            ),
        )
    }

    pub fn error(message: &str) -> String {
        page(
            "Sign-in not completed",
            &format!("<p id=\"result\">{}</p>", escape(message)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(uri: &str, target: &str) -> (u16, String) {
        let url = Url::parse(uri).unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", url.port().unwrap()))
            .await
            .unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nhost: localhost\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let status = out[9..12].parse().unwrap();
        (status, out)
    }

    #[tokio::test]
    async fn wrong_requests_get_error_pages_and_the_right_one_ends_the_wait() {
        let lb = Loopback::bind(None).await.unwrap();
        let uri = lb.redirect_uri().to_string();
        assert!(
            uri.starts_with("http://localhost:") && uri.ends_with('/'),
            "{uri}"
        );
        let wait = tokio::spawn(lb.wait("S1", Duration::from_secs(30)));
        let (status, body) = get(&uri, "/favicon.ico").await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = get(&uri, "/?code=C&state=evil").await;
        assert_eq!(status, 400);
        assert!(body.contains("state does not match"), "{body}");
        let (status, _) = get(&uri, "/?state=S1").await;
        assert_eq!(status, 400);
        assert!(!wait.is_finished());
        let (status, body) = get(&uri, "/?code=THE-CODE&state=S1&session_state=x").await;
        assert_eq!(status, 200);
        assert!(
            body.contains("close this tab") && !body.contains("THE-CODE"),
            "{body}"
        );
        let got = wait.await.unwrap().unwrap();
        assert_eq!(got, Redirect::Code("THE-CODE".into()));
        assert_eq!(format!("{got:?}"), "Code(<redacted>)");
    }

    #[tokio::test]
    async fn entra_errors_are_shown_escaped_and_returned() {
        let pinned = Url::parse("http://127.0.0.1:0/cb").unwrap();
        let lb = Loopback::bind(Some(&pinned)).await.unwrap();
        let port = lb.listener.local_addr().unwrap().port();
        let uri = format!("http://127.0.0.1:{port}/cb");
        let wait = tokio::spawn(lb.wait("S2", Duration::from_secs(30)));
        let (status, _) = get(&uri, "/?error=access_denied&state=S2").await;
        assert_eq!(status, 404, "only the pinned path");
        let (status, body) = get(
            &uri,
            "/cb?error=access_denied&error_description=AADSTS65004%3A+%3Cscript%3E&state=S2",
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            body.contains("AADSTS65004: &lt;script&gt;") && body.contains("declined"),
            "{body}"
        );
        match wait.await.unwrap().unwrap() {
            Redirect::Refused { error, description } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("AADSTS65004: <script>"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_second_answer_is_refused() {
        let lb = Loopback::bind(None).await.unwrap();
        let expected = Expected {
            path: "/".into(),
            state: "S".into(),
            done: AtomicBool::new(false),
        };
        drop(lb);
        let head = b"GET /?code=A&state=S HTTP/1.1\r\n\r\n";
        assert!(answer(head, &expected).2.is_some());
        let (status, body, outcome) = answer(head, &expected);
        assert_eq!(status, 409, "{body}");
        assert!(outcome.is_none());
        let (status, _, _) = answer(b"POST / HTTP/1.1\r\n\r\n", &expected);
        assert_eq!(status, 405);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_is_bounded() {
        let lb = Loopback::bind(None).await.unwrap();
        let err = lb
            .wait("S", Duration::from_secs(300))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("within 5m") && err.contains("--browser-timeout"),
            "{err}"
        );
    }
}
