//! A pod timeline drawn as an SVG chart: one lane per pod, one span per timeline row
//! (Pending, ContainerCreating, Running but not ready, Running and Ready, Terminating, or
//! any other STATUS), each span coloured *and* patterned and labelled with its state and
//! revision, creation and deletion marks, and a time axis in seconds.
//!
//! Many transitions happen at one virtual instant (Pending and ContainerCreating both at
//! 0.0s). A linear axis would draw them zero wide, so every instant gets a little extra
//! room for the rows that last no time; the axis stays monotonic and its ticks sit at their
//! true times.

use crate::timeline::{Row, Timeline, format_seconds};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// The state a span draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum State {
    Pending,
    ContainerCreating,
    RunningNotReady,
    RunningReady,
    Terminating,
    /// Any other STATUS (Failed, ErrImagePull, CrashLoopBackOff, Completed …).
    Other,
}

impl State {
    /// Every state, in legend order.
    pub const ALL: [State; 6] = [
        State::Pending,
        State::ContainerCreating,
        State::RunningNotReady,
        State::RunningReady,
        State::Terminating,
        State::Other,
    ];

    /// The state of a timeline row (not a `(deleted)` one).
    pub fn of(row: &Row) -> State {
        match row.status.as_str() {
            "Pending" => State::Pending,
            "ContainerCreating" => State::ContainerCreating,
            "Terminating" => State::Terminating,
            "Running" if all_ready(&row.ready) => State::RunningReady,
            "Running" => State::RunningNotReady,
            _ => State::Other,
        }
    }

    /// The CSS class and pattern id suffix.
    pub fn class(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::ContainerCreating => "creating",
            State::RunningNotReady => "not-ready",
            State::RunningReady => "ready",
            State::Terminating => "terminating",
            State::Other => "other",
        }
    }

    /// What the legend calls it.
    pub fn label(self) -> &'static str {
        match self {
            State::Pending => "Pending",
            State::ContainerCreating => "ContainerCreating",
            State::RunningNotReady => "Running, not ready",
            State::RunningReady => "Running and Ready",
            State::Terminating => "Terminating",
            State::Other => "Other status (Failed, image pull errors …)",
        }
    }

    fn fill(self) -> &'static str {
        match self {
            State::Pending => "#f6e7a8",
            State::ContainerCreating => "#f7c99b",
            State::RunningNotReady => "#a9d8f0",
            State::RunningReady => "#9fdcb0",
            State::Terminating => "#d3bdf0",
            State::Other => "#f3a9a9",
        }
    }

    /// Pattern markup drawn over the fill, so no state is told apart by colour alone.
    fn pattern(self) -> &'static str {
        match self {
            State::Pending => {
                r##"<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="#7a6400" stroke-width="1.2"/>"##
            }
            State::ContainerCreating => r##"<circle cx="4" cy="4" r="1.3" fill="#8a4b00"/>"##,
            State::RunningNotReady => {
                r##"<path d="M0,2 H8 M0,6 H8" stroke="#1f6f99" stroke-width="1.2"/>"##
            }
            State::RunningReady => "",
            State::Terminating => {
                r##"<path d="M0,0 L8,8 M8,0 L0,8" stroke="#5b2d99" stroke-width="1"/>"##
            }
            State::Other => r##"<path d="M2,0 V8 M6,0 V8" stroke="#a11d1d" stroke-width="1.4"/>"##,
        }
    }
}

/// `a/b` with every container ready.
fn all_ready(ready: &str) -> bool {
    match ready.split_once('/') {
        Some((a, b)) => a == b && b.parse::<u32>().is_ok_and(|n| n > 0),
        None => false,
    }
}

/// The `<defs>` every chart of a page uses: one fill pattern per state. Put it once per page.
pub fn defs() -> String {
    let mut out = String::from(
        r#"<svg class="timeline-defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>"#,
    );
    for state in State::ALL {
        let _ = write!(
            out,
            r#"<pattern id="pat-{class}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="{fill}"/>{pattern}</pattern>"#,
            class = state.class(),
            fill = state.fill(),
            pattern = state.pattern(),
        );
    }
    out.push_str("</defs></svg>");
    out
}

