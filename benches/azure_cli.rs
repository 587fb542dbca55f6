//! `get-token --login azurecli` as kubectl runs it, three ways:
//! - warm: the token is in our cache, `az` is not started (our way);
//! - every call runs `az`: the cache is emptied before each run, so each one starts the (fake)
//!   `az` and stores its answer (kubelogin's way, Azure/kubelogin#358, plus our cache write);
//! - the floor: a minimal Rust binary (`fn main() {}`, rustc -O), the cost of a process.
//!
//! The `az` here is a bash script that prints a canned answer, a few ms; the real one is a
//! Python program of about half a second per run, so the "every call" figure is a lower bound
//! for kubelogin's way. The fake's own time is printed too.
//!
//! Run with `cargo bench --bench azure_cli` (release profile). Unix only (the fake is bash).

#[cfg(unix)]
fn main() {
    bench::main();
}

#[cfg(not(unix))]
fn main() {
    println!("benches/azure_cli.rs runs on unix only (its fake az is a bash script)");
}

#[cfg(unix)]
mod process;

#[cfg(unix)]
mod bench {
    use super::process::{build_floor, ms, time};
    use base64::Engine as _;
    use std::os::unix::fs::PermissionsExt as _;
    use std::path::Path;
    use std::process::{Command, Stdio};

    const RUNS: usize = 200;
    const COLD_RUNS: usize = 100;
    const TID: &str = "bbbbbbbb-0000-4000-8000-000000000002";

    pub fn main() {
        let work = tempfile::tempdir().expect("temp dir");
        let bin_dir = work.path().join("bin");
        std::fs::create_dir(&bin_dir).expect("bin dir");
        let az = fake_az(&bin_dir);
        let cache_dir = work.path().join("cache");
        let path = format!("{}:/usr/bin:/bin", bin_dir.display());
        let get_token = || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"));
            cmd.args(["get-token", "--login", "azurecli", "--tenant-id", TID])
                .args(["--token-cache", "file", "--token-cache-dir"])
                .arg(&cache_dir)
                .env("PATH", &path)
                .env("HOME", work.path())
                .env_remove("KUBERNETES_EXEC_INFO")
                .env_remove("AAD_LOGIN_METHOD")
                .env_remove("AZURE_TENANT_ID")
                .stdin(Stdio::null());
            cmd
        };
        // The first run fills the cache (and proves the whole path works).
        let out = get_token().output().expect("run kubectl-entra");
        assert!(
            out.status.success(),
            "get-token failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("\"token\""));

        let floor = build_floor(work.path());
        let warm = time(RUNS, &mut get_token(), || {});
        let floor_t = time(RUNS, &mut Command::new(&floor), || {});
        let az_alone = time(COLD_RUNS, &mut Command::new(&az), || {});
        let cold = time(COLD_RUNS, &mut get_token(), || {
            let _ = std::fs::remove_dir_all(&cache_dir);
        });
        println!(
            "{}",
            warm.line("get-token --login azurecli, warm cache", RUNS)
        );
        println!("{}", floor_t.line("floor (fn main() {}, rustc -O)", RUNS));
        println!(
            "{}",
            cold.line("get-token --login azurecli, az on every call", COLD_RUNS)
        );
        println!(
            "{}",
            az_alone.line("the fake az alone (bash + cat)", COLD_RUNS)
        );
        println!(
            "warm / floor: {} (target within 2x); az-every-call / warm: {:.1}x with a fake az of {:.1} ms (the real az takes ~500 ms)",
            warm.ratio(&floor_t),
            cold.median.as_secs_f64() / warm.median.as_secs_f64(),
            ms(az_alone.median)
        );
    }

    /// A bash `az` that prints what `az account get-access-token --output json` prints.
    fn fake_az(dir: &Path) -> std::path::PathBuf {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let exp = jiff::Timestamp::now().as_second() + 3 * 3600;
        let jwt = format!(
            "{}.{}.{}",
            enc.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
            enc.encode(format!(
                r#"{{"aud":"6dae42f8-4368-4678-94ff-3960e28e3630","tid":"{TID}","upn":"aksdev@contoso.com","exp":{exp}}}"#
            )),
            enc.encode([7u8; 256])
        );
        let answer = serde_json::json!({
            "accessToken": jwt,
            "expiresOn": "2099-01-01 00:00:00.000000",
            "expires_on": exp,
            "subscription": "00000000-0000-4000-8000-0000000000aa",
            "tenant": TID,
            "tokenType": "Bearer",
        });
        std::fs::write(dir.join("answer.json"), answer.to_string()).expect("answer");
        let az = dir.join("az");
        std::fs::write(&az, "#!/bin/bash\ncat \"$(dirname \"$0\")/answer.json\"\n").expect("az");
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        az
    }
}
