//! The seam a second target implements: steps, targets (other than the in-process reference
//! adapter) and timelines speak `model` only. An import of `crate::sim` there would make a
//! cluster target depend on the simulation, so this test fails on one.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `text` that reach into the simulation.
fn sim_imports(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with("//") && (l.contains("crate::sim") || l.contains("super::super::sim"))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn steps_targets_and_timelines_import_model_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["steps", "targets", "timeline"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 10,
        "the seam's files were not found under {root:?}"
    );
    let allowed = root.join("targets").join("reference.rs");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| **f != allowed) {
        let text = std::fs::read_to_string(file).expect("read source");
        for line in sim_imports(&text) {
            offenders.push(format!("{}: {line}", file.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "these files import the simulation; move what they need into src/model:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_check_sees_an_import() {
    assert_eq!(
        sim_imports("use crate::sim::apiserver::ApiError;\n// crate::sim in a comment\n"),
        vec!["use crate::sim::apiserver::ApiError;".to_owned()]
    );
}
