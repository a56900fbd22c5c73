//! The whole living spec on the reference cluster, snapshots included: `cargo test` runs
//! every scenario of `features/` exactly as `stsconform run` does, and fails when any
//! scenario fails, a snapshot differs (or is missing under `CI=true`) or nothing ran.

use std::path::PathBuf;
use stsconform::runner::{self, RunOptions, snapshot::Snapshots};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = RunOptions {
        // Relative (cargo runs tests from the package root), so new snapshots name
        // `features/<file>:<line>` as their source.
        paths: vec![PathBuf::from("features")],
        snapshots: Snapshots::Directory(root.join("snapshots")),
        tags: std::env::var("STSCONFORM_TAGS").ok(),
        ..RunOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcome = match runtime.block_on(runner::run(&options)) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: {e}");
            println!("0 passed, 1 failed");
            std::process::exit(1);
        }
    };
    if outcome.selected == 0 {
        eprintln!("error: no scenario was selected; a run that executes nothing is a failure");
    }
    println!("{}", outcome.summary());
    std::process::exit(outcome.exit_code());
}
