//! The generated site in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs) loads the index without console messages, the filter narrows the
//! index to `@UPD-08`, the tutorial's 3-replica rollout draws a lane per pod and a span
//! per state, and screenshots of the index and of that timeline page land in
//! `target/docs-screenshots/` for CI to keep. Only `file://` URLs; no network.

mod docs_support;

use docs_support::{UPD_08, snapshot_lanes_and_spans, target_dir, write_reports};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TIMELINE_PAGE: &str = "scenario-tutorial__3-1-rolling-update-in-reverse-ordinal-order.html";

/// The Chromium binary, or `None` (outside CI only: under CI a missing browser fails).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v.is_empty()),
            "chromium is not installed: `apt-get install -y chromium` (.ci/run does)"
        );
        eprintln!("chromium is not installed; skipping the browser checks (CI fails instead)");
    }
    found
}

/// Runs headless Chromium on `url` with `extra` arguments, in a fresh profile, with console
/// messages logged to stderr. Returns (stdout, console lines).
fn run_chromium(browser: &Path, url: &str, extra: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("a temporary profile folder");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "chromium failed on {url}: {}\n{stderr}",
        output.status
    );
    // Chromium logs every console message (log, warning, error, uncaught exception) as
    // `…:INFO:CONSOLE…] "message", source: …`; the site's script writes none.
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

fn dump_dom(browser: &Path, url: &str) -> (String, Vec<String>) {
    run_chromium(browser, url, &["--dump-dom"])
}

fn url(path: &Path, query: &str) -> String {
    let absolute = std::path::absolute(path).expect("an absolute path");
    format!("file://{}{query}", absolute.display())
}

/// The site, written by the binary itself (as a user runs it) with both reports.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-browser");
        let _ = std::fs::remove_dir_all(&dir);
        let reports = write_reports(&dir.join("reports"));
        let mut command = assert_cmd::Command::cargo_bin("stsconform").expect("the binary");
        command.args(["docs", "--out"]).arg(dir.join("site"));
        for r in &reports {
            command.args(["--results", r]);
        }
        command.assert().success();
        dir.join("site")
    })
}

#[test]
fn the_console_check_catches_a_script_error() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!doctype html><title>t</title><script>undefinedFunction();</script>",
    )
    .expect("write");
    let (_, console) = dump_dom(&browser, &url(&page, ""));
    assert!(
        console.iter().any(|l| l.contains("undefinedFunction")),
        "an uncaught error must show: {console:?}"
    );
}

#[test]
fn the_index_loads_without_console_messages_and_runs_its_filter() {
    let Some(browser) = chromium() else { return };
    let (dom, console) = dump_dom(&browser, &url(&site().join("index.html"), ""));
    assert!(
        console.is_empty(),
        "console messages on the index: {console:?}"
    );
    assert!(
        dom.contains(r#"<search class="filter" id="filter-box">"#),
        "the script shows the filter box"
    );
    assert!(dom.contains(r#"data-filter-shown=""#), "the filter ran");
}

#[test]
fn the_filter_narrows_the_index_to_upd_08() {
    let Some(browser) = chromium() else { return };
    let (dom, console) = dump_dom(&browser, &url(&site().join("index.html"), "?q=%40UPD-08"));
    assert!(console.is_empty(), "{console:?}");
    let rows = Regex::new(r#"<tr id="([A-Z]+-\d+)" class="guarantee[^>]*>"#).expect("regex");
    let visible: Vec<&str> = rows
        .captures_iter(&dom)
        .filter(|c| !c[0].contains(" hidden"))
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .collect();
    assert_eq!(visible, vec!["UPD-08"]);
    let all_rows = rows.captures_iter(&dom).count();
    assert!(
        all_rows > 100,
        "the other rows are still there, hidden: {all_rows}"
    );
    let scenarios = Regex::new(r#"<li class="scenario" [^>]*>"#).expect("regex");
    let shown: Vec<&str> = scenarios
        .find_iter(&dom)
        .map(|m| m.as_str())
        .filter(|tag| !tag.contains(" hidden"))
        .collect();
    assert_eq!(shown.len(), UPD_08.len(), "{shown:#?}");
    assert!(
        shown.iter().all(|tag| tag.contains("@upd-08 ")),
        "{shown:#?}"
    );
    // Areas without a visible row are hidden too.
    let visible_areas = Regex::new(r#"<section class="area" id="area-([A-Z]+)"[^>]*>"#)
        .expect("regex")
        .captures_iter(&dom)
        .filter(|c| !c[0].contains(" hidden"))
        .map(|c| c[1].to_owned())
        .collect::<Vec<_>>();
    assert_eq!(visible_areas, vec!["UPD"]);
}

#[test]
fn the_tutorial_rollout_page_draws_a_lane_per_pod_and_a_span_per_state() {
    let Some(browser) = chromium() else { return };
    let (dom, console) = dump_dom(&browser, &url(&site().join(TIMELINE_PAGE), ""));
    assert!(console.is_empty(), "{console:?}");
    let start = dom
        .find("<svg class=\"timeline\"")
        .expect("the page shows a chart");
    let end = dom[start..].find("</svg>").expect("the chart ends") + start;
    let svg = &dom[start..end];
    let (lanes, spans) =
        snapshot_lanes_and_spans("tutorial__3-1-rolling-update-in-reverse-ordinal-order");
    assert_eq!(lanes, 3, "the tutorial scales web to 3 replicas");
    let lane_pods: Vec<&str> = Regex::new(r#"<g class="lane" data-pod="([^"]+)">"#)
        .expect("regex")
        .captures_iter(svg)
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .collect();
    assert_eq!(lane_pods, vec!["web-0", "web-1", "web-2"]);
    assert_eq!(svg.matches(r#"<g class="span state-"#).count(), spans);
}

#[test]
fn screenshots_of_the_index_and_a_timeline_page_are_written() {
    let Some(browser) = chromium() else { return };
    let out = target_dir().join("docs-screenshots");
    std::fs::create_dir_all(&out).expect("the screenshot folder");
    for (page, file, size) in [
        ("index.html", "index.png", "1280,1600"),
        (TIMELINE_PAGE, "timeline.png", "1280,1000"),
    ] {
        let png = out.join(file);
        let _ = std::fs::remove_file(&png);
        let screenshot = format!("--screenshot={}", png.display());
        let window = format!("--window-size={size}");
        let (_, console) = run_chromium(
            &browser,
            &url(&site().join(page), ""),
            &[screenshot.as_str(), window.as_str()],
        );
        assert!(console.is_empty(), "{console:?}");
        let bytes = std::fs::read(&png).expect("the screenshot was written");
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", png.display());
        assert!(bytes.len() > 20_000, "{} is not blank", png.display());
    }
}