/// A small legend swatch for `state`, using the page's patterns.
pub fn swatch(state: State) -> String {
    format!(
        r#"<svg class="swatch" width="28" height="14" aria-hidden="true" focusable="false"><rect width="28" height="14" fill="url(#pat-{c})" stroke="black"/></svg>"#,
        c = state.class()
    )
}

/// One drawn span.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub pod: String,
    pub state: State,
    /// STATUS as kubectl printed it.
    pub status: String,
    pub ready: String,
    pub revision: String,
    pub restarts: i32,
    pub from: Duration,
    /// `None`: still in this state when the scenario ended.
    pub until: Option<Duration>,
    /// Slot index within its start instant (0 = first row of the pod at that instant).
    slot: usize,
    /// Rows of the same pod at the start instant.
    slots: usize,
    /// Where it ends: the next row of the pod (its instant and slot), if any.
    end_slot: Option<(usize, usize)>,
    /// Whether the pod (re)appears with this span.
    pub created: bool,
}

/// A pod's deletion.
#[derive(Debug, Clone, PartialEq)]
pub struct Deletion {
    pub pod: String,
    pub at: Duration,
    slot: usize,
    slots: usize,
}

/// A timeline cut into lanes and spans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chart {
    /// Pods in lane order: by set name, then ordinal.
    pub pods: Vec<String>,
    pub spans: Vec<Span>,
    pub deletions: Vec<Deletion>,
    /// The last row's time.
    pub last: Duration,
}

/// Lane order: `web-2` before `web-10`, sets by name.
fn lane_key(pod: &str) -> (String, u64, String) {
    match pod.rsplit_once('-') {
        Some((set, ordinal)) if ordinal.parse::<u64>().is_ok() => (
            set.to_owned(),
            ordinal.parse().unwrap_or(u64::MAX),
            pod.to_owned(),
        ),
        _ => (pod.to_owned(), u64::MAX, pod.to_owned()),
    }
}

impl Chart {
    /// Cuts `timeline` into spans: every row but a deletion opens a span that lasts until
    /// the pod's next row.
    pub fn from_timeline(timeline: &Timeline) -> Chart {
        let rows = &timeline.rows;
        // Rows of each pod at each instant, to give same-instant rows their slots.
        let mut per_instant: BTreeMap<(Duration, &str), usize> = BTreeMap::new();
        for row in rows {
            *per_instant.entry((row.at, row.pod.as_str())).or_default() += 1;
        }
        let mut seen_at: BTreeMap<(Duration, &str), usize> = BTreeMap::new();
        let mut chart = Chart::default();
        let mut open: BTreeMap<&str, usize> = BTreeMap::new();
        for row in rows {
            let slots = per_instant
                .get(&(row.at, row.pod.as_str()))
                .copied()
                .unwrap_or(1);
            let slot = {
                let n = seen_at.entry((row.at, row.pod.as_str())).or_default();
                *n += 1;
                *n - 1
            };
            if !chart.pods.contains(&row.pod) {
                chart.pods.push(row.pod.clone());
            }
            let was_open = open.remove(row.pod.as_str());
            if let Some(index) = was_open
                && let Some(span) = chart.spans.get_mut(index)
            {
                span.until = Some(row.at);
                span.end_slot = Some((slot, slots));
            }
            if row.status == "(deleted)" {
                chart.deletions.push(Deletion {
                    pod: row.pod.clone(),
                    at: row.at,
                    slot,
                    slots,
                });
            } else {
                open.insert(row.pod.as_str(), chart.spans.len());
                chart.spans.push(Span {
                    pod: row.pod.clone(),
                    state: State::of(row),
                    status: row.status.clone(),
                    ready: row.ready.clone(),
                    revision: row.revision.clone(),
                    restarts: row.restarts,
                    from: row.at,
                    until: None,
                    slot,
                    slots,
                    end_slot: None,
                    created: was_open.is_none(),
                });
            }
            chart.last = chart.last.max(row.at);
        }
        chart.pods.sort_by_key(|p| lane_key(p));
        chart
    }
}

/// Layout constants (pixels).
const LANE: f64 = 26.0;
const LANE_GAP: f64 = 8.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 34.0;
const SLOT: f64 = 16.0;
const PLOT: f64 = 860.0;
const CHAR: f64 = 6.4;

/// Maps times (and same-instant slots) to x positions.
struct Axis {
    left: f64,
    scale: f64,
    /// Extra room per instant, and the room of every earlier instant added up.
    extra: BTreeMap<Duration, (f64, f64)>,
    end: Duration,
}

