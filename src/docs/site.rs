//! The site's model, built before any HTML: features with their scenarios and steps, each
//! scenario's chart from the reference run and its outcome per target, and the guarantee
//! catalogue joined to the scenarios tagged with each id.

use super::catalogue::{Catalogue, is_id};
use super::reference_run::{self, Captures};
use super::results::{Outcome, TargetResults};
use super::{markdown, timeline_svg, yaml};
use crate::runner::snapshot::slug;
use cucumber::gherkin;
use std::collections::{BTreeMap, BTreeSet};

/// One step as the site shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepView {
    pub keyword: String,
    /// The step text, escaped, quoted values marked.
    pub text_html: String,
    /// The docstring, highlighted.
    pub docstring_html: Option<String>,
    pub table: Option<Vec<Vec<String>>>,
}

/// A scenario's outcome on one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ResultView {
    pub target: String,
    /// `passed`, `failed`, `skipped`, or `none` when the report does not hold the scenario.
    pub outcome: String,
    pub message: Option<String>,
}

/// One scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioView {
    /// `<feature stem>__<scenario slug>`, the snapshot's name.
    pub slug: String,
    /// Its own page.
    pub page: String,
    pub name: String,
    pub line: usize,
    pub rule: Option<String>,
    pub feature_name: String,
    pub feature_page: String,
    pub file: String,
    /// Every tag that applies, without `@`.
    pub tags: Vec<String>,
    pub description_html: String,
    /// Background steps (the feature's, then the rule's).
    pub background: Vec<StepView>,
    pub steps: Vec<StepView>,
    /// The chart, `None` when no pod appeared (or the reference run could not read one).
    pub svg: Option<String>,
    pub lanes: usize,
    pub spans: usize,
    /// The timeline as its snapshot holds it.
    pub timeline_text: Option<String>,
    /// Whether the reference run of the docs passed the scenario's steps.
    pub reference_passed: Option<bool>,
    pub results: Vec<ResultView>,
    /// Lower-case text the filter searches.
    pub search: String,
}

/// A rule, or the feature's own scenarios.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupView {
    pub rule: Option<String>,
    pub description_html: String,
    pub background: Vec<StepView>,
    pub scenarios: Vec<ScenarioView>,
}

/// One feature file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureView {
    pub stem: String,
    pub page: String,
    pub file: String,
    pub name: String,
    pub description_html: String,
    pub tags: Vec<String>,
    pub background: Vec<StepView>,
    pub groups: Vec<GroupView>,
    pub scenario_count: usize,
}

/// A link to a scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioRef {
    pub page: String,
    pub name: String,
    pub feature_name: String,
}

/// A guarantee's cell in the matrix.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cell {
    pub target: String,
    /// `passed`, `failed`, `skipped` or `none`.
    pub outcome: String,
    /// `2 of 3 failed`, `all 3 passed` …
    pub detail: String,
}

/// One guarantee row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GuaranteeView {
    pub id: String,
    pub title_html: String,
    pub body_html: String,
    /// What the Kubernetes docs say about it, in words.
    pub docs_state: Option<String>,
    /// Errata that name it, as HTML.
    pub errata: Vec<String>,
    pub scenarios: Vec<ScenarioRef>,
    pub cells: Vec<Cell>,
    pub search: String,
}

/// One area of the catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AreaView {
    pub code: String,
    pub title: String,
    pub guarantees: Vec<GuaranteeView>,
}

/// A documentation erratum.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErratumView {
    pub html: String,
    /// Lower-case text the filter searches.
    pub search: String,
    pub ids: Vec<String>,
}

/// The whole site.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Site {
    pub features: Vec<FeatureView>,
    pub areas: Vec<AreaView>,
    pub errata: Vec<ErratumView>,
    /// Targets with results, in the order given.
    pub targets: Vec<String>,
    /// Catalogue ids no scenario carries.
    pub uncovered: Vec<String>,
    /// Tags that are no catalogue id (`@unverified`, `@since-1.27` …).
    pub other_tags: Vec<String>,
    pub scenario_count: usize,
    pub guarantee_count: usize,
    /// Things the reader of the command's output should know.
    pub notes: Vec<String>,
}

impl Site {
    /// Every scenario, feature by feature.
    pub fn scenarios(&self) -> impl Iterator<Item = &ScenarioView> {
        self.features
            .iter()
            .flat_map(|f| f.groups.iter().flat_map(|g| g.scenarios.iter()))
    }
}

/// Escapes a step's text and marks its quoted values.
fn step_text(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<q class=\"arg\">{}</q>", yaml::escape(part)));
        } else {
            out.push_str(&yaml::escape(part));
        }
    }
    // An odd number of quotes: the last part was not a value; show the quote it lost.
    if text.matches('"').count() % 2 == 1
        && let Some(pos) = out.rfind("<q class=\"arg\">")
    {
        out.replace_range(pos..pos + "<q class=\"arg\">".len(), "&quot;");
        if let Some(end) = out.rfind("</q>") {
            out.replace_range(end..end + 4, "");
        }
    }
    out
}

