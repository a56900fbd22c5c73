//! Pod timelines: the sequence of pod states a `kubectl get pods -w` watcher would see,
//! recorded from the change log, normalised (revision hashes become `rev1`, `rev2` … in
//! order of creation; no uids, no resourceVersions) and rendered as text for snapshots.

pub mod normal;
pub mod printer;

use crate::model::change::ChangeType;
use crate::model::names::CONTROLLER_REVISION_HASH_LABEL;
use crate::model::object::Object;
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// Formats a virtual time as timelines show it: `12.5s`.
pub fn format_seconds(t: Duration) -> String {
    let millis = t.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{}.0s", millis / 1000)
    } else if millis.is_multiple_of(100) {
        format!("{}.{}s", millis / 1000, (millis % 1000) / 100)
    } else {
        format!("{}.{:03}s", millis / 1000, millis % 1000)
    }
}

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// Time since the scenario started.
    pub at: Duration,
    pub pod: String,
    /// READY column: `ready/total` containers.
    pub ready: String,
    /// STATUS column as kubectl prints it, or `(deleted)`.
    pub status: String,
    pub restarts: i32,
    /// Short, stable name of the pod's revision (`rev1` …), `-` when it has none.
    pub revision: String,
}

/// A recorded pod timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Timeline {
    pub rows: Vec<Row>,
    /// (full revision name, short name), in order of first sight.
    pub revisions: Vec<(String, String)>,
}

/// Maps revision names (`web-7d9f8`) to short stable names (`rev1`) in order of first sight.
#[derive(Debug, Clone, Default)]
pub struct RevisionNames {
    names: BTreeMap<String, String>,
}

impl RevisionNames {
    /// The short name of `revision`, assigning the next one on first sight.
    pub fn short(&mut self, revision: &str) -> String {
        if revision.is_empty() {
            return "-".into();
        }
        let next = format!("rev{}", self.names.len() + 1);
        self.names
            .entry(revision.to_owned())
            .or_insert(next)
            .clone()
    }

    /// The short name of `revision` if it was seen.
    pub fn get(&self, revision: &str) -> Option<&str> {
        self.names.get(revision).map(String::as_str)
    }

    /// Every (full, short) pair, in order of first sight.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .names
            .iter()
            .map(|(f, s)| (f.clone(), s.clone()))
            .collect();
        pairs.sort_by_key(|(_, s)| s.trim_start_matches("rev").parse::<usize>().unwrap_or(0));
        pairs
    }
}

/// Records rows from a stream of pod changes, dropping rows identical to the previous row
/// of the same pod (a status write that changes no column shows nothing new).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    timeline: Timeline,
    last: BTreeMap<String, Row>,
    /// Revision short names, shared with assertions that print revisions.
    pub revisions: RevisionNames,
}

impl Recorder {
    /// Notes that a ControllerRevision exists, so short names follow creation order.
    pub fn saw_revision(&mut self, name: &str) {
        self.revisions.short(name);
    }

    /// Records one pod change at `at`.
    pub fn record(&mut self, at: Duration, change_type: ChangeType, pod: &Pod) {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let revision = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(CONTROLLER_REVISION_HASH_LABEL))
            .map(|r| self.revisions.short(r))
            .unwrap_or_else(|| "-".into());
        let row = Row {
            at,
            pod: name.clone(),
            ready: printer::ready_column(pod),
            status: if change_type == ChangeType::Deleted {
                "(deleted)".into()
            } else {
                printer::pod_status(pod)
            },
            restarts: printer::restarts(pod),
            revision,
        };
        let same = self.last.get(&name).is_some_and(|prev| {
            prev.ready == row.ready
                && prev.status == row.status
                && prev.restarts == row.restarts
                && prev.revision == row.revision
        });
        if change_type == ChangeType::Deleted {
            self.last.remove(&name);
        } else {
            self.last.insert(name, row.clone());
        }
        if !same {
            self.timeline.rows.push(row);
        }
    }

    /// Records any object change: pods become rows, revisions get short names.
    pub fn record_object(&mut self, at: Duration, change_type: ChangeType, object: &Object) {
        match object {
            Object::Pod(pod) => self.record(at, change_type, pod),
            Object::ControllerRevision(r) if change_type == ChangeType::Added => {
                self.saw_revision(r.metadata.name.as_deref().unwrap_or(""));
            }
            _ => {}
        }
    }

    /// The timeline so far.
    pub fn timeline(&self) -> Timeline {
        Timeline {
            rows: self.timeline.rows.clone(),
            revisions: self.revisions.pairs(),
        }
    }
}

impl Timeline {
    /// Renders the timeline as aligned text, one row a line, like `kubectl get pods -w`
    /// with a leading TIME column and a trailing REVISION column.
    pub fn render(&self) -> String {
        let header = ["TIME", "NAME", "READY", "STATUS", "RESTARTS", "REVISION"];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    format_seconds(r.at),
                    r.pod.clone(),
                    r.ready.clone(),
                    r.status.clone(),
                    r.restarts.to_string(),
                    r.revision.clone(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.len());
            }
        }
        let mut out = String::new();
        let mut line = |cols: &[&str]| {
            let mut l = String::new();
            for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
                if i + 1 == cols.len() {
                    l.push_str(c);
                } else {
                    let _ = write!(l, "{c:<w$}   ");
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&header);
        for row in &cells {
            line(&row.each_ref().map(String::as_str));
        }
        out
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn seconds_format() {
        assert_eq!(format_seconds(Duration::from_secs(2)), "2.0s");
        assert_eq!(format_seconds(Duration::from_millis(2500)), "2.5s");
        assert_eq!(format_seconds(Duration::from_millis(2505)), "2.505s");
    }
}
