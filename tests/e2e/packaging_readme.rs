//! The README as a newcomer reads it: it opens with the two commands (install and run the
//! sandbox walkthrough; run the tests), CI runs that same test command, and every
//! `kubectl entra ...` command line it shows, and its hand-written kubeconfig user, parse with
//! the real command line definition (so no documented command or flag is missing or misspelled).

use clap::Parser as _;
use kubectl_entra::cli::Cli;
use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// Parses `kubectl-entra WORDS...`; help and version requests count as parsed.
fn parses(words: &[String]) -> Result<(), String> {
    let argv = std::iter::once("kubectl-entra".to_string()).chain(words.iter().cloned());
    match Cli::try_parse_from(argv) {
        Ok(_) => Ok(()),
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => Ok(()),
            _ => Err(e.to_string()),
        },
    }
}

/// The words of every `kubectl entra ...` invocation: in ```sh blocks (up to a comment,
/// redirection, pipe, `&&` or closing parenthesis) and in inline code spans.
fn documented_invocations(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut take = |fragment: &str| {
        for (i, _) in fragment.match_indices("kubectl entra ") {
            let rest = &fragment[i + "kubectl entra ".len()..];
            let end = [" #", " >", " |", "&&", ")", "`"]
                .iter()
                .filter_map(|stop| rest.find(stop))
                .min()
                .unwrap_or(rest.len());
            // `bash|zsh|fish` in prose lists alternatives: try the first.
            let words: Vec<String> = rest[..end]
                .split_whitespace()
                .map(|w| w.split('|').next().unwrap_or(w).to_string())
                .collect();
            // `kubectl entra <TAB>` and "kubectl entra ..." name the plugin, not a command.
            if words
                .first()
                .is_some_and(|w| !w.starts_with('<') && w != "...")
            {
                found.push(words);
            }
        }
    };
    let mut in_sh = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if in_sh {
            take(line);
        } else {
            for (n, span) in line.split('`').enumerate() {
                if n % 2 == 1 && span.starts_with("kubectl entra ") {
                    take(&format!("{span}`"));
                }
            }
        }
    }
    found
}

#[test]
fn readme_opens_with_title_sentence_and_the_two_commands_and_ci_runs_its_test_command() {
    let text = readme();
    let lines: Vec<&str> = text.lines().take(8).collect();
    assert_eq!(lines[0], "# kubectl-entra", "{lines:?}");
    assert_eq!(lines[1], "", "{lines:?}");
    assert!(
        lines[2].starts_with("kubectl-entra ") && lines[2].ends_with('.'),
        "one sentence: {lines:?}"
    );
    assert_eq!(lines[3], "", "{lines:?}");
    assert_eq!(lines[4], "```sh", "{lines:?}");
    assert!(
        lines[5].starts_with(
            "cargo install --locked --path . && cargo install --locked --path crates/sandbox && kubectl entra sandbox "
        ),
        "{lines:?}"
    );
    let test_command = lines[6].split('#').next().unwrap_or_default().trim();
    assert_eq!(test_command, "cargo test --workspace --locked", "{lines:?}");
    assert_eq!(lines[7], "```", "{lines:?}");
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == test_command),
        ".ci/run runs the README's test command"
    );
}

#[test]
fn every_documented_command_line_parses() {
    let invocations = documented_invocations(&readme());
    assert!(invocations.len() > 15, "found {invocations:?}");
    for subcommand in [
        "login",
        "logout",
        "convert-kubeconfig",
        "completion",
        "sandbox",
        "bind",
        "whoami",
        "can-i",
    ] {
        assert!(
            readme().contains(&format!("kubectl entra {subcommand}")),
            "the README shows `kubectl entra {subcommand}`"
        );
    }
    let failures: Vec<String> = invocations
        .iter()
        .filter_map(|words| {
            parses(words)
                .err()
                .map(|e| format!("kubectl entra {}: {e}", words.join(" ")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The finder itself: a wrong flag must be caught.
    assert!(parses(&["logout".into(), "--everything".into()]).is_err());
}

#[test]
fn the_hand_written_kubeconfig_user_runs_get_token_with_valid_flags() {
    let text = readme();
    let block = text
        .split("```yaml")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("get-token"))
        .expect("a yaml block with the exec entry");
    let doc: serde_yaml::Value = serde_yaml::from_str(block).unwrap();
    let exec = &doc["users"][0]["user"]["exec"];
    assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(exec["command"], "kubectl-entra");
    assert_eq!(exec["interactiveMode"], "IfAvailable");
    let args: Vec<String> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(args[0], "get-token");
    parses(&args).unwrap();
}
