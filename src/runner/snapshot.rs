//! Timeline snapshots: every scenario ends with an implicit step
//! `Then the pod timeline matches the snapshot "<feature>__<scenario>"`, checked against
//! the reference snapshots compiled into the binary ([`reference`]) or against a folder of
//! `.snap` files (`--snapshots DIR`, the repository's `snapshots/`). Files keep insta's
//! format (a `---` header naming the scenario, then the timeline), so `cargo insta
//! review` and `stsconform snapshots review` both read them.
//!
//! What happens on a mismatch is decided by a [`Policy`]: under CI (any non-empty `CI`
//! variable) nothing is written and a missing or differing snapshot fails; otherwise a
//! differing snapshot fails and leaves a `.snap.new` beside it for review, and a missing
//! one is reported as new (written as `.snap.new`, or as `.snap` with
//! `INSTA_UPDATE=always`).

use crate::steps::{Failure, StepResult, StsWorld};
use crate::timeline::normal::{agrees, normal_form};
use cucumber::gherkin;
use cucumber::then;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

include!(concat!(env!("OUT_DIR"), "/embedded_snapshots.rs"));

/// The reference snapshot `name` compiled into the binary: the timeline text, without the
/// file's header. `name` is `<feature file stem>__<scenario slug>` as [`add_snapshot_steps`]
/// builds it (outline example values joined without angle brackets).
pub fn reference(name: &str) -> Option<&'static str> {
    EMBEDDED_SNAPSHOTS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| body(EMBEDDED_SNAPSHOTS[i].1))
}

/// The names of every snapshot compiled into the binary, sorted.
pub fn reference_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED_SNAPSHOTS.iter().map(|(n, _)| *n)
}

/// The timeline of a snapshot file's text: what follows its `---` … `---` header.
pub fn body(file: &str) -> &str {
    let Some(rest) = file.strip_prefix("---\n").or(file.strip_prefix("---\r\n")) else {
        return file;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    file
}

/// The `source:` of a snapshot file's header, if it has one.
fn source_of(file: &str) -> Option<&str> {
    file.strip_prefix("---")?
        .lines()
        .take_while(|l| l.trim_end() != "---")
        .find_map(|l| l.strip_prefix("source:"))
        .map(str::trim)
}

/// Timelines compare as insta compares them: trailing whitespace and line endings aside.
fn normalize(text: &str) -> String {
    text.trim_end().replace("\r\n", "\n")
}

/// A snapshot file's text: insta's header naming the scenario, then the timeline.
pub fn file_text(source: &str, timeline: &str) -> String {
    format!("---\nsource: {source}\n---\n{}\n", normalize(timeline))
}

/// Where the reference timelines come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Snapshots {
    /// No snapshot checks (`--no-snapshots`).
    Off,
    /// The snapshots compiled into the binary.
    #[default]
    Embedded,
    /// `.snap` files in this folder, which must exist.
    Directory(PathBuf),
}

/// What a run may write when a timeline has no snapshot or differs from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Under CI nothing is written, and a missing snapshot fails like a differing one.
    pub ci: bool,
    /// `INSTA_UPDATE=always`: (re)write `.snap` files in place instead of `.snap.new`.
    pub overwrite: bool,
    /// `INSTA_UPDATE=no`: never write anything.
    pub read_only: bool,
}

impl Policy {
    /// The policy of the environment: `CI` (any non-empty value) and `INSTA_UPDATE`.
    pub fn from_env() -> Policy {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        let update = std::env::var("INSTA_UPDATE").unwrap_or_default();
        Policy {
            ci,
            overwrite: update == "always" && !ci,
            read_only: update == "no" || ci,
        }
    }
}

/// What a check left for the user to look at (besides failures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A scenario without a snapshot: its timeline was written here (or nowhere).
    New {
        name: String,
        written: Option<PathBuf>,
    },
    /// A differing snapshot left its new version here for review.
    Pending { name: String, written: PathBuf },
    /// `INSTA_UPDATE=always` rewrote this snapshot.
    Updated { name: String, written: PathBuf },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::New {
                name,
                written: Some(path),
            } => write!(
                f,
                "new snapshot {name}: written to {} (review with `stsconform snapshots review`)",
                path.display()
            ),
            Note::New {
                name,
                written: None,
            } => write!(
                f,
                "new snapshot {name}: not recorded (no snapshot folder; run with --snapshots DIR to record it)"
            ),
            Note::Pending { name, written } => write!(
                f,
                "snapshot {name} differs: the new timeline is in {} (review with `stsconform snapshots review`)",
                written.display()
            ),
            Note::Updated { name, written } => {
                write!(f, "snapshot {name} updated: {}", written.display())
            }
        }
    }
}

