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
use std::process::Command as Process;

mod process;

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

    let floor = process::build_floor(work.path());
    let mut floor_cmd = Process::new(&floor);

    let ours_t = process::time(RUNS, &mut ours, || {});
    let interactive_t = process::time(RUNS, &mut interactive, || {});
    let floor_t = process::time(RUNS, &mut floor_cmd, || {});
    println!("{}", ours_t.line("get-token (warm file cache)", RUNS));
    println!(
        "{}",
        interactive_t.line("get-token --login interactive (warm file cache)", RUNS)
    );
    println!("{}", floor_t.line("floor (fn main() {}, rustc -O)", RUNS));
    println!(
        "against the floor: devicecode {}, interactive {} (target: median < 3 ms and within 2x)",
        ours_t.ratio(&floor_t),
        interactive_t.ratio(&floor_t)
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
        let ss_t = process::time(RUNS, &mut ss, || {});
        println!(
            "{}, {} the floor, +{:.2} ms over the file store",
            ss_t.line("get-token (warm Secret Service)", RUNS),
            ss_t.ratio(&floor_t),
            process::ms(ss_t.median) - process::ms(ours_t.median)
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