impl Axis {
    fn new(chart: &Chart, left: f64) -> Axis {
        let mut room: BTreeMap<Duration, usize> = BTreeMap::new();
        for span in &chart.spans {
            let r = room.entry(span.from).or_default();
            *r = (*r).max(span.slots - 1);
        }
        for d in &chart.deletions {
            let r = room.entry(d.at).or_default();
            *r = (*r).max(d.slots - 1);
        }
        let mut extra = BTreeMap::new();
        let mut before = 0.0;
        for (at, slots) in room {
            let width = slots as f64 * SLOT;
            extra.insert(at, (width, before));
            before += width;
        }
        // The last state stays visible a while after the last row.
        let last = chart.last.as_secs_f64();
        let tail = (last * 0.08).max(1.0);
        let end = Duration::from_secs_f64(last + tail);
        let scale = ((PLOT - before) / end.as_secs_f64()).clamp(2.0, 160.0);
        Axis {
            left,
            scale,
            extra,
            end,
        }
    }

    /// Room taken by instants strictly before `at`.
    fn before(&self, at: Duration) -> f64 {
        match self.extra.range(..at).next_back() {
            Some((_, (width, before))) => before + width,
            None => 0.0,
        }
    }

    /// x of the slot `slot` of `slots` rows of one pod at instant `at`; the last slot of
    /// every pod lines up at the end of the instant's room.
    fn x(&self, at: Duration, slot: usize, slots: usize) -> f64 {
        let room = self.extra.get(&at).map_or(0.0, |(w, _)| *w);
        let back = (slots.saturating_sub(1 + slot)) as f64 * SLOT;
        self.left + self.scale * at.as_secs_f64() + self.before(at) + room - back
    }

    /// x of a tick at `at` (after that instant's room).
    fn tick(&self, at: Duration) -> f64 {
        self.x(at, 0, 1)
    }

    fn right(&self) -> f64 {
        self.tick(self.end)
    }
}

