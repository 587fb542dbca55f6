//! The device-login page at `verification_uri`: a real HTML form (code, account, optional
//! password, Approve / Decline), so a person or a test can sign in the way a browser does.

use super::directory::client;
use super::form;
use crate::state::{ApproveError, Shared};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// Form field names (also used by `kubectl entra sandbox approve`).
pub const FIELD_CODE: &str = "otc";
pub const FIELD_USER: &str = "user";
pub const FIELD_PASSWORD: &str = "password";
pub const FIELD_ACTION: &str = "action";

/// Hand-written because four replacements do not justify a templating dependency.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The sandbox's page frame (the device-login and authorize sign-in pages look alike).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
<style>body{{font-family:sans-serif;max-width:36em;margin:3em auto}}label{{display:block;margin-top:1em}}\
button{{margin:1.5em 1em 0 0}}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(title)
    )
}

pub async fn show(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("devicelogin", "get");
    let code = query.get("code").or_else(|| query.get(FIELD_CODE));
    let mut options = String::new();
    for u in &state.tenant.users {
        options.push_str(&format!(
            "<option value=\"{}\">{} ({})</option>\n",
            escape(&u.upn),
            escape(&u.display_name),
            escape(&u.upn)
        ));
    }
    let body = format!(
        "<p>Enter the code displayed on your device to sign in to the kubectl-entra sandbox tenant \
<b>{domain}</b>. Sandbox accounts are not real; every password is <code>sandbox</code>.</p>\n\
<form method=\"post\" action=\"/devicelogin\">\n\
<label for=\"{FIELD_CODE}\">Code</label>\n\
<input type=\"text\" id=\"{FIELD_CODE}\" name=\"{FIELD_CODE}\" value=\"{code}\" maxlength=\"20\" autocomplete=\"off\" required>\n\
<label for=\"{FIELD_USER}\">Account</label>\n\
<select id=\"{FIELD_USER}\" name=\"{FIELD_USER}\">\n{options}</select>\n\
<label for=\"{FIELD_PASSWORD}\">Password (optional)</label>\n\
<input type=\"password\" id=\"{FIELD_PASSWORD}\" name=\"{FIELD_PASSWORD}\" value=\"\">\n\
<div>\n<button type=\"submit\" name=\"{FIELD_ACTION}\" value=\"approve\">Approve</button>\n\
<button type=\"submit\" name=\"{FIELD_ACTION}\" value=\"decline\">Decline</button>\n</div>\n</form>",
        domain = escape(&state.tenant.domain),
        code = escape(code.map(String::as_str).unwrap_or("")),
    );
    Html(page("Enter code", &body)).into_response()
}

pub async fn submit(State(state): State<Shared>, body: Bytes) -> Response {
    state.stats.incr("devicelogin", "post");
    let form = form::parse(&body);
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let code = get(FIELD_CODE);
    let upn = get(FIELD_USER);
    let password = form.get(FIELD_PASSWORD).map(String::as_str);
    let decline = get(FIELD_ACTION).eq_ignore_ascii_case("decline");
    match state.approve(code, upn, password, decline) {
        Ok(done) => {
            let app = client(&done.client_id).map(|c| c.name).unwrap_or("unknown");
            let message = if done.declined {
                format!(
                    "You have declined to sign in to the {app} application on your device as {}.",
                    done.upn
                )
            } else {
                format!(
                    "You have signed in to the {app} application on your device as {}. You may now close this window.",
                    done.upn
                )
            };
            let title = if done.declined {
                "Sign-in declined"
            } else {
                "Signed in"
            };
            result(StatusCode::OK, title, &message)
        }
        Err(e) => {
            let status = match e {
                ApproveError::WrongPassword => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            };
            result(status, "Sign-in failed", &e.to_string())
        }
    }
}

fn result(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<p id=\"result\">{}</p>\n<p><a href=\"/devicelogin\">Enter another code</a></p>",
        escape(message)
    );
    (status, Html(page(title, &body))).into_response()
}

/// The message of a result page (`<p id="result">…</p>`), unescaped; for the approve command.
pub fn result_message(html: &str) -> Option<String> {
    let start = html.find("<p id=\"result\">")? + "<p id=\"result\">".len();
    let end = html[start..].find("</p>")? + start;
    Some(
        html[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_extract_round_trip() {
        let html = format!("<p id=\"result\">{}</p>", escape("a <b> & \"c\" 'd'"));
        assert_eq!(result_message(&html).as_deref(), Some("a <b> & \"c\" 'd'"));
        assert!(result_message("<p>nothing</p>").is_none());
    }
}
