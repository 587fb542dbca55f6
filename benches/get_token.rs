//! Times `kubectl-entra get-token` on a warm file cache as a whole process, the way kubectl runs
//! it, against a floor: a minimal Rust binary (`fn main() {}`) compiled here with `rustc -O`.
//! The floor is a Rust binary rather than `true` so that both pay the same process start, dynamic
//! loader and Rust runtime set-up; what remains is our own work (argument parsing, one file read,
//! JSON in and out).
//!
//! Run with `cargo bench --bench get_token` (release profile). Prints median and p90 in ms.
//!
//! With `KUBECTL_ENTRA_BENCH_SECRET_SERVICE=1` and a session bus with a Secret Service
//! (`benches/secret_service.sh` starts a private one), it also times the Secret Service store
//! (`--token-cache auto` on Linux): the D-Bus round trips are the difference to the file store.

use base64::Engine as _;
use clap::Parser as _;
use kubectl_entra::cache::{Account, FORMAT_VERSION, StoreMode, TokenCache, TokenEntry};
use kubectl_entra::cli::{Cli, Command};
use kubectl_entra::entra::Settings;
use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant};

const RUNS: usize = 300;

fn main() {
    let work = tempfile::tempdir().expect("temp dir");
    let cache_dir = work.path().join("cache");
    let auth_flags = [
        "--tenant-id",
        "bbbbbbbb-0000-4000-8000-000000000002",
        "--token-cache",
        "file",
        "--token-cache-dir",
        cache_dir.to_str().expect("utf-8 temp path"),
    ];
    warm_cache(&auth_flags, StoreMode::File);

    let binary = env!("CARGO_BIN_EXE_kubectl-entra");
    let mut ours = Process::new(binary);
    ours.arg("get-token")
        .args(auth_flags)
        .env_remove("KUBERNETES_EXEC_INFO");
    let out = ours.output().expect("run kubectl-entra");
    assert!(
        out.status.success(),
        "get-token failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"token\""));

    // The browser sign-in shares the device code's cache key: the same warm entry answers it.
    let mut interactive = Process::new(binary);
    interactive
        .arg("get-token")
        .args(auth_flags)
        .args(["--login", "interactive"])
        .env_remove("KUBERNETES_EXEC_INFO")
        .env("BROWSER", "false");

    let floor = build_floor(work.path());
    let floor_cmd = Process::new(&floor);

    let (ours_median, ours_p90) = time(ours);
    let (interactive_median, interactive_p90) = time(interactive);
    let (floor_median, floor_p90) = time(floor_cmd);
    println!(
        "get-token (warm file cache): median {:.2} ms, p90 {:.2} ms ({RUNS} runs)",
        ms(ours_median),
        ms(ours_p90)
    );
    println!(
        "get-token --login interactive (warm file cache): median {:.2} ms, p90 {:.2} ms ({RUNS} runs)",
        ms(interactive_median),
        ms(interactive_p90)
    );
    println!(
        "floor (fn main() {{}}, rustc -O): median {:.2} ms, p90 {:.2} ms ({RUNS} runs)",
        ms(floor_median),
        ms(floor_p90)
    );
    println!(
        "ratio median: {:.2}x, interactive {:.2}x (target: median < 3 ms and within 2x of the floor)",
        ours_median.as_secs_f64() / floor_median.as_secs_f64(),
        interactive_median.as_secs_f64() / floor_median.as_secs_f64()
    );

    if std::env::var_os("KUBECTL_ENTRA_BENCH_SECRET_SERVICE").is_some() {
        let ss_dir = work.path().join("ss-cache");
        let ss_flags = [
            "--tenant-id",
            "bbbbbbbb-0000-4000-8000-000000000002",
            "--token-cache",
            "auto",
            "--token-cache-dir",
            ss_dir.to_str().expect("utf-8 temp path"),
        ];
        warm_cache(&ss_flags, StoreMode::Keyring);
        let mut ss = Process::new(binary);
        ss.arg("get-token")
            .args(ss_flags)
            .env_remove("KUBERNETES_EXEC_INFO")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        let out = ss.output().expect("run kubectl-entra");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "get-token on the Secret Service: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (ss_median, ss_p90) = time(ss);
        println!(
            "get-token (warm Secret Service): median {:.2} ms, p90 {:.2} ms ({RUNS} runs), {:.2}x the floor, +{:.2} ms over the file store",
            ms(ss_median),
            ms(ss_p90),
            ss_median.as_secs_f64() / floor_median.as_secs_f64(),
            ms(ss_median) - ms(ours_median)
        );
    }
}

/// Writes a cache entry through the library, exactly where get-token will look for it.
fn warm_cache(auth_flags: &[&str], store: StoreMode) {
    let mut argv = vec!["kubectl-entra", "get-token"];
    argv.extend_from_slice(auth_flags);
    let Command::GetToken(args) = Cli::try_parse_from(argv).expect("flags").command else {
        unreachable!("parsed get-token")
    };
    let settings = Settings::try_from(&args).expect("settings");
    let cache = TokenCache::open(store, settings.cache_dir.clone());
    let exp = jiff::Timestamp::now().as_second() + 3600;
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.{}",
        enc.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
        enc.encode(format!(r#"{{"upn":"aksdev@contoso.com","exp":{exp}}}"#)),
        enc.encode([7u8; 256])
    );
    let entry = TokenEntry {
        version: FORMAT_VERSION,
        access_token: jwt,
        expires_on: exp,
        refresh_token: Some("bench-refresh-token".into()),
        account: Account {
            upn: Some("aksdev@contoso.com".into()),
            ..Default::default()
        },
    };
    cache
        .write_token(&settings.token_key(), &entry)
        .expect("write cache");
}

fn build_floor(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("floor.rs");
    std::fs::write(&src, "fn main() {}\n").expect("write floor source");
    let bin = dir.join("floor");
    let status = Process::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["-O", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("run rustc");
    assert!(status.success(), "rustc failed to build the floor binary");
    bin
}

/// Median and p90 of RUNS spawns (after a few warm-up runs).
fn time(mut cmd: Process) -> (Duration, Duration) {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for _ in 0..10 {
        cmd.status().expect("warm-up");
    }
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = cmd.status().expect("spawn");
            let elapsed = start.elapsed();
            assert!(status.success());
            elapsed
        })
        .collect();
    samples.sort();
    (samples[RUNS / 2], samples[RUNS * 9 / 10])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
