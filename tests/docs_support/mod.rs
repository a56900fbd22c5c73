//! What the docs tests share: hand-made Cucumber JSON reports, and one generated site per
//! test binary (generating runs every scenario, so tests share it).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Every scenario tagged `@UPD-08`, as `(feature file, line)`; [`site`]'s tests check the
/// list against the features, so a moved scenario fails loudly instead of matching nothing.
pub const UPD_08: [(&str, usize); 4] = [
    ("defaulting.feature", 71),
    ("rolling-update.feature", 128),
    ("rolling-update.feature", 139),
    ("tutorial.feature", 192),
];

/// A report of a cluster target ("kind") on which the tutorial's UPD-08 scenario fails in
/// its Background, one UPD-08 scenario passes and one was skipped; the fourth is missing.
pub const KIND_REPORT: &str = r#"[
  {"uri": "features/tutorial.feature", "keyword": "Feature", "name": "The StatefulSet basics tutorial", "elements": [
    {"keyword": "Background", "type": "background", "line": 192, "name": "Sections 1 to 4 3.1 erratum",
     "steps": [{"keyword": "Given ", "line": 27, "name": "I apply the manifest:", "result": {"status": "passed"}}]},
    {"keyword": "Scenario", "type": "scenario", "line": 192, "name": "Sections 1 to 4 3.1 erratum",
     "steps": [{"keyword": "Then ", "line": 195, "name": "pod web-1 has revision rev2",
                "result": {"status": "failed", "error_message": "expected web-1 at rev2, got rev1\nthe cluster now: ..."}}]}
  ]},
  {"uri": "/elsewhere/features/rolling-update.feature", "keyword": "Feature", "name": "Rolling updates", "elements": [
    {"keyword": "Scenario", "type": "scenario", "line": 128, "name": "A pod that fails before the rollout reaches it comes back at the update revision",
     "steps": [{"keyword": "Then ", "line": 130, "name": "x", "result": {"status": "passed"}}]},
    {"keyword": "Scenario", "type": "scenario", "line": 139, "name": "Without a rollingUpdate block a failed pod comes back at the current revision",
     "steps": [{"keyword": "Then ", "line": 140, "name": "x", "result": {"status": "undefined"}}]}
  ]}
]"#;

/// A report of the reference target on which every UPD-08 scenario passes.
pub fn reference_report() -> String {
    let features: Vec<String> = ["defaulting.feature", "rolling-update.feature", "tutorial.feature"]
        .iter()
        .map(|file| {
            let elements: Vec<String> = UPD_08
                .iter()
                .filter(|(f, _)| f == file)
                .map(|(_, line)| {
                    format!(
                        r#"{{"keyword": "Scenario", "line": {line}, "name": "s", "steps": [{{"keyword": "Then ", "line": 1, "name": "x", "result": {{"status": "passed"}}}}]}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"uri": "features/{file}", "elements": [{}]}}"#,
                elements.join(",")
            )
        })
        .collect();
    format!("[{}]", features.join(","))
}

/// Writes the two reports into `dir`; returns their `--results` arguments.
pub fn write_reports(dir: &Path) -> Vec<String> {
    std::fs::create_dir_all(dir).expect("a folder for the reports");
    let kind = dir.join("kind.json");
    let reference = dir.join("reference.json");
    std::fs::write(&kind, KIND_REPORT).expect("write kind.json");
    std::fs::write(&reference, reference_report()).expect("write reference.json");
    vec![
        reference.display().to_string(),
        format!("kind={}", kind.display()),
    ]
}

/// The target folder (`target/`), where CI collects artifacts.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")))
}

/// Reads a generated page.
pub fn page(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", dir.join(name).display()))
}

/// The snapshot rows of a scenario: (lanes, spans), counted from the snapshot text alone
/// (a lane per pod name, a span per row that is not a deletion).
pub fn snapshot_lanes_and_spans(name: &str) -> (usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{name}.snap"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()));
    let body = text.splitn(3, "---\n").nth(2).expect("a snapshot body");
    let rows: Vec<Vec<&str>> = body
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .filter(|cols: &Vec<&str>| cols.len() >= 6)
        .collect();
    let mut pods: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    pods.sort_unstable();
    pods.dedup();
    let spans = rows.iter().filter(|r| r[3] != "(deleted)").count();
    (pods.len(), spans)
}

/// A site generated once for this test binary, with both reports, in a temporary folder.
pub fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("docs-site-{}", env!("CARGO_CRATE_NAME")));
        let _ = std::fs::remove_dir_all(&dir);
        let reports = write_reports(&dir.join("reports"));
        let options = stsconform::docs::DocsOptions {
            paths: vec![],
            out: dir.join("site"),
            results: reports
                .iter()
                .map(|r| r.parse().expect("a valid --results argument"))
                .collect(),
        };
        stsconform::docs::build(&options).expect("the site builds");
        dir.join("site")
    })
}