/// A tick step of 1, 2 or 5 × 10^k seconds giving about eight ticks.
fn tick_step(end: f64) -> f64 {
    let raw = (end / 8.0).max(0.1);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Short state words for labels inside spans.
fn short(span: &Span) -> String {
    match span.state {
        State::Pending => "Pending".into(),
        State::ContainerCreating => "Creating".into(),
        State::RunningNotReady => format!("Running {}", span.ready),
        State::RunningReady => "Ready".into(),
        State::Terminating => "Terminating".into(),
        State::Other => span.status.clone(),
    }
}

/// Draws `timeline` as an accessible SVG; `id` must be unique in the page (it names the
/// chart's title and description). A timeline without rows draws nothing: `None`.
pub fn render(timeline: &Timeline, id: &str, caption: &str) -> Option<String> {
    let chart = Chart::from_timeline(timeline);
    if chart.pods.is_empty() {
        return None;
    }
    let longest = chart.pods.iter().map(|p| p.len()).max().unwrap_or(5) as f64;
    let left = (longest * 7.0 + 14.0).max(56.0);
    let axis = Axis::new(&chart, left);
    let width = axis.right() + 16.0;
    let lanes_bottom = TOP + chart.pods.len() as f64 * (LANE + LANE_GAP);
    let height = lanes_bottom + AXIS;
    let lane_y = |pod: &str| {
        let index = chart.pods.iter().position(|p| p == pod).unwrap_or(0);
        TOP + index as f64 * (LANE + LANE_GAP)
    };
    let id = escape(id);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="{id}-title {id}-desc" data-pods="{pods}" data-spans="{spans}">"#,
        pods = chart.pods.len(),
        spans = chart.spans.len(),
    );
    let _ = write!(
        out,
        r#"<title id="{id}-title">Pod timeline: {caption}</title><desc id="{id}-desc">{pods} pods, {spans} states, {deletions} deletions, over {end}; the same rows as the text timeline below.</desc>"#,
        caption = escape(caption),
        pods = chart.pods.len(),
        spans = chart.spans.len(),
        deletions = chart.deletions.len(),
        end = format_seconds(chart.last),
    );
    // Axis: grid lines and tick labels at true times.
    let step = tick_step(axis.end.as_secs_f64());
    out.push_str(r#"<g class="axis">"#);
    let ticks = (axis.end.as_secs_f64() / step + 1e-9).floor() as u64;
    for i in 0..=ticks {
        // Multiplying, not adding, keeps 0.1-second ticks exact.
        let t = i as f64 * step;
        let x = axis.tick(Duration::from_secs_f64(t));
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{y:.1}" class="grid"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle">{label}</text>"#,
            y = lanes_bottom,
            ty = lanes_bottom + 14.0,
            label = format_seconds(Duration::from_secs_f64(t)),
        );
    }
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="end" class="axis-title">time (s)</text></g>"#,
        x = axis.right(),
        y = lanes_bottom + 30.0,
    );
    for pod in &chart.pods {
        let y = lane_y(pod);
        let _ = write!(
            out,
            r#"<g class="lane" data-pod="{p}"><text x="{tx:.1}" y="{ty:.1}" text-anchor="end" class="pod">{p}</text><line x1="{left:.1}" y1="{my:.1}" x2="{right:.1}" y2="{my:.1}" class="lane-line"/>"#,
            p = escape(pod),
            tx = left - 8.0,
            ty = y + LANE / 2.0 + 4.0,
            my = y + LANE / 2.0,
            right = axis.right(),
        );
        for span in chart.spans.iter().filter(|s| &s.pod == pod) {
            let x0 = axis.x(span.from, span.slot, span.slots);
            let x1 = match (span.until, span.end_slot) {
                (Some(until), Some((slot, slots))) => axis.x(until, slot, slots),
                _ => axis.right(),
            };
            let w = (x1 - x0).max(2.0);
            let until = match span.until {
                Some(u) => format!("until {}", format_seconds(u)),
                None => "until the scenario ends".into(),
            };
            let restarts = if span.restarts > 0 {
                format!(", {} restarts", span.restarts)
            } else {
                String::new()
            };
            let _ = write!(
                out,
                r#"<g class="span state-{class}" data-state="{state:?}" data-revision="{rev}"><title>{pod} {status} {ready} {rev}{restarts}: from {from} {until}</title><rect x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{LANE}" fill="url(#pat-{class})" stroke="black" stroke-width="0.6"/>"#,
                class = span.state.class(),
                state = span.state,
                rev = escape(&span.revision),
                pod = escape(pod),
                status = escape(&span.status),
                ready = escape(&span.ready),
                from = format_seconds(span.from),
            );
            let revision = if span.revision == "-" {
                String::new()
            } else {
                span.revision.clone()
            };
            let full = if revision.is_empty() {
                short(span)
            } else {
                format!("{} · {revision}", short(span))
            };
            let label = [full, revision]
                .into_iter()
                .find(|l| !l.is_empty() && l.chars().count() as f64 * CHAR + 6.0 <= w);
            if let Some(label) = label {
                let _ = write!(
                    out,
                    r#"<text x="{x:.1}" y="{ty:.1}" class="label">{l}</text>"#,
                    x = x0 + 3.0,
                    ty = y + LANE / 2.0 + 4.0,
                    l = escape(&label),
                );
            }
            out.push_str("</g>");
            if span.created {
                let _ = write!(
                    out,
                    r#"<path class="created" d="M{x0:.1},{a:.1} l-4,-6 h8 z"><title>{p} created at {t}</title></path>"#,
                    a = y,
                    p = escape(pod),
                    t = format_seconds(span.from),
                );
            }
        }
        for deletion in chart.deletions.iter().filter(|d| &d.pod == pod) {
            let x = axis.x(deletion.at, deletion.slot, deletion.slots);
            let _ = write!(
                out,
                r#"<g class="deleted"><title>{p} deleted at {t}</title><path d="M{a:.1},{b:.1} l8,8 m0,-8 l-8,8" /></g>"#,
                p = escape(pod),
                t = format_seconds(deletion.at),
                a = x - 4.0,
                b = y + LANE / 2.0 - 4.0,
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at_ms: u64, pod: &str, ready: &str, status: &str, revision: &str) -> Row {
        Row {
            at: Duration::from_millis(at_ms),
            pod: pod.into(),
            ready: ready.into(),
            status: status.into(),
            restarts: 0,
            revision: revision.into(),
        }
    }

    fn timeline(rows: Vec<Row>) -> Timeline {
        Timeline {
            rows,
            revisions: vec![],
        }
    }

    #[test]
    fn states_follow_status_and_readiness() {
        let s = |status: &str, ready: &str| State::of(&row(0, "web-0", ready, status, "rev1"));
        assert_eq!(s("Pending", "0/1"), State::Pending);
        assert_eq!(s("ContainerCreating", "0/1"), State::ContainerCreating);
        assert_eq!(s("Running", "0/1"), State::RunningNotReady);
        assert_eq!(s("Running", "1/2"), State::RunningNotReady);
        assert_eq!(s("Running", "2/2"), State::RunningReady);
        assert_eq!(s("Running", "0/0"), State::RunningNotReady);
        assert_eq!(s("Terminating", "1/1"), State::Terminating);
        assert_eq!(s("ErrImagePull", "0/1"), State::Other);
    }

    #[test]
    fn a_deleted_and_recreated_pod_has_one_lane_two_creations_and_a_deletion() {
        let t = timeline(vec![
            row(0, "web-0", "0/1", "Pending", "rev1"),
            row(0, "web-0", "0/1", "ContainerCreating", "rev1"),
            row(2000, "web-0", "1/1", "Running", "rev1"),
            row(2000, "web-10", "0/1", "Pending", "rev1"),
            row(2000, "web-2", "0/1", "Pending", "rev1"),
            row(4000, "web-0", "1/1", "Terminating", "rev1"),
            row(5000, "web-0", "0/1", "(deleted)", "rev1"),
            row(5000, "web-0", "0/1", "Pending", "rev2"),
        ]);
        let chart = Chart::from_timeline(&t);
        assert_eq!(chart.pods, vec!["web-0", "web-2", "web-10"]);
        assert_eq!(chart.spans.len(), 7);
        assert_eq!(chart.deletions.len(), 1);
        let web0: Vec<(State, Option<Duration>, bool)> = chart
            .spans
            .iter()
            .filter(|s| s.pod == "web-0")
            .map(|s| (s.state, s.until, s.created))
            .collect();
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(
            web0,
            vec![
                (State::Pending, secs(0), true),
                (State::ContainerCreating, secs(2), false),
                (State::RunningReady, secs(4), false),
                (State::Terminating, secs(5), false),
                (State::Pending, None, true),
            ]
        );
    }

    #[test]
    fn zero_length_states_get_room_and_spans_do_not_overlap() {
        let t = timeline(vec![
            row(0, "web-0", "0/1", "Pending", "rev1"),
            row(0, "web-0", "0/1", "ContainerCreating", "rev1"),
            row(2000, "web-0", "1/1", "Running", "rev1"),
        ]);
        let chart = Chart::from_timeline(&t);
        let axis = Axis::new(&chart, 50.0);
        let xs: Vec<f64> = chart
            .spans
            .iter()
            .map(|s| axis.x(s.from, s.slot, s.slots))
            .collect();
        assert!((xs[1] - xs[0] - SLOT).abs() < 1e-9, "{xs:?}");
        assert!(xs[2] > xs[1] + 10.0, "{xs:?}");
        assert!(
            axis.tick(Duration::ZERO) >= xs[1],
            "ticks sit after the instant's room"
        );
    }

    #[test]
    fn the_svg_has_a_lane_per_pod_a_span_per_state_and_labels() {
        let t = timeline(vec![
            row(0, "web-0", "0/1", "Pending", "rev1"),
            row(2000, "web-0", "1/1", "Running", "rev1"),
            row(2000, "web-1", "0/1", "Pending", "rev2"),
        ]);
        let svg = render(&t, "s1", "a <test>").expect("a chart");
        assert_eq!(svg.matches(r#"<g class="lane""#).count(), 2);
        assert_eq!(svg.matches(r#"<g class="span "#).count(), 3);
        assert!(svg.contains("Ready · rev1"), "{svg}");
        assert!(svg.contains("Pod timeline: a &lt;test&gt;"));
        assert!(svg.contains(r#"data-revision="rev2""#));
        assert!(svg.contains("2.0s"));
        assert!(render(&timeline(vec![]), "s2", "empty").is_none());
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(10.0), 2.0);
        assert_eq!(tick_step(40.0), 5.0);
        assert_eq!(tick_step(330.0), 50.0);
        assert_eq!(tick_step(0.5), 0.1);
    }
}
