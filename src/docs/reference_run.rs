//! The reference run behind the site's charts: every scenario runs once on a fresh reference
//! cluster, as `stsconform run` runs it, and its pod timeline (the one its snapshot holds)
//! is kept with whether its steps passed.

use crate::runner::choice::behaviour_from_tags;
use crate::steps::StsWorld;
use crate::targets::reference::ReferenceTarget;
use crate::timeline::Timeline;
use cucumber::gherkin;
use cucumber::{World as _, WriterExt as _, writer};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What the reference run saw of one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The pod timeline at the scenario's end; `None` when the cluster could not be read.
    pub timeline: Option<Timeline>,
    /// Whether every step passed.
    pub passed: bool,
}

/// Scenarios by (feature file name, scenario line).
pub type Captures = BTreeMap<(String, usize), Captured>;

/// The tags that apply to a scenario, `@` removed: the feature's, the rule's and its own.
pub fn effective_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let all = feature
        .tags
        .iter()
        .chain(rule.into_iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter());
    for tag in all {
        let tag = tag.trim_start_matches('@').to_owned();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// The key of a scenario in [`Captures`].
pub fn key(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> (String, usize) {
    let file = feature
        .path
        .as_deref()
        .map(super::results::file_name)
        .unwrap_or_default();
    (file, scenario.position.line)
}

/// Runs every scenario of `features` on the reference cluster (the tags' `@kube-1.NN` and
/// gate settings applied) and captures each one's timeline. Failing scenarios are
/// captured too: their timeline shows how far they got.
pub async fn run(features: Vec<gherkin::Feature>) -> Captures {
    let captures: Arc<Mutex<Captures>> = Arc::default();
    let sink = captures.clone();
    StsWorld::cucumber::<&str>()
        .with_parser(crate::runner::sources::Preparsed)
        .with_writer(
            writer::Basic::raw(std::io::sink(), writer::Coloring::Never, 0)
                .summarized()
                .normalized(),
        )
        .fail_on_skipped()
        .with_default_cli()
        .before(|feature, rule, scenario, world| {
            let tags = effective_tags(feature, rule, scenario);
            world.use_target(Box::new(ReferenceTarget::with_behaviour(
                behaviour_from_tags(&tags),
            )));
            Box::pin(async {})
        })
        .after(move |feature, _, scenario, finished, world| {
            let sink = sink.clone();
            let key = key(feature, scenario);
            let passed = matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
            Box::pin(async move {
                let timeline = match world {
                    Some(world) => world.target().timeline().await.ok(),
                    None => None,
                };
                if let Ok(mut map) = sink.lock() {
                    map.insert(key, Captured { timeline, passed });
                }
            })
        })
        .filter_run(features, |_, _, _| true)
        .await;
    captures
        .lock()
        .map(|mut map| std::mem::take(&mut *map))
        .unwrap_or_default()
}
