//! What the cluster target knows of its namespace: a cache fed by one kube-rs watcher per
//! kind, the pod timeline recorded from the pod watch as events arrive, and a counter that
//! wakes waits on every change. Waits never poll: they sleep until the counter moves.

use crate::model::change::ChangeType;
use crate::model::object::{Kind, Object};
use crate::targets::View;
use crate::timeline::{Recorder, Timeline};
use futures::StreamExt as _;
use kube::api::{Api, DynamicObject};
use kube::runtime::WatchStreamExt as _;
use kube::runtime::watcher::{self, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The kinds a scenario's view holds.
pub const WATCHED: [Kind; 7] = [
    Kind::Pod,
    Kind::StatefulSet,
    Kind::PersistentVolumeClaim,
    Kind::ControllerRevision,
    Kind::Event,
    Kind::Service,
    Kind::EndpointSlice,
];

#[derive(Debug, Default)]
struct State {
    objects: BTreeMap<Kind, BTreeMap<String, Object>>,
    synced: BTreeSet<Kind>,
    recorder: Recorder,
    last_error: Option<String>,
}

/// The namespace as the watches have shown it so far.
#[derive(Debug)]
pub struct Cache {
    state: Mutex<State>,
    changes: watch::Sender<u64>,
    started: Instant,
    time_scale: f64,
}

impl Cache {
    /// An empty cache whose timeline starts now; `time_scale` converts wall-clock time to
    /// the target's time (`serve --time-scale`).
    pub fn new(time_scale: f64) -> Arc<Cache> {
        Arc::new(Cache {
            state: Mutex::new(State::default()),
            changes: watch::Sender::new(0),
            started: Instant::now(),
            time_scale,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Target time since the scenario started.
    pub fn now(&self) -> Duration {
        self.started.elapsed().mul_f64(self.time_scale)
    }

    /// A receiver that changes on every cache change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn bump(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    fn apply(&self, kind: Kind, object: Object) {
        let at = self.now();
        let mut state = self.state();
        let name = object.name().to_owned();
        let previous = state
            .objects
            .entry(kind)
            .or_default()
            .insert(name, object.clone());
        let change = if previous.is_some() {
            ChangeType::Modified
        } else {
            ChangeType::Added
        };
        state.recorder.record_object(at, change, &object);
        drop(state);
        self.bump();
    }

    fn delete(&self, kind: Kind, object: Object) {
        let at = self.now();
        let mut state = self.state();
        state.objects.entry(kind).or_default().remove(object.name());
        state
            .recorder
            .record_object(at, ChangeType::Deleted, &object);
        drop(state);
        self.bump();
    }

    /// Replaces a kind's objects after a (re)list, recording what changed meanwhile.
    fn relisted(&self, kind: Kind, listed: Vec<Object>) {
        let at = self.now();
        let mut state = self.state();
        let fresh: BTreeMap<String, Object> = listed
            .into_iter()
            .map(|o| (o.name().to_owned(), o))
            .collect();
        let old = state
            .objects
            .insert(kind, BTreeMap::new())
            .unwrap_or_default();
        for (name, object) in &old {
            if !fresh.contains_key(name) {
                state
                    .recorder
                    .record_object(at, ChangeType::Deleted, object);
            }
        }
        for (name, object) in &fresh {
            let change = match old.get(name) {
                None => ChangeType::Added,
                Some(before) if before == object => continue,
                Some(_) => ChangeType::Modified,
            };
            state.recorder.record_object(at, change, object);
        }
        state.objects.insert(kind, fresh);
        state.synced.insert(kind);
        drop(state);
        self.bump();
    }

    fn failed(&self, error: String) {
        self.state().last_error = Some(error);
        self.bump();
    }

    /// Whether every watched kind has been listed once.
    pub fn synced(&self) -> bool {
        self.state().synced.len() == WATCHED.len()
    }

    /// The last watch error, if any (watches retry with backoff on their own).
    pub fn last_error(&self) -> Option<String> {
        self.state().last_error.clone()
    }

    /// The object of that kind and name, as last seen.
    pub fn get(&self, kind: Kind, name: &str) -> Option<Object> {
        self.state().objects.get(&kind)?.get(name).cloned()
    }

    /// Every cached object, as a view.
    pub fn view(&self) -> View {
        let state = self.state();
        View::from_objects(
            state
                .objects
                .values()
                .flat_map(|by_name| by_name.values().cloned()),
        )
        .taken_at(self.now())
    }

    /// The pod timeline so far.
    pub fn timeline(&self) -> Timeline {
        self.state().recorder.timeline()
    }
}

/// Feeds `cache` from a watch of `kind` through `api` until the task is aborted.
pub async fn watch_kind(api: Api<DynamicObject>, kind: Kind, cache: Arc<Cache>) {
    let mut stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut relist: Option<Vec<Object>> = None;
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                cache.failed(format!("watch of {}: {e}", kind.plural()));
                continue;
            }
        };
        match event {
            Event::Init => relist = Some(Vec::new()),
            Event::InitApply(o) => {
                if let Some(object) = convert(kind, o) {
                    relist.get_or_insert_with(Vec::new).push(object);
                }
            }
            Event::InitDone => cache.relisted(kind, relist.take().unwrap_or_default()),
            Event::Apply(o) => {
                if let Some(object) = convert(kind, o) {
                    cache.apply(kind, object);
                }
            }
            Event::Delete(o) => {
                if let Some(object) = convert(kind, o) {
                    cache.delete(kind, object);
                }
            }
        }
    }
}

/// A watched object as the typed object steps read.
fn convert(kind: Kind, object: DynamicObject) -> Option<Object> {
    let mut json = serde_json::to_value(object).ok()?;
    if let Some(map) = json.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| kind.api_version().into());
        map.entry("kind").or_insert_with(|| kind.as_str().into());
    }
    Object::from_json(kind, json).ok()
}
