//! scripts/release.sh packages the already-built binary for the host target, the archive
//! installs (unpack, run --version), and the manifest gets its sha256 and version.

#![cfg(unix)]

use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// Krew's os/arch of the machine running the tests.
fn host_platform() -> Option<(&'static str, &'static str)> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        _ => return None,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some((os, arch))
}

#[test]
fn release_script_packages_the_host_archive_and_updates_the_manifest() {
    let Some((os, arch)) = host_platform() else {
        eprintln!("skipped: no Krew platform for this host");
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = env!("CARGO_PKG_VERSION");
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifest = tmp.path().join("entra.yaml");
    // Start from an outdated copy to see the script sync version and URIs as well.
    let original = std::fs::read_to_string(repo.join("plugin-manifest/entra.yaml")).unwrap();
    let outdated = original
        .replace(&format!("version: v{version}"), "version: v0.0.0")
        .replace(
            &format!("download/v{version}/kubectl-entra_{version}_"),
            "download/v0.0.0/kubectl-entra_0.0.0_",
        );
    assert_ne!(outdated, original);
    std::fs::write(&manifest, &outdated).unwrap();
    let dist = tmp.path().join("dist");

    let out = Command::new("bash")
        .arg(repo.join("scripts/release.sh"))
        .arg("--manifest")
        .arg(&manifest)
        .arg("--out-dir")
        .arg(&dist)
        .env("KUBECTL_ENTRA_BINARY", env!("CARGO_BIN_EXE_kubectl-entra"))
        .output()
        .expect("run scripts/release.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "release.sh failed: {stderr}");
    assert!(out.stdout.is_empty(), "release.sh prints on stderr only");
    let name = format!("kubectl-entra_{version}_{os}_{arch}.tar.gz");
    assert!(
        stderr.contains(&name),
        "stderr says what it wrote: {stderr}"
    );
    let archive = dist.join(&name);

    // The archive holds exactly the binary and LICENSE at its root, and the binary runs.
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let mut entries: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    entries.sort();
    assert_eq!(entries, ["LICENSE", "kubectl-entra"]);
    let unpacked = tmp.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(status.success());
    let run = Command::new(unpacked.join("kubectl-entra"))
        .arg("--version")
        .output()
        .expect("run the unpacked binary");
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains(version));

    // The manifest now names this version and carries the archive's sha256 for the host.
    let sum = format!("{:x}", Sha256::digest(std::fs::read(&archive).unwrap()));
    let m: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(
        m["spec"]["version"].as_str(),
        Some(format!("v{version}").as_str())
    );
    let platforms = m["spec"]["platforms"].as_sequence().unwrap();
    let host = platforms
        .iter()
        .find(|p| {
            p["selector"]["matchLabels"]["os"] == os && p["selector"]["matchLabels"]["arch"] == arch
        })
        .expect("the host platform is in the manifest");
    assert!(
        host["uri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v{version}/{name}"))
    );
    assert_eq!(host["sha256"].as_str(), Some(sum.as_str()));
    // The other platforms keep their sha256 (placeholders until their archives are built).
    let before: serde_yaml::Value = serde_yaml::from_str(&original).unwrap();
    for (after, before) in platforms
        .iter()
        .zip(before["spec"]["platforms"].as_sequence().unwrap())
        .filter(|(p, _)| !std::ptr::eq(*p, host))
    {
        assert_eq!(after["sha256"], before["sha256"]);
    }
}
