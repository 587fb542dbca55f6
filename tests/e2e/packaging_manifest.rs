//! The Krew manifest follows krew-index's rules and matches this package.

use serde_yaml::Value;
use std::collections::HashSet;
use std::path::Path;

fn manifest() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin-manifest/entra.yaml");
    let text = std::fs::read_to_string(&path).expect("plugin-manifest/entra.yaml exists");
    serde_yaml::from_str(&text).expect("the manifest is valid YAML")
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{key} must be a string in {v:?}"))
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn manifest_header_and_texts() {
    let m = manifest();
    assert_eq!(
        str_at(&m, "apiVersion"),
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(str_at(&m, "kind"), "Plugin");
    let name = str_at(&m["metadata"], "name");
    assert_eq!(name, "entra");
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-'),
        "name must match ^[\\w-]+$"
    );
    let spec = &m["spec"];
    assert_eq!(
        str_at(spec, "version"),
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "spec.version must be v + Cargo.toml's version (scripts/release.sh syncs it)"
    );
    assert!(str_at(spec, "homepage").starts_with("https://"));
    let short = str_at(spec, "shortDescription");
    assert!(
        short.chars().count() < 50,
        "shortDescription too long: {short:?}"
    );
    assert!(!short.contains('\n') && !short.trim().is_empty());
    assert!(!str_at(spec, "description").trim().is_empty());
    let caveats = str_at(spec, "caveats");
    assert!(
        caveats.contains("kubectl_complete-entra"),
        "caveats explain completion"
    );
    assert!(caveats.contains("completion bash"));
}

#[test]
fn manifest_platforms() {
    let m = manifest();
    let version = env!("CARGO_PKG_VERSION");
    let platforms = m["spec"]["platforms"]
        .as_sequence()
        .expect("spec.platforms is a list");
    let mut selectors = HashSet::new();
    for p in platforms {
        let labels = &p["selector"]["matchLabels"];
        let (os, arch) = (str_at(labels, "os"), str_at(labels, "arch"));
        assert!(
            selectors.insert((os.to_owned(), arch.to_owned())),
            "overlapping selector {os}/{arch}"
        );
        let ext = if os == "windows" { "zip" } else { "tar.gz" };
        let archive = format!("kubectl-entra_{version}_{os}_{arch}.{ext}");
        assert_eq!(
            str_at(p, "uri"),
            format!(
                "https://github.com/kubectl-entra/kubectl-entra/releases/download/v{version}/{archive}"
            )
        );
        let sha = str_at(p, "sha256");
        assert!(
            is_sha256(sha),
            "sha256 of {os}/{arch} is not 64 lowercase hex: {sha}"
        );
        // The archive holds kubectl-entra (.exe on windows) at its root: bin and files name it.
        let exe = if os == "windows" {
            "kubectl-entra.exe"
        } else {
            "kubectl-entra"
        };
        assert_eq!(str_at(p, "bin"), exe, "bin of {os}/{arch}");
        let files = p["files"].as_sequence().expect("files is a list");
        let from: Vec<&str> = files.iter().map(|f| str_at(f, "from")).collect();
        assert!(from.contains(&exe), "{os}/{arch} installs the binary");
        assert!(from.contains(&"LICENSE"), "{os}/{arch} installs LICENSE");
        assert!(files.iter().all(|f| str_at(f, "to") == "."));
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
    assert_eq!(selectors, expected);
}

#[test]
fn license_is_mit() {
    let license = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE"))
        .expect("LICENSE exists");
    assert!(license.starts_with("MIT License"));
    assert!(license.contains("The kubectl-entra authors"));
}
