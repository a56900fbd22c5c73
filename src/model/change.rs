//! What a watch reports happened to an object: the change type timelines and waits read,
//! whether the change came from the reference cluster's log or a real API server's watch.

/// What happened to an object, as a watch reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}
