//! `kubectl entra can-i` beside the real `kubectl auth can-i`, same user, same questions, on the
//! sandbox with the AKS article's bindings: stdout byte for byte, the exit code, and kubectl's
//! warnings word for word. The few deliberate differences are asserted as such.

use crate::support::can_i as can_i_support;

use can_i_support::{Sandbox, text};
use std::process::Output;

/// kubectl prints a blank line after each warning; compare the words, not the blank lines.
/// Our extra `note:` lines (what we did differently) are not kubectl's warnings.
fn warnings(out: &Output) -> Vec<String> {
    text(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note: "))
        .map(str::to_string)
        .collect()
}

fn both(sb: &Sandbox, args: &[&str]) -> (Output, Output) {
    let mut k = vec!["auth", "can-i"];
    k.extend_from_slice(args);
    let mut e = vec!["can-i"];
    e.extend_from_slice(args);
    (sb.kubectl(&k), sb.entra(&e))
}

#[test]
fn answers_exit_codes_and_warnings_match_kubectl() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    // sign in first, so the device-code prompt is not among the warnings compared
    assert!(sb.kubectl(&["auth", "whoami"]).status.success());
    let cases: &[&[&str]] = &[
        &["create", "pods", "-n", "dev"],
        &["create", "pods", "-n", "sre"],
        &["create", "pods", "-n", "dev", "-q"],
        &["create", "pods", "-n", "sre", "--quiet"],
        &["create", "pods"],
        &["get", "/logs"],
        &["get", "/logs/kubelet.log"],
        &["get", "/healthz"],
        &["post", "/healthz"],
        &["frob", "/healthz"],
        &["get", "pods/nginx-dev", "-n", "dev"],
        &["delete", "pods/nginx-sre", "-n", "sre"],
        &["get", "po", "-n", "dev"],
        &["get", "PODS", "-n", "dev"],
        &["get", "deploy", "-n", "dev"],
        &["get", "deployments.apps", "-n", "dev"],
        &["list", "deployments.v1.apps", "-n", "dev"],
        &[
            "create",
            "deployments.apps/web",
            "--subresource=scale",
            "-n",
            "dev",
        ],
        &[
            "update",
            "deployments/web",
            "--subresource",
            "status",
            "-n",
            "sre",
        ],
        &["get", "pods", "--subresource=log", "-n", "dev"],
        &["get", "pods/nginx", "--subresource=log", "-n", "sre"],
        &["list", "secrets", "-n", "dev"],
        &["create", "jobs.batch", "-n", "dev"],
        &["list", "namespaces"],
        &["get", "namespaces/dev"],
        &["list", "namespaces", "-A"],
        &["get", "clusterroles", "-n", "sre"],
        &["get", "pods", "-A"],
        &["get", "pods", "--all-namespaces"],
        &["get", "widgets", "-n", "dev"],
        &["get", "widgets", "-n", "sre", "-q"],
        &["frob", "pods", "-n", "dev"],
        &["get", "*", "-n", "dev"],
        &["*", "*"],
        &["impersonate", "users"],
        &["get", "/logs", "--subresource", "x"],
        &["get", "pods", "--no-headers"],
        &["--list", "-q"],
        &["--list", "--subresource", "log"],
        &["--list", "-n", "dev"],
        &["--list", "-n", "sre", "--no-headers"],
        &["--list"],
    ];
    for case in cases {
        let (k, e) = both(&sb, case);
        assert_eq!(text(&e.stdout), text(&k.stdout), "stdout of {case:?}");
        let (kw, ew) = (warnings(&k), warnings(&e));
        // kubectl's errors exit 1 like its "no"; ours exit 2, so a script can tell them apart.
        let kubectl_error = kw.first().is_some_and(|l| l.starts_with("error:"));
        let expected = if kubectl_error {
            Some(2)
        } else {
            k.status.code()
        };
        assert_eq!(e.status.code(), expected, "exit code of {case:?}");
        if kw.first().is_some_and(|l| l.starts_with("error:")) {
            // an error: kubectl's sentence first, ours may add what to do
            assert!(
                ew.first()
                    .zip(kw.first())
                    .is_some_and(|(e, k)| e.starts_with(k.trim_end_matches('.'))),
                "error of {case:?}: {ew:?} vs kubectl {kw:?}"
            );
        } else {
            assert_eq!(ew, kw, "warnings of {case:?}");
        }
    }
}

#[test]
fn deliberate_differences_from_kubectl() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    // sign in first, so the device-code prompt is not among the warnings compared
    assert!(sb.kubectl(&["auth", "whoami"]).status.success());

    // kubernetes#75970: kubectl sends the namespace for a cluster-scoped resource, so the
    // article's Role in dev (resources "*") gives a false yes. We ask cluster-wide.
    let (k, e) = both(&sb, &["list", "namespaces", "-n", "dev"]);
    assert_eq!(
        (text(&k.stdout).as_str(), k.status.code()),
        ("yes\n", Some(0))
    );
    assert_eq!(
        (text(&e.stdout).as_str(), e.status.code()),
        ("no\n", Some(1))
    );
    assert_eq!(warnings(&e), warnings(&k));
    assert_eq!(
        warnings(&e),
        ["Warning: resource 'namespaces' is not namespace scoped"]
    );
    assert!(text(&e.stderr).contains("false yes"), "{}", text(&e.stderr));
    let real = sb.kubectl(&["get", "namespaces"]);
    assert_eq!(
        real.status.code(),
        Some(1),
        "the cluster refuses: no is right"
    );

    // An unknown TYPE.GROUP is asked in that group (kubectl asks for the resource named
    // "widgets.acme.io" in the core group, which the Role's "*" matches).
    let (k, e) = both(&sb, &["get", "widgets.acme.io", "-n", "dev"]);
    assert_eq!(text(&k.stdout), "yes\n");
    assert_eq!(text(&e.stdout), "no\n");
    assert_eq!(warnings(&e), warnings(&k));
    assert_eq!(
        warnings(&e),
        ["Warning: the server doesn't have a resource type 'widgets' in group 'acme.io'"]
    );

    // Usage errors exit 2 (kubectl: 1), so a script never reads a typo as "no".
    let (k, e) = both(&sb, &["get"]);
    assert_eq!(k.status.code(), Some(1));
    assert_eq!(e.status.code(), Some(2));
    assert!(e.stdout.is_empty());

    // --list -A: kubectl's refusal, and where to look instead.
    let (k, e) = both(&sb, &["--list", "-A"]);
    assert_eq!((k.status.code(), e.status.code()), (Some(1), Some(2)));
    assert!(e.stdout.is_empty());
    let err = text(&e.stderr);
    assert!(err.starts_with(text(&k.stderr).trim_end()), "{err}");
    assert!(err.contains("--matrix -A"), "{err}");
}