/// One run's snapshot configuration and what its checks noted; shared by its scenarios.
#[derive(Debug)]
pub struct Session {
    snapshots: Snapshots,
    policy: Policy,
    notes: Mutex<Vec<Note>>,
    /// `--timelines DIR`: every scenario's timeline is written here too.
    timelines: Option<PathBuf>,
}

/// Failures before any scenario runs.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// `--snapshots DIR` names a folder that does not exist.
    #[error(
        "snapshot folder {0} does not exist: create it to record snapshots there, or leave out --snapshots to use the ones compiled in"
    )]
    NoDirectory(String),
    /// `--timelines DIR` cannot be created.
    #[error("failed to create the timelines folder {path}: {source}")]
    Timelines {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Session {
    /// A session checking against `snapshots` under `policy`.
    ///
    /// # Errors
    /// [`SnapshotError::NoDirectory`] for a folder that does not exist (it is not created).
    pub fn new(snapshots: Snapshots, policy: Policy) -> Result<Session, SnapshotError> {
        if let Snapshots::Directory(dir) = &snapshots
            && !dir.is_dir()
        {
            return Err(SnapshotError::NoDirectory(dir.display().to_string()));
        }
        Ok(Session {
            snapshots,
            policy,
            notes: Mutex::new(Vec::new()),
            timelines: None,
        })
    }

    /// Also writes every scenario's timeline to `dir` (created if missing), as
    /// `<snapshot name>.txt`: for review and CI artifacts, whatever the target.
    ///
    /// # Errors
    /// [`SnapshotError::Timelines`] when the folder cannot be created.
    pub fn with_timelines(mut self, dir: Option<PathBuf>) -> Result<Session, SnapshotError> {
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).map_err(|source| SnapshotError::Timelines {
                path: dir.display().to_string(),
                source,
            })?;
        }
        self.timelines = dir;
        Ok(self)
    }

    /// Whether scenarios get a snapshot step at all (it also writes `--timelines`).
    pub fn enabled(&self) -> bool {
        self.snapshots != Snapshots::Off || self.timelines.is_some()
    }

    /// Writes `timeline` to the `--timelines` folder, if there is one.
    ///
    /// # Errors
    /// The file that could not be written.
    pub fn keep_timeline(&self, name: &str, source: &str, timeline: &str) -> Result<(), String> {
        let Some(dir) = &self.timelines else {
            return Ok(());
        };
        let path = dir.join(format!("{name}.txt"));
        std::fs::write(&path, format!("# {source}\n{timeline}"))
            .map_err(|e| format!("failed to write {}: {e}", path.display()))
    }

    /// What the checks so far noted, in the order they happened.
    pub fn notes(&self) -> Vec<Note> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    fn note(&self, note: Note) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }

    /// Compares a timeline from a target whose clock the harness does not own with the
    /// reference snapshot `name`, both in their timing-free normal form; writes nothing,
    /// since a cluster's timeline is never a reference.
    ///
    /// # Errors
    /// The two normal forms and the timeline when they disagree, or a missing snapshot.
    pub fn check_normal_form(&self, name: &str, timeline: &str) -> Result<(), String> {
        let reference: Cow<'_, str> = match &self.snapshots {
            Snapshots::Off => return Ok(()),
            Snapshots::Embedded => match reference(name) {
                Some(text) => Cow::Borrowed(text),
                None => return Err(format!("no reference snapshot {name} to compare with")),
            },
            Snapshots::Directory(dir) => {
                let path = dir.join(format!("{name}.snap"));
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "no reference snapshot to compare with: {}: {e}",
                        path.display()
                    )
                })?;
                Cow::Owned(body(&text).to_owned())
            }
        };
        if agrees(&reference, timeline) {
            return Ok(());
        }
        Err(format!(
            "the pod timeline differs from snapshot {name} in its timing-free normal form\n\nexpected (reference):\n{}\nactual:\n{}\ntimeline:\n{timeline}",
            normal_form(&reference),
            normal_form(timeline)
        ))
    }

    /// Holds `timeline` against snapshot `name`; `source` (`file:line` of the scenario)
    /// heads any file written.
    ///
    /// # Errors
    /// The difference (expected and actual, line by line) when the snapshot differs, a
    /// missing snapshot under CI, a snapshot file that cannot be read or written.
    pub fn check(&self, name: &str, source: &str, timeline: &str) -> Result<(), String> {
        let (expected, stored_source): (Option<Cow<'_, str>>, Option<String>) =
            match &self.snapshots {
                Snapshots::Off => return Ok(()),
                Snapshots::Embedded => (reference(name).map(Cow::Borrowed), None),
                Snapshots::Directory(dir) => {
                    let path = dir.join(format!("{name}.snap"));
                    match std::fs::read_to_string(&path) {
                        Ok(text) => (
                            Some(Cow::Owned(body(&text).to_owned())),
                            source_of(&text).map(str::to_owned),
                        ),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, None),
                        Err(e) => return Err(format!("failed to read {}: {e}", path.display())),
                    }
                }
            };
        let dir = match &self.snapshots {
            Snapshots::Directory(dir) => Some(dir.as_path()),
            _ => None,
        };
        let write = |suffix: &str| -> Result<Option<PathBuf>, String> {
            let Some(dir) = dir.filter(|_| !self.policy.read_only) else {
                return Ok(None);
            };
            let path = dir.join(format!("{name}.{suffix}"));
            std::fs::write(&path, file_text(source, timeline))
                .map(|()| Some(path.clone()))
                .map_err(|e| format!("failed to write {}: {e}", path.display()))
        };
        match expected {
            Some(expected) if normalize(&expected) == normalize(timeline) => {
                // Keeps headers naming the scenario's current place when rewriting.
                if self.policy.overwrite && stored_source.as_deref() != Some(source) {
                    write("snap")?;
                }
                Ok(())
            }
            Some(expected) => {
                let where_ = match dir {
                    Some(dir) => format!("{}/{name}.snap", dir.display()),
                    None => format!("the compiled-in snapshot {name}"),
                };
                if self.policy.overwrite
                    && let Some(written) = write("snap")?
                {
                    self.note(Note::Updated {
                        name: name.to_owned(),
                        written,
                    });
                    return Ok(());
                }
                let mut message = format!(
                    "the pod timeline differs from {where_} (- expected, + actual):\n{}",
                    diff(&expected, timeline)
                );
                if let Some(written) = write("snap.new")? {
                    let _ = write!(
                        message,
                        "\nthe new timeline is in {} (review with `stsconform snapshots review`)",
                        written.display()
                    );
                    self.note(Note::Pending {
                        name: name.to_owned(),
                        written,
                    });
                }
                Err(message)
            }
            None if self.policy.ci => Err(format!(
                "no snapshot {name} (CI is set, so a missing snapshot fails): record it by running without CI, review it and commit it\nthe timeline:\n{}",
                normalize(timeline)
            )),
            None => {
                let written = write(if self.policy.overwrite {
                    "snap"
                } else {
                    "snap.new"
                })?;
                self.note(Note::New {
                    name: name.to_owned(),
                    written,
                });
                Ok(())
            }
        }
    }
}

