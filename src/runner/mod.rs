//! `stsconform run`: selects scenarios from the feature files (embedded in the binary or
//! given as paths), runs them with cucumber on a target, checks each scenario's timeline
//! against its snapshot, writes JUnit and Cucumber JSON on request, and ends with one line
//! `N passed, N failed[, N skipped]` so a run that executed nothing cannot look green.

pub mod choice;
pub mod snapshot;
pub mod sources;

use crate::steps::StsWorld;
use cucumber::gherkin;
use cucumber::tag::Ext as _;
use cucumber::{World as _, WriterExt as _, writer};
use regex::Regex;
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use sources::Source;

/// What to run and how.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Feature files or folders; empty means the features compiled into the binary.
    pub paths: Vec<PathBuf>,
    /// A tag expression (`@ORD-01 and not @slow`).
    pub tags: Option<String>,
    /// Only scenarios whose name matches.
    pub name: Option<Regex>,
    /// Write a JUnit report here.
    pub junit: Option<PathBuf>,
    /// Write a Cucumber JSON report here.
    pub json: Option<PathBuf>,
    /// How many scenarios may run at once.
    pub concurrency: Option<usize>,
    /// Print the selection instead of running it.
    pub list: bool,
    /// Where the reference timelines come from (compiled in by default).
    pub snapshots: snapshot::Snapshots,
    /// Run on this cluster instead of fresh reference clusters.
    pub cluster: Option<choice::ClusterRun>,
    /// Count skipped scenarios as failed.
    pub strict: bool,
    /// Write every scenario's timeline here (`--timelines DIR`).
    pub timelines: Option<PathBuf>,
}

