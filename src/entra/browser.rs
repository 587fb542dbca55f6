//! Opening the sign-in page: the command `BROWSER` names (the xdg-open and Python webbrowser
//! convention: run it with the URL as its only argument), else the system's opener.
//!
// Hand-written rather than with an opener crate: `BROWSER` must come first (tests rely on it),
// and the child must never write to our stdout, which carries the ExecCredential.

use std::process::Stdio;

/// Starts the browser on `url` without waiting for it; says which command ran.
pub fn open(url: &str) -> anyhow::Result<String> {
    let from_env = std::env::var("BROWSER")
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let (program, args, quiet) = match &from_env {
        Some(command) => (command.clone(), vec![url.to_string()], false),
        None => {
            let (program, args) = system_opener(url)?;
            (program.to_string(), args, true)
        }
    };
    let mut command = tokio::process::Command::new(&program);
    command
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if quiet {
            Stdio::null()
        } else {
            Stdio::inherit()
        });
    let mut child = command.spawn().map_err(|e| {
        let origin = if from_env.is_some() {
            " (from BROWSER)"
        } else {
            ""
        };
        anyhow::anyhow!(
            "cannot start the browser {}{origin}: {e}",
            crate::sink::printable(&program)
        )
    })?;
    // Reaped in the background; a browser that stays open is fine.
    tokio::spawn(async move {
        if let Ok(status) = child.wait().await
            && !status.success()
        {
            tracing::debug!("the browser command exited with {status}");
        }
    });
    Ok(program)
}

#[cfg(target_os = "macos")]
fn system_opener(url: &str) -> anyhow::Result<(&'static str, Vec<String>)> {
    Ok(("open", vec![url.to_string()]))
}

#[cfg(windows)]
fn system_opener(url: &str) -> anyhow::Result<(&'static str, Vec<String>)> {
    // ShellExecute through rundll32: no cmd.exe parsing of the URL's `&`.
    Ok((
        "rundll32",
        vec!["url.dll,FileProtocolHandler".to_string(), url.to_string()],
    ))
}

#[cfg(all(unix, not(target_os = "macos")))]
fn system_opener(url: &str) -> anyhow::Result<(&'static str, Vec<String>)> {
    let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
    if !graphical {
        anyhow::bail!(
            "no browser is available here (BROWSER is not set and there is no graphical session: DISPLAY and WAYLAND_DISPLAY are unset)"
        );
    }
    Ok(("xdg-open", vec![url.to_string()]))
}
