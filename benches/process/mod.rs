//! Whole-process timing shared by the start-up benches (`get_token`, `azure_cli`): the floor
//! binary, median/p90 wall time of repeated spawns, and the CPU time they used.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall-time median and p90 of a series of spawns, and the mean CPU time (user + system) one
/// spawn used, when the platform tells (Linux). CPU time barely moves when other work competes
/// for the cores; wall time does.
#[derive(Clone, Copy)]
pub struct Timing {
    pub median: Duration,
    pub p90: Duration,
    pub cpu: Option<Duration>,
}

impl Timing {
    pub fn line(&self, name: &str, runs: usize) -> String {
        let cpu = self
            .cpu
            .map(|cpu| format!(", CPU {:.2} ms/run", ms(cpu)))
            .unwrap_or_default();
        format!(
            "{name}: median {:.2} ms, p90 {:.2} ms{cpu} ({runs} runs)",
            ms(self.median),
            ms(self.p90)
        )
    }

    /// How many times `floor` this is, by wall median and (when known) by CPU time.
    pub fn ratio(&self, floor: &Timing) -> String {
        let wall = self.median.as_secs_f64() / floor.median.as_secs_f64();
        match (self.cpu, floor.cpu) {
            (Some(ours), Some(base)) if !base.is_zero() => {
                format!(
                    "{wall:.2}x wall, {:.2}x CPU",
                    ours.as_secs_f64() / base.as_secs_f64()
                )
            }
            _ => format!("{wall:.2}x wall"),
        }
    }
}

/// A minimal Rust binary (`fn main() {}`, rustc -O): it pays the same process start, dynamic
/// loader and Rust runtime set-up as ours, so what remains above it is our own work.
pub fn build_floor(dir: &Path) -> PathBuf {
    let src = dir.join("floor.rs");
    std::fs::write(&src, "fn main() {}\n").expect("write floor source");
    let bin = dir.join("floor");
    let status = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["-O", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("run rustc");
    assert!(status.success(), "rustc failed to build the floor binary");
    bin
}

/// Times `runs` spawns of `cmd` after a few untimed warm-up runs; `before` runs untimed before
/// each spawn (and is not counted in the CPU time unless it spawns processes itself).
pub fn time(runs: usize, cmd: &mut Command, before: impl Fn()) -> Timing {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    for _ in 0..5 {
        before();
        assert!(
            cmd.status().expect("warm-up").success(),
            "warm-up run failed"
        );
    }
    let cpu_start = children_cpu();
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            before();
            let start = Instant::now();
            let status = cmd.status().expect("spawn");
            let elapsed = start.elapsed();
            assert!(status.success());
            elapsed
        })
        .collect();
    let cpu = match (cpu_start, children_cpu()) {
        (Some(start), Some(end)) => end.checked_sub(start).map(|d| d / runs as u32),
        _ => None,
    };
    samples.sort();
    Timing {
        median: samples[runs / 2],
        p90: samples[runs * 9 / 10],
        cpu,
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time of the children this process waited for, from /proc/self/stat (cutime + cstime,
/// fields 16 and 17, in USER_HZ = 100 ticks a second on every Linux architecture we build for).
/// Over hundreds of runs the 10 ms tick is a small error.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // `rest` starts at field 3, so field N is fields[N - 3].
    let cutime: u64 = fields.get(13)?.parse().ok()?;
    let cstime: u64 = fields.get(14)?.parse().ok()?;
    Some(Duration::from_millis((cutime + cstime) * 10))
}
