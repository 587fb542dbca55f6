//! A release as users install it: scripts/release.sh packages the built binaries for the host
//! (as the release workflow does on each runner), writes the checksums and the manifest's
//! sha256, and `kubectl entra sandbox` works from the unpacked archive, from Krew's layout
//! (only kubectl-entra linked on PATH), and through the plugin's own forwarding.
//!
//! Unix only: the script is bash and the archive a tar.gz; the windows zip is built by the
//! same script on the release workflow's windows runner.

#![cfg(unix)]

use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn release(args: &[&OsString]) -> Output {
    let out = Command::new("bash")
        .arg(repo().join("scripts/release.sh"))
        .args(args)
        // Debug binaries are large; the layout, not the compression, is under test.
        .env("GZIP_LEVEL", "1")
        .output()
        .expect("run scripts/release.sh");
    assert!(out.stdout.is_empty(), "release.sh prints on stderr only");
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A directory holding only a link to the real kubectl, so PATH can be exactly what we say.
fn kubectl_only_dir(tmp: &Path) -> PathBuf {
    let kubectl = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .expect("kubectl on PATH (the end-to-end tests need it)");
    let dir = tmp.join("kubectl-only");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(kubectl, dir.join("kubectl")).unwrap();
    dir
}

fn path_of(dirs: &[&Path]) -> OsString {
    std::env::join_paths(dirs).expect("join PATH")
}

/// Runs `program args` with PATH set to `path` only and a HOME of its own; it must succeed and
/// print the sandbox's help.
fn assert_sandbox_help(program: &Path, args: &[&str], path: &OsString, home: &Path, what: &str) {
    let out = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what} failed: {}\n{stdout}",
        stderr(&out)
    );
    assert!(
        stdout.contains("Entra tenant") && stdout.contains("approve"),
        "{what} prints the sandbox's help: {stdout}"
    );
}

#[test]
fn release_archive_carries_both_binaries_and_kubectl_entra_sandbox_works_from_it() {
    let Some((os, arch)) = host_platform() else {
        eprintln!("skipped: no Krew platform for this host");
        return;
    };
    let version = env!("CARGO_PKG_VERSION");
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin_dir = crate::support::sandbox_bin()
        .parent()
        .expect("bin dir")
        .to_path_buf();
    assert_eq!(
        bin_dir,
        Path::new(crate::support::plugin_bin()).parent().unwrap()
    );
    let dist = tmp.path().join("dist");

    // 1. Package the already-built binaries, as each release runner does.
    let out = release(&[
        &"--package-only".into(),
        &"--bin-dir".into(),
        &bin_dir.clone().into_os_string(),
        &"--out-dir".into(),
        &dist.clone().into_os_string(),
    ]);
    assert!(out.status.success(), "package: {}", stderr(&out));
    let name = format!("kubectl-entra_{version}_{os}_{arch}.tar.gz");
    assert!(
        stderr(&out).contains(&name),
        "says what it wrote: {}",
        stderr(&out)
    );
    let archive = dist.join(&name);
    let sum = format!("{:x}", Sha256::digest(std::fs::read(&archive).unwrap()));
    assert_eq!(
        std::fs::read_to_string(dist.join(format!("{name}.sha256"))).unwrap(),
        format!("{sum}  {name}\n")
    );

    // Exactly both binaries and LICENSE, at the root.
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
    assert_eq!(
        entries,
        ["LICENSE", "kubectl-entra", "kubectl-entra-sandbox"]
    );

    // 2. The manifest from the archives, as the release workflow's last step does. Start from
    // an outdated copy with every sum a placeholder, to see version, URIs and sums synced.
    let manifest = tmp.path().join("entra.yaml");
    let original = std::fs::read_to_string(repo().join("plugin-manifest/entra.yaml")).unwrap();
    let placeholder = format!(
        "sha256: \"{}\" # PLACEHOLDER: scripts/release.sh writes the real sha256",
        "0".repeat(64)
    );
    let outdated: String = original
        .replace(&format!("version: v{version}"), "version: v0.0.0")
        .replace(
            &format!("download/v{version}/kubectl-entra_{version}_"),
            "download/v0.0.0/kubectl-entra_0.0.0_",
        )
        .lines()
        .map(|l| match l.find("sha256:") {
            Some(i) => format!("{}{placeholder}\n", &l[..i]),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&manifest, &outdated).unwrap();
    let manifest_arg = manifest.clone().into_os_string();
    let dist_arg = dist.clone().into_os_string();

    // A release must not publish placeholders: without --partial, missing archives fail.
    let strict = release(&[
        &"--manifest-from".into(),
        &dist_arg,
        &"--manifest".into(),
        &manifest_arg,
    ]);
    assert!(!strict.status.success(), "placeholders left must fail");
    assert!(
        stderr(&strict).contains("no archive"),
        "{}",
        stderr(&strict)
    );
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), outdated);

    let out = release(&[
        &"--manifest-from".into(),
        &dist_arg,
        &"--partial".into(),
        &"--manifest".into(),
        &manifest_arg,
    ]);
    assert!(out.status.success(), "manifest: {}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dist.join(format!("kubectl-entra_{version}_checksums.txt")))
            .unwrap(),
        format!("{sum}  {name}\n")
    );
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains(&format!("sha256: \"{sum}\"\n")), "{text}");
    assert_eq!(
        text.matches(&placeholder).count(),
        4,
        "the others keep theirs"
    );
    let m: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(
        m["spec"]["version"].as_str(),
        Some(format!("v{version}").as_str())
    );
    let host = m["spec"]["platforms"]
        .as_sequence()
        .unwrap()
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

    // 3. Install: unpack, and put only that directory and kubectl on PATH.
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
    let kubectl_dir = kubectl_only_dir(tmp.path());
    let kubectl = kubectl_dir.join("kubectl");
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();

    // kubectl's plugin lookup: `kubectl entra sandbox` resolves kubectl-entra-sandbox.
    let archive_path = path_of(&[&unpacked, &kubectl_dir]);
    assert_sandbox_help(
        &kubectl,
        &["entra", "sandbox", "--help"],
        &archive_path,
        &home,
        "kubectl entra sandbox --help (archive on PATH)",
    );
    // The plugin itself forwards `sandbox` to the binary beside it.
    assert_sandbox_help(
        &unpacked.join("kubectl-entra"),
        &["sandbox", "--help"],
        &archive_path,
        &home,
        "kubectl-entra sandbox --help",
    );

    // Krew's layout: the files in store/entra/vX, only `bin` linked into bin/, so kubectl finds
    // kubectl-entra alone and the plugin forwards through its link to the sandbox beside it.
    let krew_root = tmp.path().join("krew");
    let store = krew_root.join(format!("store/entra/v{version}"));
    let krew_bin = krew_root.join("bin");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&krew_bin).unwrap();
    for file in host["files"].as_sequence().expect("files") {
        let from = file["from"].as_str().unwrap();
        std::fs::copy(unpacked.join(from), store.join(from)).unwrap();
    }
    let bin = host["bin"].as_str().unwrap();
    std::os::unix::fs::symlink(store.join(bin), krew_bin.join(bin)).unwrap();
    assert_sandbox_help(
        &kubectl,
        &["entra", "sandbox", "--help"],
        &path_of(&[&krew_bin, &kubectl_dir]),
        &home,
        "kubectl entra sandbox --help (Krew's layout)",
    );
}
