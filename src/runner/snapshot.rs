//! Timeline snapshots: every scenario ends with an implicit step
//! `Then the pod timeline matches the snapshot "<feature>__<scenario>"`, checked with insta
//! against `snapshots/<feature>__<scenario>.snap` (for outlines the example values join
//! the name).

use crate::steps::{StepResult, StsWorld};
use crate::timeline::normal::{agrees, normal_form, snapshot_body};
use cucumber::gherkin;
use cucumber::then;
use std::path::PathBuf;
use std::sync::Mutex;

static DIRECTORY: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Sets where snapshots live (None: snapshot steps pass without checking).
pub fn set_directory(dir: Option<PathBuf>) {
    if let Ok(mut d) = DIRECTORY.lock() {
        *d = dir;
    }
}

fn directory() -> Option<PathBuf> {
    DIRECTORY.lock().ok().and_then(|d| d.clone())
}

/// A file-name-safe slug: lower-case words joined by `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '<' || c == '>' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Appends the snapshot step to every scenario of a feature.
pub fn add_snapshot_steps(mut feature: gherkin::Feature) -> gherkin::Feature {
    let stem = feature
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| slug(&feature.name));
    let add = |scenario: &mut gherkin::Scenario| {
        let mut name = format!("{stem}__{}", slug(&scenario.name));
        if let Some(table) = scenario.examples.first().and_then(|e| e.table.as_ref())
            && let Some(header) = table.rows.first()
        {
            for column in header {
                name.push_str(&format!("__<{column}>"));
            }
        }
        let template = scenario.steps.last().cloned();
        if let Some(mut step) = template {
            step.keyword = "Then ".into();
            step.ty = gherkin::StepType::Then;
            step.value = format!("the pod timeline matches the snapshot \"{name}\"");
            step.docstring = None;
            step.table = None;
            scenario.steps.push(step);
        }
    };
    for scenario in &mut feature.scenarios {
        add(scenario);
    }
    for rule in &mut feature.rules {
        for scenario in &mut rule.scenarios {
            add(scenario);
        }
    }
    feature
}

/// Checks `content` against snapshot `name` in `dir` with insta.
///
/// # Errors
/// insta's report (with the diff) when the snapshot is missing or differs.
pub fn check(dir: &std::path::Path, name: &str, content: &str) -> Result<(), String> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name.to_owned(), content));
    }));
    outcome.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| format!("snapshot {name} does not match"))
    })
}

/// Compares a timeline from a target whose clock the harness does not own with the
/// reference snapshot, both in their timing-free normal form.
fn check_normal_form(dir: &std::path::Path, name: &str, text: &str) -> StepResult {
    let path = dir.join(format!("{name}.snap"));
    let reference = std::fs::read_to_string(&path).map_err(|e| {
        crate::steps::Failure(format!(
            "no reference snapshot to compare with: {}: {e}",
            path.display()
        ))
    })?;
    let reference = snapshot_body(&reference);
    if agrees(reference, text) {
        return Ok(());
    }
    let (expected, actual) = (normal_form(reference), normal_form(text));
    Err(crate::steps::Failure(format!(
        "the pod timeline differs from {} in its timing-free normal form\n\nexpected (reference):\n{expected}\nactual:\n{actual}\ntimeline:\n{text}",
        path.display()
    )))
}

/// Holds the scenario's pod timeline against its snapshot.
#[then(expr = "the pod timeline matches the snapshot {string}")]
async fn matches_snapshot(w: &mut StsWorld, name: String) -> StepResult {
    let Some(dir) = directory() else {
        return Ok(());
    };
    let text = match w.timeline_text().await {
        Ok(t) => t,
        Err(e) => return Err(w.failure(e).await),
    };
    let name = name.replace(['<', '>'], "");
    if !w.target().exact_timing() {
        return check_normal_form(&dir, &name, &text);
    }
    check(&dir, &name, &text).map_err(|e| {
        crate::steps::Failure(format!(
            "the pod timeline differs from snapshots/{name}.snap:\n{e}"
        ))
    })
}
