//! Watches: a chunked stream of JSON lines `{"type":…,"object":…}` read from the store's
//! change log from a resourceVersion on, filtered by namespace and selectors (an object
//! leaving a selector is reported DELETED, one entering it ADDED), in the negotiated
//! representation (objects, one-row Tables, metadata). A version that has left the log
//! gets an ERROR event carrying a 410 Expired `Status`. Bookmarks when asked for,
//! `timeoutSeconds`, and a bounded number of concurrent watches.

use super::list::ListOptions;
use super::reply::{self, Reply};
use super::request::Format;
use super::resources::Resource;
use super::state::State;
use super::status::StatusError;
use super::table::{self, IncludeObject};
use crate::model::object::Object;
use crate::sim::store::{ChangeType, Store, StoreError};
use axum::body::Body;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a watch without `timeoutSeconds` lasts.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);
/// How often an idle watch that allows bookmarks gets one.
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(10);
/// Events buffered per watch before the watcher waits for its client.
const BUFFER: usize = 256;

type Key = (String, String);

/// What a watcher filters on.
struct Filter {
    resource: &'static Resource,
    namespace: Option<String>,
    options: ListOptions,
}

impl Filter {
    fn in_scope(&self, object: &Object) -> bool {
        object.kind() == self.resource.kind
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| object.namespace() == ns)
    }
}

fn key(object: &Object) -> Key {
    (object.namespace().to_owned(), object.name().to_owned())
}

/// Where a watch starts.
struct Start {
    resource_version: u64,
    initial: Vec<Arc<Object>>,
    known: HashSet<Key>,
}

fn start(store: &Store, filter: &Filter) -> Result<Start, StatusError> {
    let now = store.resource_version();
    let options = &filter.options;
    let requested = options
        .resource_version
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "0");
    let current: Vec<Arc<Object>> = store
        .list(filter.resource.kind, filter.namespace.as_deref())
        .filter(|o| options.matches(o))
        .collect();
    let Some(requested) = requested else {
        let known = current.iter().map(|o| key(o)).collect();
        return Ok(Start {
            resource_version: now,
            initial: current,
            known,
        });
    };
    let rv: u64 = requested.parse().map_err(|_| {
        StatusError::bad_request(format!("invalid resource version: {requested:?}"))
    })?;
    let rv = rv.min(now);
    let changes = store.changes_since(rv).map_err(expired_status)?;
    // Objects that exist now but were created after `rv` were not there at `rv`.
    let mut first_seen: HashSet<Key> = HashSet::new();
    let mut created_after: HashSet<Key> = HashSet::new();
    for change in changes.filter(|c| filter.in_scope(&c.object)) {
        let k = key(&change.object);
        if first_seen.insert(k.clone()) && change.change_type == ChangeType::Added {
            created_after.insert(k);
        }
    }
    let known = current
        .iter()
        .map(|o| key(o))
        .filter(|k| !created_after.contains(k))
        .collect();
    let initial = if options.send_initial_events {
        current
    } else {
        Vec::new()
    };
    Ok(Start {
        resource_version: rv,
        initial,
        known,
    })
}

fn expired_status(e: StoreError) -> StatusError {
    StatusError::expired(e.to_string())
}

/// Events after `rv`, advancing `rv` to the store's version.
fn collect(
    store: &Store,
    filter: &Filter,
    rv: &mut u64,
    known: &mut HashSet<Key>,
) -> Result<Vec<(&'static str, Arc<Object>)>, StatusError> {
    let mut events = Vec::new();
    for change in store.changes_since(*rv).map_err(expired_status)? {
        let object = &change.object;
        if !filter.in_scope(object) {
            continue;
        }
        let k = key(object);
        let matches = filter.options.matches(object);
        match change.change_type {
            ChangeType::Added => {
                if matches {
                    known.insert(k);
                    events.push(("ADDED", Arc::clone(object)));
                }
            }
            ChangeType::Modified => {
                if matches {
                    let kind = if known.insert(k) { "ADDED" } else { "MODIFIED" };
                    events.push((kind, Arc::clone(object)));
                } else if known.remove(&k) {
                    events.push(("DELETED", Arc::clone(object)));
                }
            }
            ChangeType::Deleted => {
                if known.remove(&k) || matches {
                    events.push(("DELETED", Arc::clone(object)));
                }
            }
        }
    }
    *rv = store.resource_version();
    Ok(events)
}

