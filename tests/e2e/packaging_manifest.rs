//! The Krew manifest as Krew reads it: YAML converted to JSON, then decoded into typed fields
//! (Krew's `index.Plugin`, mirrored below), then krew-index's checks (Krew's
//! `validation.ValidatePlugin` and `validate-krew-manifest`) plus what this package promises:
//! both binaries and LICENSE on every platform, version and URIs matching Cargo.toml.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Krew's `index.Plugin`. Krew itself ignores unknown fields (it must accept newer manifests);
/// these mirrors deny them, so a misspelt key fails here instead of being silently dropped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Plugin {
    api_version: String,
    kind: String,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Spec {
    version: String,
    homepage: String,
    short_description: String,
    description: String,
    caveats: String,
    platforms: Vec<Platform>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Platform {
    selector: Selector,
    uri: String,
    /// A string in Krew's Go struct: a JSON number fails to decode there, as it does here.
    sha256: String,
    bin: String,
    files: Vec<FileOperation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Selector {
    match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOperation {
    from: String,
    to: String,
}

fn manifest_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin-manifest/entra.yaml");
    std::fs::read_to_string(path).expect("plugin-manifest/entra.yaml exists")
}

/// YAML -> JSON -> typed, the way Krew decodes (sigs.k8s.io/yaml, then encoding/json).
fn decode(text: &str) -> Result<Plugin, String> {
    let json: serde_json::Value =
        serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    serde_json::from_value(json).map_err(|e| format!("not a Krew Plugin: {e}"))
}

fn manifest() -> Plugin {
    decode(&manifest_text()).unwrap_or_else(|e| panic!("plugin-manifest/entra.yaml: {e}"))
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Krew's `^[\w-]+$` (Go's \w is ASCII) and not a Windows device name.
fn is_safe_plugin_name(name: &str) -> bool {
    const WINDOWS_FORBIDDEN: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !WINDOWS_FORBIDDEN
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
        && !((name.len() == 4)
            && (name[..3].eq_ignore_ascii_case("COM") || name[..3].eq_ignore_ascii_case("LPT"))
            && name.as_bytes()[3].is_ascii_digit())
}

/// Every (os, arch) Krew's validator knows; a selector must match one, and only one platform
/// may match each.
const KREW_PLATFORMS: [(&str, &str); 11] = [
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
];

fn selects(labels: &BTreeMap<String, String>, (os, arch): (&str, &str)) -> bool {
    labels.iter().all(|(k, v)| match k.as_str() {
        "os" => v == os,
        "arch" => v == arch,
        _ => false,
    })
}

#[test]
fn manifest_decodes_as_krew_does_and_passes_krew_index_validation() {
    let m = manifest();
    assert_eq!(
        m.api_version,
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(m.kind, "Plugin");
    // krew-index names the file after the plugin: plugins/entra.yaml.
    assert_eq!(m.metadata.name, "entra");
    assert!(is_safe_plugin_name(&m.metadata.name));
    assert_eq!(
        m.spec.version,
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "spec.version must be v + Cargo.toml's version (scripts/release.sh syncs it)"
    );
    assert!(m.spec.homepage.starts_with("https://"));
    let short = &m.spec.short_description;
    assert!(!short.trim().is_empty() && !short.contains(['\r', '\n']));
    // `kubectl krew search` cuts the short description at 50 characters.
    assert!(short.chars().count() <= 50, "too long: {short:?}");
    assert!(!m.spec.description.trim().is_empty());
    assert!(m.spec.caveats.contains("kubectl_complete-entra"));
    assert!(m.spec.caveats.contains("completion bash"));
    assert!(!m.spec.platforms.is_empty());

    for p in &m.spec.platforms {
        let labels = &p.selector.match_labels;
        assert!(!labels.is_empty(), "empty selector: {p:?}");
        assert!(
            labels.keys().all(|k| k == "os" || k == "arch"),
            "Krew supports only os and arch: {labels:?}"
        );
        assert!(
            KREW_PLATFORMS.iter().any(|&env| selects(labels, env)),
            "selector matches no platform Krew knows: {labels:?}"
        );
        assert!(
            is_sha256(&p.sha256),
            "sha256 of {labels:?} must be 64 lowercase hex: {:?}",
            p.sha256
        );
        assert!(!p.uri.is_empty() && !p.bin.is_empty());
        assert!(!p.files.is_empty());
        assert!(
            p.files
                .iter()
                .all(|f| !f.from.is_empty() && !f.to.is_empty()),
            "{labels:?}: every file operation has from and to"
        );
    }
    for env in KREW_PLATFORMS {
        let matching = m
            .spec
            .platforms
            .iter()
            .filter(|p| selects(&p.selector.match_labels, env))
            .count();
        assert!(matching <= 1, "{matching} platforms select {env:?}");
    }
}

#[test]
fn every_platform_installs_both_binaries_and_the_license_from_this_release() {
    let m = manifest();
    let version = env!("CARGO_PKG_VERSION");
    let mut seen = HashSet::new();
    for p in &m.spec.platforms {
        let os = p.selector.match_labels["os"].as_str();
        let arch = p.selector.match_labels["arch"].as_str();
        assert!(seen.insert((os.to_owned(), arch.to_owned())));
        let (ext, exe) = if os == "windows" {
            ("zip", ".exe")
        } else {
            ("tar.gz", "")
        };
        assert_eq!(
            p.uri,
            format!(
                "https://github.com/kubectl-entra/kubectl-entra/releases/download/v{version}/kubectl-entra_{version}_{os}_{arch}.{ext}"
            )
        );
        assert_eq!(p.bin, format!("kubectl-entra{exe}"), "bin of {os}/{arch}");
        let from: Vec<&str> = p.files.iter().map(|f| f.from.as_str()).collect();
        let plugin = format!("kubectl-entra{exe}");
        let sandbox = format!("kubectl-entra-sandbox{exe}");
        assert_eq!(
            from,
            [plugin.as_str(), sandbox.as_str(), "LICENSE"],
            "{os}/{arch}"
        );
        // Side by side: `kubectl-entra sandbox` runs the sandbox from its own directory.
        assert!(p.files.iter().all(|f| f.to == "."));
    }
    let expected: HashSet<(String, String)> = [
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    ]
    .into_iter()
    .map(|(o, a)| (o.to_owned(), a.to_owned()))
    .collect();
    assert_eq!(seen, expected);
}

/// sha256 lines whose value is not a double-quoted string. serde_yaml follows YAML 1.2, where
/// an unquoted 000...0 stays a string; Krew's go-yaml follows YAML 1.1 and reads it as the
/// octal number 0 (and a sum of digits around one `e` as a float), which its typed decode then
/// rejects. Quoting every sum is the rule that holds under both.
fn unquoted_sha256_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("sha256:"))
        .filter(|l| !l.trim_start().starts_with("sha256: \""))
        .collect()
}

#[test]
fn every_sha256_is_quoted() {
    let text = manifest_text();
    let unquoted = unquoted_sha256_lines(&text);
    assert!(unquoted.is_empty(), "quote these sha256: {unquoted:?}");
}

/// The checks themselves: an unquoted placeholder, a number where Krew wants a string and a
/// misspelt key must each be caught.
#[test]
fn the_krew_checks_reject_what_krew_rejects() {
    let text = manifest_text();
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("sha256:"))
        .expect("a sha256 line");
    let indent = &first[..first.len() - first.trim_start().len()];
    let unquoted_zeros = text.replacen(first, &format!("{indent}sha256: {}", "0".repeat(64)), 1);
    assert_eq!(unquoted_sha256_lines(&unquoted_zeros).len(), 1);
    let as_number = text.replacen(first, &format!("{indent}sha256: 12345"), 1);
    let e = decode(&as_number).expect_err("a number is not Krew's sha256 string");
    assert!(e.contains("string"), "{e}");
    let misspelt = text.replacen("shortDescription:", "shortDesciption:", 1);
    assert!(decode(&misspelt).is_err());
    assert!(decode(&text).is_ok());
}

#[test]
fn license_is_mit() {
    let license = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE"))
        .expect("LICENSE exists");
    assert!(license.starts_with("MIT License"));
    assert!(license.contains("The kubectl-entra authors"));
}
