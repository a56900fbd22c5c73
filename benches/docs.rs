//! Benchmark of `stsconform docs --out DIR` (a bench target, not a test: it prints figures):
//!
//! ```text
//! cargo bench --bench docs
//! ```
//!
//! Runs the optimised binary as a user does, process start to exit, on the features
//! compiled into it, five times after one warm-up run, and prints each wall time and the
//! median. Target (issue 20): ≤ 2 s.

use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let out = std::env::temp_dir().join(format!("stsconform-docs-bench-{}", std::process::id()));
    let run = || {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_stsconform"))
            .args(["docs", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the binary runs");
        assert!(status.success(), "stsconform docs failed: {status}");
        started.elapsed()
    };
    run();
    let mut times: Vec<Duration> = (0..5).map(|_| run()).collect();
    let files = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&out);
    for (i, t) in times.iter().enumerate() {
        println!("docs run {}: {:.3} s", i + 1, t.as_secs_f64());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "stsconform docs --out DIR: median {:.3} s over 5 runs ({files} files written; target ≤ 2 s)",
        median.as_secs_f64()
    );
}