fn steps(steps: &[gherkin::Step]) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| StepView {
            keyword: s.keyword.trim().to_owned(),
            text_html: step_text(&s.value),
            docstring_html: s
                .docstring
                .as_deref()
                .map(|d| yaml::highlight(d.trim_matches('\n'))),
            table: s.table.as_ref().map(|t| t.rows.clone()),
        })
        .collect()
}

fn description(text: Option<&str>) -> String {
    text.map(|d| markdown::to_html(&markdown::dedent(d)))
        .unwrap_or_default()
}

/// The feature file's stem (`tutorial`).
fn stem(feature: &gherkin::Feature) -> String {
    feature
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| slug(&feature.name))
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Skipped => "skipped",
    }
}

/// Builds the site model.
pub fn build(
    features: &[gherkin::Feature],
    catalogue: &Catalogue,
    captures: &Captures,
    results: &[TargetResults],
) -> Site {
    let mut used_slugs = BTreeSet::new();
    let mut matched: Vec<BTreeSet<(String, usize)>> = vec![BTreeSet::new(); results.len()];
    let mut notes = Vec::new();
    let mut feature_views = Vec::new();
    for feature in features {
        let stem = stem(feature);
        let file = feature
            .path
            .as_deref()
            .map(super::results::file_name)
            .unwrap_or_else(|| format!("{stem}.feature"));
        let feature_page = format!("feature-{stem}.html");
        let feature_bg = feature
            .background
            .as_ref()
            .map(|b| steps(&b.steps))
            .unwrap_or_default();
        let mut groups: Vec<(Option<&gherkin::Rule>, Vec<&gherkin::Scenario>)> =
            vec![(None, feature.scenarios.iter().collect())];
        for rule in &feature.rules {
            groups.push((Some(rule), rule.scenarios.iter().collect()));
        }
        let mut group_views = Vec::new();
        for (rule, scenarios) in groups {
            if rule.is_none() && scenarios.is_empty() {
                continue;
            }
            let rule_bg = rule
                .and_then(|r| r.background.as_ref())
                .map(|b| steps(&b.steps))
                .unwrap_or_default();
            let mut views = Vec::new();
            for scenario in scenarios {
                let mut base = format!("{stem}__{}", slug(&scenario.name));
                if !used_slugs.insert(base.clone()) {
                    base = format!("{base}-l{}", scenario.position.line);
                    used_slugs.insert(base.clone());
                }
                let tags = reference_run::effective_tags(feature, rule, scenario);
                let key = reference_run::key(feature, scenario);
                let capture = captures.get(&key);
                let timeline = capture.and_then(|c| c.timeline.as_ref());
                let chart = timeline.map(timeline_svg::Chart::from_timeline);
                let svg = timeline.and_then(|t| {
                    timeline_svg::render(t, &format!("chart-{base}"), &scenario.name)
                });
                let mut result_views = Vec::new();
                for (index, target) in results.iter().enumerate() {
                    let found = target.find(&key.0, key.1);
                    if found.is_some() {
                        matched[index].insert(key.clone());
                    }
                    result_views.push(ResultView {
                        target: target.target.clone(),
                        outcome: found.map_or("none", |r| outcome_word(r.outcome)).to_owned(),
                        message: found.and_then(|r| r.message.clone()),
                    });
                }
                let search = format!(
                    "{} {} {} {}",
                    scenario.name,
                    feature.name,
                    rule.map(|r| r.name.as_str()).unwrap_or(""),
                    tags.iter()
                        .map(|t| format!("@{t}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
                .to_lowercase();
                views.push(ScenarioView {
                    page: format!("scenario-{base}.html"),
                    slug: base,
                    name: scenario.name.clone(),
                    line: scenario.position.line,
                    rule: rule.map(|r| r.name.clone()),
                    feature_name: feature.name.clone(),
                    feature_page: feature_page.clone(),
                    file: file.clone(),
                    tags,
                    description_html: description(scenario.description.as_deref()),
                    background: feature_bg.iter().chain(&rule_bg).cloned().collect(),
                    steps: steps(&scenario.steps),
                    lanes: chart.as_ref().map_or(0, |c| c.pods.len()),
                    spans: chart.as_ref().map_or(0, |c| c.spans.len()),
                    svg,
                    timeline_text: timeline.map(|t| t.render()),
                    reference_passed: capture.map(|c| c.passed),
                    results: result_views,
                    search,
                });
            }
            group_views.push(GroupView {
                rule: rule.map(|r| r.name.clone()),
                description_html: description(rule.and_then(|r| r.description.as_deref())),
                background: rule_bg,
                scenarios: views,
            });
        }
        let scenario_count = group_views.iter().map(|g| g.scenarios.len()).sum();
        feature_views.push(FeatureView {
            page: feature_page,
            file,
            name: feature.name.clone(),
            description_html: description(feature.description.as_deref()),
            tags: feature
                .tags
                .iter()
                .map(|t| t.trim_start_matches('@').to_owned())
                .collect(),
            background: feature_bg,
            groups: group_views,
            scenario_count,
            stem,
        });
    }
    for (index, target) in results.iter().enumerate() {
        let unmatched: Vec<String> = target
            .scenarios
            .iter()
            .filter(|s| !matched[index].contains(&(s.file.clone(), s.line)))
            .map(|s| format!("{}:{}", s.file, s.line))
            .collect();
        if !unmatched.is_empty() {
            notes.push(format!(
                "{} result(s) of target {:?} match no scenario of these features (run from other feature files?): {}",
                unmatched.len(),
                target.target,
                unmatched.join(", ")
            ));
        }
    }

    let mut site = Site {
        features: feature_views,
        areas: Vec::new(),
        errata: catalogue
            .errata
            .iter()
            .map(|e| ErratumView {
                html: markdown::inline(&e.text),
                search: markdown::plain(&e.text).to_lowercase(),
                ids: e.ids.clone(),
            })
            .collect(),
        targets: results.iter().map(|r| r.target.clone()).collect(),
        uncovered: Vec::new(),
        other_tags: Vec::new(),
        scenario_count: 0,
        guarantee_count: catalogue.guarantees().count(),
        notes,
    };
    site.scenario_count = site.scenarios().count();

    // Guarantee id → the scenarios tagged with it.
    let mut covering: BTreeMap<&str, Vec<&ScenarioView>> = BTreeMap::new();
    let mut other_tags = BTreeSet::new();
    for scenario in site.scenarios() {
        for tag in &scenario.tags {
            if is_id(tag) {
                covering.entry(tag.as_str()).or_default().push(scenario);
            } else {
                other_tags.insert(tag.clone());
            }
        }
    }
    let docs_state = |c: char| {
        match c {
            'Y' => "stated in the Kubernetes docs",
            'P' => "partly stated in the Kubernetes docs",
            'N' => "not in the Kubernetes docs",
            _ => "contradicted by the Kubernetes docs",
        }
        .to_owned()
    };
    let mut areas = Vec::new();
    let mut uncovered = Vec::new();
    for area in &catalogue.areas {
        let mut guarantees = Vec::new();
        for g in &area.guarantees {
            let scenarios = covering.get(g.id.as_str()).cloned().unwrap_or_default();
            if scenarios.is_empty() {
                uncovered.push(g.id.clone());
            }
            let cells = site
                .targets
                .iter()
                .enumerate()
                .map(|(index, target)| {
                    let outcomes: Vec<&str> = scenarios
                        .iter()
                        .filter_map(|s| s.results.get(index))
                        .map(|r| r.outcome.as_str())
                        .filter(|o| *o != "none")
                        .collect();
                    let count = |w: &str| outcomes.iter().filter(|o| **o == w).count();
                    let (outcome, detail) = if outcomes.is_empty() {
                        ("none", "no result".to_owned())
                    } else if count("failed") > 0 {
                        (
                            "failed",
                            format!("{} of {} failed", count("failed"), outcomes.len()),
                        )
                    } else if count("skipped") > 0 {
                        (
                            "skipped",
                            format!("{} of {} skipped", count("skipped"), outcomes.len()),
                        )
                    } else {
                        ("passed", format!("all {} passed", outcomes.len()))
                    };
                    Cell {
                        target: target.clone(),
                        outcome: outcome.to_owned(),
                        detail,
                    }
                })
                .collect();
            let title_text = markdown::plain(&g.title);
            guarantees.push(GuaranteeView {
                search: format!("{} {}", g.id, title_text).to_lowercase(),
                id: g.id.clone(),
                title_html: markdown::inline(&g.title),
                body_html: markdown::to_html(&g.body),
                docs_state: g.docs_state.map(docs_state),
                errata: catalogue
                    .errata_for(&g.id)
                    .iter()
                    .map(|e| markdown::inline(&e.text))
                    .collect(),
                scenarios: scenarios
                    .iter()
                    .map(|s| ScenarioRef {
                        page: s.page.clone(),
                        name: s.name.clone(),
                        feature_name: s.feature_name.clone(),
                    })
                    .collect(),
                cells,
            });
        }
        areas.push(AreaView {
            code: area.code.clone(),
            title: area.title.clone(),
            guarantees,
        });
    }
    site.areas = areas;
    site.uncovered = uncovered;
    site.other_tags = other_tags.into_iter().collect();
    site
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_text_marks_quoted_values() {
        assert_eq!(
            step_text(r#"the pod "web-0" is <ready>"#),
            r#"the pod <q class="arg">web-0</q> is &lt;ready&gt;"#
        );
        assert_eq!(step_text(r#"a " b"#), "a &quot; b");
    }
}