/// A line diff of two timelines: `-` expected, `+` actual, unchanged lines indented.
pub fn diff(expected: &str, actual: &str) -> String {
    let (expected, actual) = (normalize(expected), normalize(actual));
    let text = similar::TextDiff::from_lines(&expected, &actual);
    let mut out = String::new();
    for change in text.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let _ = writeln!(out, "{sign} {}", change.value().trim_end_matches('\n'));
    }
    out
}

/// A scenario's handle on its run's snapshots: the session and where the scenario is.
#[derive(Debug, Clone)]
pub struct ScenarioSnapshot {
    pub session: Arc<Session>,
    /// `file:line` of the scenario, written into new snapshot files.
    pub source: String,
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

/// `file:line` of a scenario, for snapshot headers.
pub fn scenario_source(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> String {
    let file = feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| feature.name.clone());
    format!("{file}:{}", scenario.position.line)
}

/// Holds the scenario's pod timeline against its snapshot.
#[then(expr = "the pod timeline matches the snapshot {string}")]
async fn matches_snapshot(w: &mut StsWorld, name: String) -> StepResult {
    let Some(context) = w.snapshot.clone() else {
        // Snapshot checks are off for this run (`--no-snapshots`).
        return Ok(());
    };
    let text = match w.timeline_text().await {
        Ok(t) => t,
        Err(e) => return Err(w.failure(e).await),
    };
    let name = name.replace(['<', '>'], "");
    if !w.target().exact_timing() {
        let view = match w.target().view().await {
            Ok(v) => v,
            Err(e) => return Err(w.failure(e).await),
        };
        let violations: Vec<String> = view
            .events
            .iter()
            .filter(|e| e.reason.as_deref() == Some(crate::model::INVARIANT_VIOLATED))
            .map(|e| format!("  - {}", e.message.as_deref().unwrap_or("")))
            .collect();
        if !violations.is_empty() {
            return Err(Failure(format!(
                "the API server recorded {} {} event(s): the controller broke upstream's invariants:\n{}",
                violations.len(),
                crate::model::INVARIANT_VIOLATED,
                violations.join("\n")
            )));
        }
    }
    context
        .session
        .keep_timeline(&name, &context.source, &text)
        .map_err(Failure)?;
    if !w.target().exact_timing() {
        return context
            .session
            .check_normal_form(&name, &text)
            .map_err(Failure);
    }
    context
        .session
        .check(&name, &context.source, &text)
        .map_err(Failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        ci: true,
        overwrite: false,
        read_only: true,
    };
    const LOCAL: Policy = Policy {
        ci: false,
        overwrite: false,
        read_only: false,
    };

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("stsconform-snapshot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn every_snapshot_of_the_repository_is_compiled_in_under_its_name() {
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"))
            .expect("snapshots/")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "snap"))
            .count();
        assert_eq!(reference_names().count(), on_disk);
        let timeline = reference(
            "ordering__a-deleted-lower-pod-is-recreated-even-while-a-higher-pod-is-unready",
        )
        .expect("compiled in");
        assert!(timeline.starts_with("TIME "), "{timeline}");
        assert!(!timeline.contains("source:"), "{timeline}");
        assert_eq!(reference("ordering__no-such-scenario"), None);
    }

    #[test]
    fn every_compiled_in_name_is_found_by_lookup() {
        for name in reference_names() {
            assert!(reference(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_body_follows_the_header() {
        assert_eq!(body("---\nsource: x\n---\nTIME\n"), "TIME\n");
        assert_eq!(body("TIME\n"), "TIME\n");
        assert_eq!(
            source_of("---\nsource: a.feature:3\n---\nT\n"),
            Some("a.feature:3")
        );
    }

    #[test]
    fn a_missing_snapshot_fails_under_ci_and_writes_nothing() {
        let dir = temp("ci-missing");
        let session = Session::new(Snapshots::Directory(dir.clone()), STRICT).expect("session");
        let err = session.check("f__s", "f.feature:3", "TIME\n").unwrap_err();
        assert!(err.contains("no snapshot f__s"), "{err}");
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0);
        let embedded = Session::new(Snapshots::Embedded, STRICT).expect("session");
        assert!(embedded.check("f__s", "f.feature:3", "TIME\n").is_err());
    }

    #[test]
    fn a_missing_snapshot_outside_ci_is_written_as_new_and_reported() {
        let dir = temp("local-missing");
        let session = Session::new(Snapshots::Directory(dir.clone()), LOCAL).expect("session");
        session
            .check("f__s", "f.feature:3", "TIME\n")
            .expect("passes");
        let written = dir.join("f__s.snap.new");
        assert_eq!(
            std::fs::read_to_string(&written).expect("written"),
            "---\nsource: f.feature:3\n---\nTIME\n"
        );
        assert_eq!(
            session.notes(),
            vec![Note::New {
                name: "f__s".into(),
                written: Some(written)
            }]
        );
        let embedded = Session::new(Snapshots::Embedded, LOCAL).expect("session");
        embedded
            .check("f__s", "f.feature:3", "TIME\n")
            .expect("passes");
        assert!(embedded.notes()[0].to_string().contains("not recorded"));
    }

    #[test]
    fn a_differing_snapshot_fails_with_a_line_diff_and_leaves_the_new_one_outside_ci() {
        let dir = temp("differs");
        std::fs::write(dir.join("f__s.snap"), "---\nsource: f:1\n---\nA\nB\n").expect("write");
        let local = Session::new(Snapshots::Directory(dir.clone()), LOCAL).expect("session");
        let err = local.check("f__s", "f.feature:3", "A\nC\n").unwrap_err();
        assert!(err.contains("  A\n- B\n+ C\n"), "{err}");
        assert!(dir.join("f__s.snap.new").exists());
        std::fs::remove_file(dir.join("f__s.snap.new")).expect("remove");
        let strict = Session::new(Snapshots::Directory(dir.clone()), STRICT).expect("session");
        assert!(strict.check("f__s", "f.feature:3", "A\nC\n").is_err());
        assert!(!dir.join("f__s.snap.new").exists());
        strict
            .check("f__s", "f.feature:3", "A\r\nB\n\n")
            .expect("line endings and trailing blank lines do not count");
    }

    #[test]
    fn overwrite_rewrites_in_place_and_refreshes_the_source() {
        let dir = temp("overwrite");
        std::fs::write(dir.join("f__s.snap"), "---\nsource: old\n---\nA\n").expect("write");
        let policy = Policy {
            ci: false,
            overwrite: true,
            read_only: false,
        };
        let session = Session::new(Snapshots::Directory(dir.clone()), policy).expect("session");
        session.check("f__s", "f.feature:3", "A\n").expect("passes");
        assert_eq!(
            std::fs::read_to_string(dir.join("f__s.snap")).expect("read"),
            "---\nsource: f.feature:3\n---\nA\n"
        );
    }

    #[test]
    fn a_folder_that_does_not_exist_is_an_error_and_is_not_created() {
        let dir = std::env::temp_dir().join(format!("stsconform-absent-{}", std::process::id()));
        let err = Session::new(Snapshots::Directory(dir.clone()), LOCAL).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!dir.exists());
    }
}
