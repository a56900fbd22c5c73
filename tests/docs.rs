//! `stsconform docs`: the generated site covers the catalogue, shows results per target
//! (a failing scenario as failed), draws the snapshot's timelines, and links only to pages
//! and anchors that exist.

mod docs_support;

use docs_support::{UPD_08, page, site, snapshot_lanes_and_spans};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::Path;
use stsconform::docs::catalogue::Catalogue;

/// Catalogue ids whose scenarios issue 16 adds. The test fails once one is covered, so the
/// list only shrinks.
const AWAITING_SCENARIOS: [&str; 3] = ["ID-09", "ID-10", "PVC-08"];

/// The `<tr>` of guarantee `id` on the index.
fn guarantee_row<'a>(index: &'a str, id: &str) -> &'a str {
    let start = index
        .find(&format!("<tr id=\"{id}\""))
        .unwrap_or_else(|| panic!("the index has no row for {id}"));
    let end = index[start..].find("</tr>").expect("the row ends") + start;
    &index[start..end]
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[test]
fn every_catalogue_guarantee_links_to_a_scenario_page() {
    let dir = site();
    let index = page(dir, "index.html");
    let link = Regex::new(r##"href="(scenario-[^"#]+\.html)""##).expect("regex");
    let catalogue = Catalogue::embedded().expect("the catalogue parses");
    let mut checked = 0;
    for g in catalogue.guarantees() {
        let row = guarantee_row(&index, &g.id);
        let pages: Vec<&str> = link
            .captures_iter(row)
            .map(|c| c.get(1).map_or("", |m| m.as_str()))
            .collect();
        if AWAITING_SCENARIOS.contains(&g.id.as_str()) {
            assert!(
                pages.is_empty(),
                "{} is covered now: remove it from AWAITING_SCENARIOS",
                g.id
            );
            assert!(row.contains("no scenario yet"), "{row}");
            continue;
        }
        assert!(!pages.is_empty(), "{} links to no scenario:\n{row}", g.id);
        for p in pages {
            assert!(dir.join(p).is_file(), "{} links to missing {p}", g.id);
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        catalogue.guarantees().count() - AWAITING_SCENARIOS.len()
    );
}

#[test]
fn the_catalogue_copy_has_the_ids_of_the_shared_catalogue() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/guarantees.md");
    let Ok(text) = std::fs::read_to_string(&shared) else {
        eprintln!(
            "no {} beside the repository: nothing to compare",
            shared.display()
        );
        return;
    };
    let ids =
        |c: &Catalogue| -> BTreeSet<String> { c.guarantees().map(|g| g.id.clone()).collect() };
    let shared = Catalogue::parse(&text).expect("the shared catalogue parses");
    let ours = Catalogue::embedded().expect("the copy parses");
    assert_eq!(
        ids(&ours),
        ids(&shared),
        "spec/guarantees.md lags behind ../shared/spec/guarantees.md: copy it over"
    );
}

#[test]
fn the_hand_made_reports_name_the_upd_08_scenarios() {
    let options = stsconform::runner::RunOptions {
        tags: Some("@UPD-08".into()),
        ..Default::default()
    };
    let (lines, _) = stsconform::runner::list(&options).expect("the selection lists");
    let listed: Vec<(String, usize)> = lines
        .iter()
        .map(|l| {
            let mut parts = l.splitn(3, ':');
            let file = parts
                .next()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let line = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            (file, line)
        })
        .collect();
    let expected: Vec<(String, usize)> =
        UPD_08.iter().map(|(f, l)| ((*f).to_owned(), *l)).collect();
    assert_eq!(listed, expected);
}

#[test]
fn a_scenario_failing_on_a_target_shows_as_failed_in_the_matrix_and_on_its_page() {
    let dir = site();
    let index = page(dir, "index.html");
    let row = guarantee_row(&index, "UPD-08");
    assert!(
        row.contains(r#"<td class="cell failed"><span class="outcome failed" data-target="kind" data-outcome="failed">"#),
        "{row}"
    );
    assert!(row.contains("1 of 3 failed"), "{row}");
    assert!(
        row.contains(r#"<td class="cell passed"><span class="outcome passed" data-target="reference" data-outcome="passed">"#),
        "{row}"
    );
    assert!(row.contains("all 4 passed"), "{row}");
    // A guarantee none of whose scenarios the reports hold has no result, not a pass.
    let row = guarantee_row(&index, "ID-01");
    assert_eq!(row.matches(r#"data-outcome="none""#).count(), 2, "{row}");

    let scenario = page(
        dir,
        "scenario-tutorial__3-1-erratum-a-pod-deleted-before-the-rollout-reaches-it-comes-back-at-the-new-revision.html",
    );
    assert!(
        scenario.contains(r#"data-target="kind" data-outcome="failed""#),
        "{scenario}"
    );
    assert!(
        scenario.contains("expected web-1 at rev2, got rev1"),
        "{scenario}"
    );
    assert!(scenario.contains(r#"data-target="reference" data-outcome="passed""#));
    let skipped = page(
        dir,
        "scenario-rolling-update__without-a-rollingupdate-block-a-failed-pod-comes-back-at-the-current-revision.html",
    );
    assert!(
        skipped.contains(r#"data-target="kind" data-outcome="skipped""#),
        "{skipped}"
    );
}

#[test]
fn every_chart_is_drawn_from_the_timeline_its_snapshot_holds() {
    let dir = site();
    let pre = Regex::new(r#"(?s)<pre class="timeline-text">(.*?)</pre>"#).expect("regex");
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).expect("the site folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(slug) = name
            .strip_prefix("scenario-")
            .and_then(|n| n.strip_suffix(".html"))
        else {
            continue;
        };
        let html = std::fs::read_to_string(&path).expect("a page");
        let text = pre
            .captures(&html)
            .and_then(|c| c.get(1))
            .map(|m| unescape(m.as_str()))
            .unwrap_or_else(|| panic!("{name} shows no timeline"));
        let snapshot = std::fs::read_to_string(snapshots.join(format!("{slug}.snap")))
            .unwrap_or_else(|e| panic!("{slug}.snap: {e}"));
        let body = snapshot.splitn(3, "---\n").nth(2).unwrap_or_default();
        assert_eq!(text.trim_end(), body.trim_end(), "{name}");
        compared += 1;
    }
    assert_eq!(compared, 205, "one scenario page per snapshot");
}

#[test]
fn the_tutorials_three_replica_rollout_draws_three_lanes_and_a_span_per_state() {
    let page = page(
        site(),
        "scenario-tutorial__3-1-rolling-update-in-reverse-ordinal-order.html",
    );
    let start = page.find("<svg class=\"timeline\"").expect("a chart");
    let html = &page[start..start + page[start..].find("</svg>").expect("the chart ends")];
    let (lanes, spans) =
        snapshot_lanes_and_spans("tutorial__3-1-rolling-update-in-reverse-ordinal-order");
    assert_eq!(lanes, 3);
    assert_eq!(html.matches(r#"<g class="lane""#).count(), lanes);
    assert_eq!(html.matches(r#"<g class="span "#).count(), spans);
    assert_eq!(html.matches(r#"<g class="deleted">"#).count(), 3);
    assert!(html.contains("Ready · rev2"), "revisions label the spans");
}

#[test]
fn every_local_link_and_anchor_resolves() {
    let dir = site();
    let attr = Regex::new(r#"(?:href|src)="([^"]*)""#).expect("regex");
    let mut ids: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    let id_attr = Regex::new(r#"\sid="([^"]+)""#).expect("regex");
    let pages: Vec<String> = std::fs::read_dir(dir)
        .expect("the site folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    for p in &pages {
        let html = page(dir, p);
        ids.insert(
            p.clone(),
            id_attr
                .captures_iter(&html)
                .map(|c| c[1].to_owned())
                .collect(),
        );
    }
    let mut checked = 0;
    for p in &pages {
        let html = page(dir, p);
        for link in attr.captures_iter(&html) {
            let target = &link[1];
            if target.contains("://") || target.starts_with("mailto:") {
                panic!("{p} links outside the site: {target}");
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let file = file.split('?').next().unwrap_or_default();
            let file = if file.is_empty() { p.as_str() } else { file };
            assert!(dir.join(file).is_file(), "{p} links to missing {file}");
            if !fragment.is_empty() && !fragment.starts_with("q=") {
                assert!(
                    ids.get(file).is_some_and(|i| i.contains(fragment)),
                    "{p} links to {file}#{fragment}, which has no such id"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn the_glossary_lists_every_step() {
    let html = unescape(&page(site(), "steps.html"));
    for step in stsconform::steps::catalog::steps() {
        assert!(
            html.contains(&step.pattern),
            "steps.html lacks {}",
            step.pattern
        );
    }
}

#[test]
fn an_unreadable_results_file_is_an_error_naming_it() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let bad = out.path().join("bad.json");
    std::fs::write(&bad, r#"[{"uri": "x", "elements": [{"line": "one"}]}]"#).expect("write");
    let assert = assert_cmd::Command::cargo_bin("stsconform")
        .expect("the binary")
        .args(["docs", "--out"])
        .arg(out.path().join("site"))
        .arg("--results")
        .arg(&bad)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(stderr.contains("[0].elements[0].line"), "{stderr}");
    assert!(
        !out.path().join("site").exists(),
        "nothing written on error"
    );
}
