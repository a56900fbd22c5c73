//! The step library held to "a check that cannot fail is a defect": every scenario under
//! `tests/must-fail/` hands one step something wrong (a missing field or object, a wrong
//! expected value, an un-noted uid, a timeline a broken controller would leave) and must
//! fail at exactly that step, its last one, after every earlier step passed. A scenario
//! that passes, or fails earlier (in its set-up), fails this test.

use std::path::PathBuf;
use stsconform::runner::{self, RunOptions};

/// How one must-fail scenario went, from the Cucumber JSON report.
fn verdict(scenario: &serde_json::Value) -> Result<String, String> {
    let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
    let status = |s: &serde_json::Value| s["result"]["status"].as_str().unwrap_or("").to_owned();
    let Some((last, setup)) = steps.split_last() else {
        return Err("has no steps".into());
    };
    if let Some(bad) = setup.iter().find(|s| status(s) != "passed") {
        return Err(format!(
            "failed in its set-up, at line {} ({}: {}), not at its last step",
            bad["line"],
            status(bad),
            bad["name"].as_str().unwrap_or("")
        ));
    }
    match status(last).as_str() {
        "failed" => {
            let message = last["result"]["error_message"].as_str().unwrap_or("");
            let reason = message
                .split_once("Captured output: ")
                .map_or(message, |(_, reason)| reason);
            Ok(reason.lines().next().unwrap_or("").to_owned())
        }
        other => Err(format!(
            "its last step ({}) was {other}: the check accepted a wrong input",
            last["name"].as_str().unwrap_or("")
        )),
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let report =
        std::env::temp_dir().join(format!("stsconform-must-fail-{}.json", std::process::id()));
    let options = RunOptions {
        paths: vec![root.join("tests/must-fail")],
        json: Some(report.clone()),
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
            std::process::exit(1);
        }
    };
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    let features: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    let mut problems = Vec::new();
    let mut checked = 0;
    for feature in &features {
        let uri = feature["uri"].as_str().unwrap_or("");
        for scenario in feature["elements"].as_array().into_iter().flatten() {
            if scenario["type"] != "scenario" {
                continue;
            }
            checked += 1;
            let name = format!(
                "{uri}:{}: {}",
                scenario["line"],
                scenario["name"].as_str().unwrap_or("")
            );
            match verdict(scenario) {
                Ok(error) => println!("ok: {name}\n    fails with: {error}"),
                Err(problem) => problems.push(format!("{name}: {problem}")),
            }
        }
    }
    if outcome.selected == 0 || checked != outcome.selected {
        problems.push(format!(
            "{} scenarios selected, {checked} reported",
            outcome.selected
        ));
    }
    if outcome.passed > 0 {
        problems.push(format!("{} must-fail scenarios passed", outcome.passed));
    }
    for p in &problems {
        eprintln!("MUST-FAIL VIOLATION {p}");
    }
    println!(
        "{checked} must-fail scenarios checked, {} problems",
        problems.len()
    );
    std::process::exit(i32::from(!problems.is_empty()));
}
