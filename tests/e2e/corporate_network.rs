//! Corporate networks: an authority whose certificate comes from a CA of its own (as behind a
//! TLS-inspecting proxy), trusted or not, and an HTTPS proxy that only does CONNECT.
//! The sandbox runs with `--tls`: its emulator serves https with its own CA.

use crate::support::connect_proxy::ConnectProxy;
use crate::support::get_token as get_token_support;
use get_token_support::*;

/// A client that sees no CA setting and no proxy from the machine running the tests.
fn clean(sandbox: &Sandbox) -> Client {
    let mut client = Client::new(sandbox);
    for name in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "KUBECTL_ENTRA_CA_FILE",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        client = client.env_remove(name);
    }
    client
}

fn ca_file(sandbox: &Sandbox) -> String {
    let ca = sandbox.s("authority_ca_file");
    assert!(!ca.is_empty(), "the port file names the emulator's CA");
    ca
}

#[test]
fn an_untrusted_authority_certificate_is_one_line_that_says_who_issued_it_and_what_to_do() {
    let sandbox = Sandbox::start(&["--tls"]);
    assert!(sandbox.base().starts_with("https://"), "{}", sandbox.base());
    let out = clean(&sandbox).run("get-token", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    let line = lines[0];
    for needle in [
        "is not trusted",
        "issued by \"CN=kubectl-entra sandbox CA\"",
        "--authority-ca-file",
        "KUBECTL_ENTRA_CA_FILE",
        "SSL_CERT_FILE",
        "system trust store",
    ] {
        assert!(line.contains(needle), "{needle:?} missing: {line}");
    }
    assert!(!line.contains("error sending request"), "{line}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_ca_flag_makes_the_authority_trusted() {
    let sandbox = Sandbox::start(&["--tls"]);
    let ca = ca_file(&sandbox);
    let client = clean(&sandbox);
    client.sign_in(DEV, &["--authority-ca-file", &ca]).token();
}

#[test]
fn the_ca_variable_makes_the_authority_trusted() {
    let sandbox = Sandbox::start(&["--tls"]);
    let ca = ca_file(&sandbox);
    let client = clean(&sandbox).env("KUBECTL_ENTRA_CA_FILE", &ca);
    client.sign_in(DEV, &[]).token();
}

#[test]
fn ssl_cert_file_makes_the_authority_trusted() {
    let sandbox = Sandbox::start(&["--tls"]);
    let ca = ca_file(&sandbox);
    let client = clean(&sandbox).env("SSL_CERT_FILE", &ca);
    client.sign_in(DEV, &[]).token();
}

/// The system store as rustls-native-certs reads it: SSL_CERT_DIR stands in for /etc/ssl/certs
/// (the same directory loader; changing the real store would need root and is not per test).
#[test]
fn a_trust_store_directory_makes_the_authority_trusted() {
    let sandbox = Sandbox::start(&["--tls"]);
    let ca = ca_file(&sandbox);
    let store = tempfile::tempdir().unwrap();
    std::fs::copy(&ca, store.path().join("corporate-ca.pem")).unwrap();
    let client = clean(&sandbox).env("SSL_CERT_DIR", &store.path().to_string_lossy());
    client.sign_in(DEV, &[]).token();
}

#[test]
fn a_broken_ca_file_is_a_clear_error() {
    let sandbox = Sandbox::start(&["--tls"]);
    let client = clean(&sandbox);
    let bad = client.home.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate\n").unwrap();
    let out = client.run(
        "get-token",
        &["--authority-ca-file", &bad.to_string_lossy()],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--authority-ca-file") && stderr.contains("no certificate"),
        "{stderr}"
    );
}

/// Entra through an HTTPS proxy: every connection is a CONNECT tunnel to the authority, and
/// NO_PROXY takes the authority out again. reqwest does not bypass loopback on its own, so the
/// loopback sandbox is a real proxied target.
#[test]
fn sign_in_goes_through_an_https_proxy_with_connect_and_no_proxy_bypasses_it() {
    let sandbox = Sandbox::start(&["--tls"]);
    let ca = ca_file(&sandbox);
    let authority = sandbox.base();
    let host_port = authority.trim_start_matches("https://").to_string();
    let proxy = ConnectProxy::start();
    let client = clean(&sandbox)
        .env("HTTPS_PROXY", &proxy.url)
        .env("KUBECTL_ENTRA_CA_FILE", &ca);
    client.sign_in(DEV, &[]).token();
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "no tunnel: the proxy was not used");
    assert!(tunnels.iter().all(|t| *t == host_port), "{tunnels:?}");
    assert_eq!(proxy.refused(), 0);

    // Lowercase works too, and NO_PROXY wins over it.
    let proxy = ConnectProxy::start();
    let client = clean(&sandbox)
        .env("https_proxy", &proxy.url)
        .env("NO_PROXY", "127.0.0.1")
        .env("KUBECTL_ENTRA_CA_FILE", &ca);
    client.sign_in(DEV, &[]).token();
    assert!(proxy.tunnels().is_empty(), "{:?}", proxy.tunnels());
}

/// The Kubernetes client follows the cluster's `proxy-url`, as kubectl does: the API server is
/// reached through a CONNECT tunnel.
#[test]
fn the_kubernetes_client_follows_the_kubeconfig_proxy_url() {
    use crate::support::can_i;
    let sandbox = can_i::Sandbox::start(DEV, &[]);
    let proxy = ConnectProxy::start();
    let text = std::fs::read_to_string(sandbox.admin_kubeconfig()).unwrap();
    let mut config: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    config["clusters"][0]["cluster"]["proxy-url"] = serde_yaml::Value::from(proxy.url.clone());
    let kubeconfig = sandbox.dir.path().join("proxied.kubeconfig");
    std::fs::write(&kubeconfig, serde_yaml::to_string(&config).unwrap()).unwrap();
    let api = sandbox.s("api_server");
    let home = sandbox.dir.path().join("proxy-home");
    let out = std::process::Command::new(crate::support::plugin_bin())
        .args(["can-i", "get", "pods", "-n", "default"])
        .env("KUBECONFIG", &kubeconfig)
        .env("HOME", &home)
        .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
        .env("KUBECACHEDIR", home.join("cache"))
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "the API server was reached directly");
    assert!(
        tunnels.iter().all(|t| api.ends_with(t.as_str())),
        "{api} {tunnels:?}"
    );
}