/// Failures before any scenario runs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A feature file could not be read.
    #[error("failed to read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A feature file did not parse.
    #[error("{0}")]
    Parse(String),
    /// The tag expression did not parse.
    #[error("invalid tag expression {expr:?}: {message}")]
    Tags { expr: String, message: String },
    /// The cluster cannot be used.
    #[error(transparent)]
    Connect(#[from] crate::targets::kube::session::ConnectError),
    /// The snapshot configuration cannot be used.
    #[error(transparent)]
    Snapshots(#[from] snapshot::SnapshotError),
    /// A report file could not be created.
    #[error("failed to create {path}: {source}")]
    Report {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub selected: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Whether cucumber itself saw failures (parse errors, hook errors, failed steps).
    pub execution_failed: bool,
    /// The exit code of a run stopped by a signal (130 for SIGINT, 143 for SIGTERM).
    pub interrupted: Option<i32>,
}

impl Outcome {
    /// Exit code: 0 only when scenarios were selected and all passed.
    pub fn exit_code(&self) -> i32 {
        if let Some(code) = self.interrupted {
            return code;
        }
        // Every selected scenario must have been accounted for: one that did not run must
        // not look green.
        let unaccounted = self.passed + self.skipped != self.selected;
        if self.selected == 0 || self.failed > 0 || unaccounted || self.execution_failed {
            crate::commands::exit::FAILED
        } else {
            crate::commands::exit::OK
        }
    }

    /// The closing line.
    pub fn summary(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

/// All tags of a scenario, owned.
fn tag_list(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    tags_of(feature, rule, scenario)
        .into_iter()
        .cloned()
        .collect()
}

/// All tags that apply to a scenario: the feature's, the rule's and its own.
fn tags_of<'a>(
    feature: &'a gherkin::Feature,
    rule: Option<&'a gherkin::Rule>,
    scenario: &'a gherkin::Scenario,
) -> Vec<&'a String> {
    feature
        .tags
        .iter()
        .chain(rule.into_iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter())
        .collect()
}

/// The scenario filter for the options.
fn selector(
    options: &RunOptions,
) -> Result<
    impl Fn(&gherkin::Feature, Option<&gherkin::Rule>, &gherkin::Scenario) -> bool + Clone + 'static,
    RunError,
> {
    let tags = match &options.tags {
        Some(expr) => Some(
            expr.parse::<gherkin::tagexpr::TagOperation>()
                .map_err(|e| RunError::Tags {
                    expr: expr.clone(),
                    message: e.to_string(),
                })?,
        ),
        None => None,
    };
    let name = options.name.clone();
    Ok(
        move |feature: &gherkin::Feature,
              rule: Option<&gherkin::Rule>,
              scenario: &gherkin::Scenario| {
            let tag_names: Vec<String> = tags_of(feature, rule, scenario)
                .into_iter()
                .map(|t| t.trim_start_matches('@').to_owned())
                .collect();
            tags.as_ref().is_none_or(|op| op.eval(tag_names.iter()))
                && name.as_ref().is_none_or(|re| re.is_match(&scenario.name))
        },
    )
}

/// Lists the selected scenarios as `path:line: Feature: Scenario  @tags`.
///
/// # Errors
/// Unreadable or unparsable features, a bad tag expression.
pub fn list(options: &RunOptions) -> Result<(Vec<String>, Outcome), RunError> {
    let features = sources::load(options)?;
    let select = selector(options)?;
    let mut lines = Vec::new();
    for (path, feature) in &features {
        let scenarios = feature.scenarios.iter().map(|s| (None, s)).chain(
            feature
                .rules
                .iter()
                .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
        );
        for (rule, scenario) in scenarios {
            if select(feature, rule, scenario) {
                let tags: Vec<String> = tags_of(feature, rule, scenario)
                    .iter()
                    .map(|t| format!("@{t}"))
                    .collect();
                lines.push(format!(
                    "{path}:{}: {} / {}  {}",
                    scenario.position.line,
                    feature.name,
                    scenario.name,
                    tags.join(" ")
                ));
            }
        }
    }
    let selected = lines.len();
    Ok((
        lines,
        Outcome {
            selected,
            ..Outcome::default()
        },
    ))
}

/// Runs the selected scenarios on fresh reference clusters, or on the cluster of
/// `options.cluster`, one namespace per scenario.
///
/// # Errors
/// Unreadable or unparsable features, a bad tag expression, report files that cannot be
/// created, a cluster that cannot be used. Failing scenarios are not errors: they are
/// counted in the [`Outcome`].
pub async fn run(options: &RunOptions) -> Result<Outcome, RunError> {
    let (_, listed) = list(options)?;
    if listed.selected == 0 {
        return Ok(listed);
    }
    let session = Arc::new(
        snapshot::Session::new(options.snapshots.clone(), snapshot::Policy::from_env())?
            .with_timelines(options.timelines.clone())?,
    );
    let choice = match &options.cluster {
        Some(cluster) => choice::TargetChoice::connect(cluster.clone()).await?,
        None => choice::TargetChoice::Reference,
    };
    println!("{}", choice.describe());
    let features = sources::load(options)?;
    let select = selector(options)?;
    let mut skipped_by_tags = 0;
    for (path, feature) in &features {
        for (rule, scenario) in scenarios_of(feature) {
            if !select(feature, rule, scenario) {
                continue;
            }
            if let Some(reason) = choice.skip_reason(&tag_list(feature, rule, scenario)) {
                skipped_by_tags += 1;
                println!(
                    "skipped: {path}:{}: {}: {reason}",
                    scenario.position.line, scenario.name
                );
            }
        }
    }
    let features: Vec<gherkin::Feature> = features
        .into_iter()
        .map(|(_, f)| {
            if session.enabled() {
                snapshot::add_snapshot_steps(f)
            } else {
                f
            }
        })
        .collect();

    let report = |path: &Option<PathBuf>| -> Result<Box<dyn io::Write>, RunError> {
        match path {
            Some(p) => std::fs::File::create(p)
                .map(|f| Box::new(io::BufWriter::new(f)) as Box<dyn io::Write>)
                .map_err(|source| RunError::Report {
                    path: p.display().to_string(),
                    source,
                }),
            None => Ok(Box::new(io::sink())),
        }
    };
    let junit = report(&options.junit)?;
    let json = report(&options.json)?;

    // passed, failed, skipped
    let counts = Arc::new([
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(skipped_by_tags),
    ]);
    let in_hook = counts.clone();
    let strict = options.strict;
    let opener = choice.clone();
    let closer = choice.clone();
    let for_scenarios = session.clone();
    let runnable = {
        let choice = choice.clone();
        move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
            select(f, r, s) && choice.skip_reason(&tag_list(f, r, s)).is_none()
        }
    };
    let suite = StsWorld::cucumber::<&str>()
        .with_parser(sources::Preparsed)
        .with_writer(
            writer::Basic::raw(io::stdout(), writer::Coloring::Auto, 0)
                .summarized()
                .tee::<StsWorld, _>(writer::JUnit::for_tee(junit, 0))
                .tee::<StsWorld, _>(writer::Json::for_tee(json))
                .normalized(),
        )
        .fail_on_skipped()
        .with_default_cli()
        .max_concurrent_scenarios(options.concurrency.unwrap_or(1).max(1))
        .before(move |feature, rule, scenario, world| {
            let tags = tag_list(feature, rule, scenario);
            let name = scenario.name.clone();
            let choice = opener.clone();
            world.snapshot = for_scenarios.enabled().then(|| snapshot::ScenarioSnapshot {
                session: for_scenarios.clone(),
                source: snapshot::scenario_source(feature, scenario),
            });
            Box::pin(async move {
                match choice.open(&tags, &name).await {
                    Ok(target) => world.use_target(target),
                    // A failing hook fails the scenario with this message.
                    Err(e) => panic!("could not set up the scenario's target: {e}"),
                }
            })
        })
        .after(move |_, _, scenario, finished, world| {
            let passed = matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
            let skip = world.as_ref().and_then(|w| w.skip_reason.clone());
            // Skipped steps (undefined ones) fail the scenario: the run uses fail_on_skipped.
            let slot = match (passed, &skip) {
                (true, _) => 0,
                (false, Some(_)) if !strict => 2,
                _ => 1,
            };
            if let (false, Some(reason)) = (passed, &skip) {
                println!("skipped: {}: {reason}", scenario.name);
            }
            in_hook[slot].fetch_add(1, Ordering::SeqCst);
            let keep = !passed && closer.keep_failed();
            let session = closer.session().cloned();
            Box::pin(async move {
                let Some(world) = world else { return };
                let namespace = world.target().namespace().to_owned();
                if keep {
                    println!("kept namespace {namespace} of the failed scenario");
                    if let Some(session) = session {
                        session.forget(&namespace);
                    }
                } else if let Err(e) = world.target().cleanup().await {
                    eprintln!("warning: cleaning up after the scenario: {e}");
                }
            })
        })
        .filter_run(features, move |f, r, s| runnable(f, r, s));
    let writer = tokio::select! {
        writer = suite => writer,
        code = interrupted() => {
            eprintln!("interrupted: no further scenario starts; deleting the namespaces this run created");
            if let Some(session) = choice.session() {
                for failure in session.delete_all(std::time::Duration::from_secs(120)).await {
                    eprintln!("warning: {failure}");
                }
            }
            return Ok(Outcome {
                selected: listed.selected,
                passed: counts[0].load(Ordering::SeqCst),
                failed: counts[1].load(Ordering::SeqCst),
                skipped: counts[2].load(Ordering::SeqCst),
                execution_failed: true,
                interrupted: Some(code),
            });
        }
    };
    use cucumber::writer::Stats as _;
    // After cucumber's own output, so the notes are the last thing before the summary.
    let mut out = io::stdout().lock();
    for note in session.notes() {
        let _ = writeln!(out, "{note}");
    }
    Ok(Outcome {
        selected: listed.selected,
        passed: counts[0].load(Ordering::SeqCst),
        failed: counts[1].load(Ordering::SeqCst),
        skipped: counts[2].load(Ordering::SeqCst),
        execution_failed: writer.execution_has_failed(),
        interrupted: None,
    })
}

/// Resolves with the conventional exit code when SIGINT (130) or SIGTERM (143) arrives.
async fn interrupted() -> i32 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => 130,
            _ = term.recv() => 143,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        130
    }
}

