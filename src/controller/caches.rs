//! The controller's informer caches: one kube-rs reflector per kind it reads
//! (StatefulSets, Pods, PersistentVolumeClaims, ControllerRevisions), in every namespace
//! or one, each feeding its watch events to a handler after the cache has applied them.

use futures::StreamExt as _;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::runtime::WatchStreamExt as _;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

use super::clock::TargetClock;
use super::handlers;
use super::queue::Queue;

/// A watch event as a handler sees it: the object applied (added or updated), or deleted.
#[derive(Debug)]
pub enum Change<K> {
    Applied(Arc<K>),
    Deleted(Arc<K>),
}

/// The four caches.
#[derive(Clone)]
pub struct Caches {
    pub sets: Store<StatefulSet>,
    pub pods: Store<Pod>,
    pub claims: Store<PersistentVolumeClaim>,
    pub revisions: Store<ControllerRevision>,
}

impl Caches {
    /// Waits until every cache has listed once.
    ///
    /// # Errors
    /// When a cache's writer went away (its watch task ended).
    pub async fn wait_until_ready(&self) -> Result<(), reflector::store::WriterDropped> {
        self.sets.wait_until_ready().await?;
        self.pods.wait_until_ready().await?;
        self.claims.wait_until_ready().await?;
        self.revisions.wait_until_ready().await
    }

    /// A cached object by namespace and name.
    pub fn get<K>(store: &Store<K>, namespace: &str, name: &str) -> Option<Arc<K>>
    where
        K: Resource + Clone + 'static,
        K::DynamicType: Default + Eq + std::hash::Hash + Clone,
    {
        store.get(&ObjectRef::new(name).within(namespace))
    }
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Starts the reflector of one kind: its cache, and a task that keeps it current (retrying
/// failed watches with backoff) and hands each change to `handle`.
fn start<K>(
    client: &Client,
    namespace: Option<&str>,
    mut handle: impl FnMut(Change<K>) + Send + 'static,
) -> (Store<K>, tokio::task::JoinHandle<()>)
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + Debug
        + DeserializeOwned
        + Send
        + Sync
        + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    let (store, writer) = reflector::store::<K>();
    let stream = reflector::reflector(
        writer,
        watcher::watcher(api::<K>(client, namespace), watcher::Config::default()),
    )
    .default_backoff();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            match event {
                Ok(Event::Apply(o) | Event::InitApply(o)) => handle(Change::Applied(Arc::new(o))),
                Ok(Event::Delete(o)) => handle(Change::Deleted(Arc::new(o))),
                Ok(Event::Init | Event::InitDone) => {}
                Err(e) => eprintln!(
                    "stsconform controller: watching {}: {e} (retrying)",
                    K::plural(&Default::default())
                ),
            }
        }
    });
    (store, task)
}

/// Starts the four reflectors, the set and pod ones feeding upstream's handlers
/// ([`super::handlers`]) that queue set keys; returns the caches and their tasks (abort
/// them to stop).
pub fn start_all(
    client: &Client,
    namespace: Option<&str>,
    queue: &Arc<Queue>,
    clock: TargetClock,
) -> (Caches, Vec<tokio::task::JoinHandle<()>>) {
    let on_set = {
        let queue = Arc::clone(queue);
        move |change| handlers::on_set(&queue, change)
    };
    let (sets, a) = start(client, namespace, on_set);
    let on_pod = {
        let (queue, sets) = (Arc::clone(queue), sets.clone());
        let mut seen = handlers::SeenPods::default();
        move |change| handlers::on_pod(&queue, &sets, clock, &mut seen, change)
    };
    let (pods, b) = start(client, namespace, on_pod);
    // Upstream's controller reads claims and revisions through listers only: no handlers.
    let (claims, c) = start::<PersistentVolumeClaim>(client, namespace, |_| {});
    let (revisions, d) = start::<ControllerRevision>(client, namespace, |_| {});
    (
        Caches {
            sets,
            pods,
            claims,
            revisions,
        },
        vec![a, b, c, d],
    )
}
