//! The binary as a user runs it: exit codes, messages, the run/validate/simulate contract.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn stsconform() -> Command {
    let mut cmd = Command::cargo_bin("stsconform").expect("binary");
    cmd.env_remove("INSTA_UPDATE").env("CI", "true");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stsconform-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn simulate_web_yaml_shows_web_0_ready_before_web_1_appears() {
    let out = stsconform()
        .arg("simulate")
        .arg(root().join("examples/web.yaml"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let ready = text
        .lines()
        .position(|l| l.contains("web-0") && l.contains("1/1") && l.contains("Running"));
    let web1 = text.lines().position(|l| l.contains("web-1"));
    assert!(
        matches!((ready, web1), (Some(r), Some(w)) if r < w),
        "{text}"
    );
}

#[test]
fn validate_reports_a_selector_mismatch_like_the_api_server() {
    let dir = temp_dir("validate");
    let file = dir.join("bad.yaml");
    std::fs::write(
        &file,
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: nginx\n  template:\n    metadata:\n      labels:\n        app: other\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
    )
    .unwrap();
    stsconform()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`",
        ));
}

#[test]
fn validate_prints_defaulted_objects_for_valid_manifests() {
    stsconform()
        .arg("validate")
        .arg(root().join("examples/web.yaml"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("podManagementPolicy: OrderedReady")
                .and(predicate::str::contains("revisionHistoryLimit: 10")),
        );
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let dir = temp_dir("malformed");
    let file = dir.join("broken.yaml");
    std::fs::write(&file, "apiVersion: v1\nkind: [\n").unwrap();
    stsconform()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::is_match(r"broken\.yaml:\d+:\d+: invalid YAML").unwrap());
}

#[test]
fn missing_files_are_reported_not_panicked_on() {
    stsconform()
        .args(["simulate", "/nonexistent/web.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "failed to read /nonexistent/web.yaml",
        ));
}

#[test]
fn a_selection_of_zero_scenarios_fails() {
    stsconform()
        .args(["run", "--tags", "@no-such-tag"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("0 passed, 0 failed"));
}

fn copy_feature(dir: &Path) -> PathBuf {
    let feature = dir.join("ordering.feature");
    std::fs::copy(root().join("features/ordering.feature"), &feature).unwrap();
    feature
}

#[test]
fn a_broken_snapshot_fails_the_run_under_ci() {
    let dir = temp_dir("broken-snapshot");
    let feature = copy_feature(&dir);
    let snapshots = dir.join("snapshots");
    std::fs::create_dir_all(&snapshots).unwrap();
    let name = "ordering__pods-are-created-in-order-each-after-its-predecessor-is-ready.snap";
    let good =
        std::fs::read_to_string(root().join("snapshots").join(name)).expect("committed snapshot");
    std::fs::write(snapshots.join(name), good.replace("web-1", "web-9")).unwrap();
    stsconform()
        .arg("run")
        .arg(&feature)
        .args([
            "--name",
            "Pods are created in order, each after its predecessor is Ready",
            "--snapshots",
        ])
        .arg(&snapshots)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("0 passed, 1 failed"));
}

#[test]
fn two_runs_produce_identical_timelines_and_junit_apart_from_timings() {
    let dir = temp_dir("determinism");
    let run = |n: u32| {
        let junit = dir.join(format!("junit-{n}.xml"));
        let out = stsconform()
            .args([
                "run",
                "features/ordering.feature",
                "features/rolling-update.feature",
                "--no-snapshots",
                "--junit",
            ])
            .arg(&junit)
            .current_dir(root())
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let timings = regex::Regex::new(r#"time="[^"]*"|timestamp="[^"]*""#).unwrap();
        let xml = std::fs::read_to_string(&junit).unwrap();
        (stdout, timings.replace_all(&xml, "").into_owned())
    };
    let (a, b) = (run(1), run(2));
    assert!(a.1.contains("testcase"), "JUnit has test cases");
    assert_eq!(a.0, b.0, "run output differs");
    assert_eq!(a.1, b.1, "JUnit differs beyond timings");
}

#[test]
fn list_shows_selected_scenarios_with_tags() {
    stsconform()
        .args(["run", "--list", "--tags", "@UPD-08"])
        .assert()
        .success()
        .stdout(predicate::str::contains("@UPD-08"));
}

#[test]
fn steps_prints_the_catalogue() {
    stsconform().arg("steps").assert().success().stdout(
        predicate::str::contains("I scale {string} to {int} replica(s)").and(
            predicate::str::contains("e.g. When I scale \"web\" to 3 replicas"),
        ),
    );
}

#[test]
fn an_undefined_step_fails_the_run() {
    let dir = temp_dir("undefined");
    let feature = dir.join("undefined.feature");
    std::fs::write(
        &feature,
        "Feature: x\n  Scenario: undefined\n    Given something nobody defined\n",
    )
    .unwrap();
    stsconform()
        .arg("run")
        .arg(&feature)
        .arg("--no-snapshots")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("0 passed, 1 failed"));
}

#[test]
fn a_scenario_without_steps_is_an_error_naming_file_and_line() {
    let dir = temp_dir("empty");
    let feature = dir.join("empty.feature");
    std::fs::write(
        &feature,
        "Feature: x\n  Scenari: misspelt\n    Given foo\n  Scenario: empty\n",
    )
    .unwrap();
    stsconform()
        .arg("run")
        .arg(&feature)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "empty.feature:4: scenario \"empty\" has no steps",
        ));
}

/// The `N steps (…)` line of cucumber's summary.
fn steps_line(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .find(|l| l.contains(" steps ("))
        .unwrap_or("no steps line")
        .to_owned()
}

#[test]
fn run_from_an_empty_folder_checks_the_compiled_in_snapshots() {
    let empty = temp_dir("empty-folder");
    let from_root = stsconform()
        .args(["run", "--tags", "@UPD-08"])
        .current_dir(root())
        .assert()
        .success();
    let from_empty = stsconform()
        .args(["run", "--tags", "@UPD-08"])
        .current_dir(&empty)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the pod timeline matches the snapshot",
        ));
    assert_eq!(
        steps_line(&from_empty.get_output().stdout),
        steps_line(&from_root.get_output().stdout)
    );
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_timeline_that_differs_from_the_compiled_in_snapshot_fails_under_ci() {
    let dir = temp_dir("embedded-differs");
    // Same file and scenario name as an embedded scenario, one more replica.
    let text = std::fs::read_to_string(root().join("features/ordering.feature")).unwrap();
    let scenario = "Pods are created in order, each after its predecessor is Ready";
    let start = text.find(scenario).expect("scenario");
    let changed = format!(
        "{}{}",
        &text[..start],
        text[start..].replacen("with 3 replicas", "with 4 replicas", 1)
    );
    assert_ne!(changed, text, "the scenario creates 3 replicas");
    std::fs::write(dir.join("ordering.feature"), changed).unwrap();
    stsconform()
        .args(["run", "ordering.feature", "--name", scenario])
        .current_dir(&dir)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("differs from the compiled-in snapshot")
                .and(predicate::str::contains("+ "))
                .and(predicate::str::contains("0 passed, 1 failed")),
        );
}

#[test]
fn a_snapshot_folder_that_does_not_exist_is_an_error_and_is_not_created() {
    let absent = std::env::temp_dir().join(format!("stsconform-absent-{}", std::process::id()));
    stsconform()
        .args(["run", "--tags", "@UPD-08", "--snapshots"])
        .arg(&absent)
        .env_remove("CI")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!absent.exists());
}

#[test]
fn a_scenario_without_a_snapshot_is_reported_as_new_outside_ci_and_fails_under_ci() {
    let dir = temp_dir("new-snapshot");
    std::fs::write(
        dir.join("mine.feature"),
        "Feature: mine\n  Scenario: one pod\n    Given a headless Service \"nginx\" selecting \"app=nginx\"\n    When I create the StatefulSet \"web\" with 1 replica\n    Then pods web-0 become Running and Ready in that order\n",
    )
    .unwrap();
    stsconform()
        .args(["run", "mine.feature"])
        .current_dir(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no snapshot mine__one-pod"));
    std::fs::create_dir(dir.join("snapshots")).unwrap();
    stsconform()
        .args(["run", "mine.feature"])
        .current_dir(&dir)
        .env_remove("CI")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "new snapshot mine__one-pod: written to",
        ));
    let written =
        std::fs::read_to_string(dir.join("snapshots/mine__one-pod.snap.new")).expect("pending");
    assert!(
        written.starts_with("---\nsource: mine.feature:2\n---\nTIME"),
        "{written}"
    );
}

/// Runs stsconform with `args`, reads `lines` lines of its output and closes the pipe, as
/// `| head -N` does; returns how it ended and what it wrote on stderr.
fn closed_pipe(args: &[&str], lines: usize) -> (std::process::ExitStatus, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stsconform"))
        .args(args)
        .current_dir(root())
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start stsconform");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = std::io::BufReader::new(stdout);
    for _ in 0..lines {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
    }
    drop(reader);
    let output = child.wait_with_output().expect("wait");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn ended_quietly(status: std::process::ExitStatus, stderr: &str) {
    use std::os::unix::process::ExitStatusExt as _;
    assert!(
        status.success() || status.signal() == Some(libc::SIGPIPE),
        "{status}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    // More listing than a pipe buffers (64 KiB), so writes go on after the reader is gone.
    let dir = temp_dir("list-pipe");
    let mut feature = String::from("Feature: many\n");
    for n in 0..2000 {
        feature.push_str(&format!(
            "  Scenario: scenario number {n} with a long enough name to fill the pipe\n    Given a headless Service \"nginx\" selecting \"app=nginx\"\n"
        ));
    }
    std::fs::write(dir.join("many.feature"), feature).unwrap();
    let path = dir.join("many.feature");
    let (status, stderr) = closed_pipe(&["run", "--list", &path.to_string_lossy()], 1);
    ended_quietly(status, &stderr);
}

#[test]
fn run_into_a_closed_pipe_ends_quietly() {
    // The whole suite prints far more than a pipe buffers.
    let (status, stderr) = closed_pipe(&["run"], 3);
    ended_quietly(status, &stderr);
}

#[test]
fn simulate_applies_several_files_in_order_like_successive_applies() {
    let dir = temp_dir("simulate-update");
    let web = std::fs::read_to_string(root().join("examples/web.yaml")).unwrap();
    let update = web
        .split("---")
        .find(|d| d.contains("kind: StatefulSet"))
        .expect("the StatefulSet document")
        .replace("nginx-slim:0.8", "nginx-slim:0.9");
    std::fs::write(dir.join("update.yaml"), update).unwrap();
    let out = stsconform()
        .arg("simulate")
        .arg(root().join("examples/web.yaml"))
        .arg(dir.join("update.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains("rejected").not());
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let rev1_ready = text
        .lines()
        .position(|l| l.contains("web-1") && l.contains("1/1") && l.contains("rev1"));
    let rev2 = text.lines().position(|l| l.contains("rev2"));
    assert!(
        matches!((rev1_ready, rev2), (Some(a), Some(b)) if a < b),
        "the update rolls out after the first file settled:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("web-0") && l.contains("1/1") && l.contains("rev2")),
        "{text}"
    );
}

#[test]
fn simulate_says_why_an_object_was_rejected_and_exits_1() {
    let dir = temp_dir("simulate-rejected");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: bad\nspec:\n  selector:\n    matchLabels:\n      app: nginx\n  template:\n    metadata:\n      labels:\n        app: other\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
    )
    .unwrap();
    stsconform()
        .arg("simulate")
        .arg(root().join("examples/web.yaml"))
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("web-0"))
        .stderr(
            predicate::str::contains("bad.yaml: document 1: StatefulSet \"bad\" rejected").and(
                predicate::str::contains("`selector` does not match template `labels`"),
            ),
        );
}