/// A feature's scenarios with their rules.
fn scenarios_of(
    feature: &gherkin::Feature,
) -> impl Iterator<Item = (Option<&gherkin::Rule>, &gherkin::Scenario)> {
    feature.scenarios.iter().map(|s| (None, s)).chain(
        feature
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::exit;

    fn outcome(selected: usize, passed: usize, failed: usize, skipped: usize) -> Outcome {
        Outcome {
            selected,
            passed,
            failed,
            skipped,
            ..Outcome::default()
        }
    }

    #[test]
    fn a_selected_scenario_that_did_not_run_fails_the_run() {
        assert_eq!(outcome(3, 2, 0, 0).exit_code(), exit::FAILED);
        assert_eq!(outcome(3, 3, 0, 0).exit_code(), exit::OK);
        assert_eq!(outcome(3, 2, 0, 1).exit_code(), exit::OK);
        assert_eq!(outcome(3, 2, 1, 0).exit_code(), exit::FAILED);
        assert_eq!(outcome(0, 0, 0, 0).exit_code(), exit::FAILED);
        let cucumber_failed = Outcome {
            execution_failed: true,
            ..outcome(1, 1, 0, 0)
        };
        assert_eq!(cucumber_failed.exit_code(), exit::FAILED);
        let interrupted = Outcome {
            interrupted: Some(130),
            ..outcome(3, 3, 0, 0)
        };
        assert_eq!(interrupted.exit_code(), 130);
    }

    #[test]
    fn the_closing_line_counts_skips_only_when_there_are_some() {
        assert_eq!(outcome(3, 3, 0, 0).summary(), "3 passed, 0 failed");
        assert_eq!(
            outcome(3, 2, 0, 1).summary(),
            "2 passed, 0 failed, 1 skipped"
        );
    }
}