/// Encodes one event line.
struct Encoder {
    format: Format,
    include: IncludeObject,
    columns_sent: bool,
}

impl Encoder {
    fn object(&mut self, object: &Object) -> Value {
        match self.format {
            Format::Json => object.to_json(),
            Format::Metadata(version) => table::partial_metadata(object, version),
            Format::Table(version) => {
                let meta = json!({"resourceVersion": object.metadata().resource_version});
                let with_columns = !self.columns_sent;
                self.columns_sent = true;
                table::table(
                    object.kind(),
                    &[object],
                    meta,
                    self.include,
                    with_columns,
                    version,
                )
            }
        }
    }

    fn event(&mut self, kind: &str, object: &Object) -> Bytes {
        line(&json!({"type": kind, "object": self.object(object)}))
    }
}

fn line(value: &Value) -> Bytes {
    let mut out = serde_json::to_vec(value).unwrap_or_default();
    out.push(b'\n');
    Bytes::from(out)
}

fn bookmark(resource: &Resource, rv: u64, initial_events_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_events_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(&json!({
        "type": "BOOKMARK",
        "object": {"kind": resource.kind.as_str(), "apiVersion": resource.group_version(), "metadata": meta},
    }))
}

fn error_event(e: &StatusError) -> Bytes {
    line(&json!({"type": "ERROR", "object": e.to_json()}))
}

fn stream_reply(rx: mpsc::Receiver<Bytes>) -> Reply {
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::convert::Infallible>(b), rx))
    });
    let mut response = reply::bytes(200, Vec::new(), "application/json", &[]);
    *response.body_mut() = Body::from_stream(stream);
    response
}

/// Serves a watch.
///
/// # Errors
/// 429 when too many watches are open, 400 for a malformed resourceVersion.
pub async fn serve(
    state: Arc<State>,
    resource: &'static Resource,
    namespace: Option<String>,
    options: ListOptions,
    format: Format,
    include: IncludeObject,
) -> Result<Reply, StatusError> {
    let permit = Arc::clone(&state.watch_slots)
        .try_acquire_owned()
        .map_err(|_| {
            StatusError::too_many_requests("too many watches are open; try again later")
        })?;
    let timeout = options
        .timeout_seconds
        .filter(|t| *t > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let bookmarks = options.bookmarks && !matches!(format, Format::Table(_));
    let initial_events_end = options.send_initial_events;
    let filter = Filter {
        resource,
        namespace,
        options,
    };
    let (tx, rx) = mpsc::channel::<Bytes>(BUFFER);
    let mut notifications = state.subscribe();
    notifications.borrow_and_update();
    let started = state.read(|c| start(c.store(), &filter)).await?;
    let started = match started {
        Ok(s) => s,
        Err(e) if e.code == 410 => {
            // As the API server's watch cache does: the watch opens, then reports 410.
            let _ = tx.try_send(error_event(&e));
            drop(tx);
            return Ok(stream_reply(rx));
        }
        Err(e) => return Err(e),
    };
    let mut shutdown = state.shutdown();
    tokio::spawn(async move {
        let _permit = permit;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut encoder = Encoder {
            format,
            include,
            columns_sent: false,
        };
        let Start {
            resource_version: mut rv,
            initial,
            mut known,
        } = started;
        for object in &initial {
            if tx.send(encoder.event("ADDED", object)).await.is_err() {
                return;
            }
        }
        if initial_events_end && tx.send(bookmark(filter.resource, rv, true)).await.is_err() {
            return;
        }
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
        loop {
            notifications.borrow_and_update();
            let batch = state
                .read(|c| collect(c.store(), &filter, &mut rv, &mut known))
                .await
                .and_then(|r| r);
            match batch {
                Ok(events) => {
                    for (kind, object) in events {
                        if tx.send(encoder.event(kind, &object)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send(error_event(&e)).await;
                    return;
                }
            }
            tokio::select! {
                changed = notifications.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    // As the watch cache does near a watch's deadline: tell the client how
                    // far it has seen, so it resumes without replaying or relisting.
                    if bookmarks {
                        let _ = tx.send(bookmark(filter.resource, rv, false)).await;
                    }
                    return;
                }
                _ = ticker.tick(), if bookmarks => {
                    if tx.send(bookmark(filter.resource, rv, false)).await.is_err() {
                        return;
                    }
                }
                _ = tx.closed() => return,
                _ = shutdown.changed() => return,
            }
        }
    });
    Ok(stream_reply(rx))
}
