//! The kube-rs backend of the reference controller's sync: [`PodLister`] and
//! [`ObjectManager`] over the informer caches and `kube::Api`. A sync runs on a blocking
//! thread; each write is an API call issued on the runtime and waited for, as client-go's
//! calls block the sync goroutine. Reads that precede a write (GET to modify, the
//! adoption re-check) go to the server, as upstream's do; everything else reads the caches.

use super::caches::Caches;
use super::clock::TargetClock;
use crate::model::api_error::ApiError;
use crate::model::object::Kind;
use crate::model::object::Object;
use crate::model::pod_record::{PodRecord, PodView};
use crate::model::selector;
use crate::sim::events::{Involved, Recorder, new_event};
use crate::sim::statefulset::stateful_set_utils::ClaimOwners;
use crate::sim::statefulset::{COMPONENT, ObjectManager, PodLister, SharedRevision};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, PostParams};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;
use std::sync::{Mutex, PoisonError};

/// What every sync shares: the client, the caches, the target's clock.
pub struct Context {
    pub client: Client,
    pub caches: Caches,
    pub clock: TargetClock,
    pub runtime: tokio::runtime::Handle,
    /// The event recorder's memory (correlation, dedup, spam filter).
    pub events: Mutex<Recorder>,
}

/// A kube-rs error as the sync's API error: a server's `Status` as it came, a failed
/// connection as 503.
pub fn api_error(e: kube::Error) -> ApiError {
    match e {
        kube::Error::Api(status) => ApiError::Remote {
            code: status.code,
            reason: status.reason,
            message: status.message,
        },
        other => ApiError::Remote {
            code: 503,
            reason: "ServiceUnavailable".into(),
            message: crate::kubeclient::describe(&other),
        },
    }
}

/// One sync's view of the cluster, for the set's namespace.
pub struct KubeObjects<'a> {
    ctx: &'a Context,
    /// The namespace's claims, read from the cache when the sync starts and updated with
    /// this sync's own writes (the sync reads them in place, many times).
    claims: HashMap<String, Arc<PersistentVolumeClaim>>,
}

impl<'a> KubeObjects<'a> {
    /// A view for a sync of a set in `namespace`.
    pub fn new(ctx: &'a Context, namespace: &str) -> KubeObjects<'a> {
        let claims = ctx
            .caches
            .claims
            .state()
            .into_iter()
            .filter(|c| c.metadata.namespace.as_deref() == Some(namespace))
            .filter_map(|c| Some((c.metadata.name.clone()?, c)))
            .collect();
        KubeObjects { ctx, claims }
    }

    fn api<K>(&self, namespace: &str) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.ctx.client.clone(), namespace)
    }

    fn call<T>(&self, future: impl Future<Output = Result<T, kube::Error>>) -> Result<T, ApiError> {
        self.ctx.runtime.block_on(future).map_err(api_error)
    }

    fn get_live<K>(&self, namespace: &str, name: &str) -> Option<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope> + Clone + Debug + DeserializeOwned,
        K::DynamicType: Default,
    {
        let api = self.api::<K>(namespace);
        match self.call(api.get_opt(name)) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("stsconform controller: GET {namespace}/{name}: {e}");
                None
            }
        }
    }

    fn create<K>(&self, object: &K) -> Result<K, ApiError>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Serialize,
        K::DynamicType: Default,
    {
        let namespace = object.meta().namespace.clone().unwrap_or_default();
        let api = self.api::<K>(&namespace);
        self.call(api.create(&PostParams::default(), object))
    }

    fn replace<K>(&self, object: &K) -> Result<K, ApiError>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Serialize,
        K::DynamicType: Default,
    {
        let namespace = object.meta().namespace.clone().unwrap_or_default();
        let name = object.meta().name.clone().unwrap_or_default();
        let api = self.api::<K>(&namespace);
        self.call(api.replace(&name, &PostParams::default(), object))
    }

    fn delete<K>(&self, namespace: &str, name: &str) -> Result<(), ApiError>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope> + Clone + Debug + DeserializeOwned,
        K::DynamicType: Default,
    {
        let api = self.api::<K>(namespace);
        self.call(api.delete(name, &DeleteParams::default()))
            .map(|_| ())
    }
}

impl PodLister for KubeObjects<'_> {
    fn pods_owned_by(&self, namespace: &str, owner_uid: &str) -> Vec<String> {
        self.ctx
            .caches
            .pods
            .state()
            .iter()
            .filter(|p| p.namespace() == Some(namespace))
            .filter(|p| p.owner_references().iter().any(|r| r.uid == owner_uid))
            .map(|p| p.name().to_owned())
            .collect()
    }

    fn pod_record(&self, namespace: &str, name: &str) -> Option<Arc<PodRecord>> {
        let pod = Caches::get(&self.ctx.caches.pods, namespace, name)?;
        Some(Arc::new(PodRecord::of(&pod)))
    }

    fn orphan_pods(&self, namespace: &str) -> Vec<Arc<PodRecord>> {
        let mut orphans: Vec<Arc<PodRecord>> = self
            .ctx
            .caches
            .pods
            .state()
            .iter()
            .filter(|p| p.namespace() == Some(namespace))
            .filter(|p| {
                !p.owner_references()
                    .iter()
                    .any(|r| r.controller == Some(true))
            })
            .map(|p| Arc::new(PodRecord::of(p)))
            .collect();
        orphans.sort_by(|a, b| a.name().cmp(b.name()));
        orphans
    }
}

impl ObjectManager for KubeObjects<'_> {
    fn now(&self) -> Timestamp {
        self.ctx.clock.now()
    }

    /// The reflector stores take watch events as they arrive, before the handlers mark
    /// them: a rebuild may see changes the incremental index is yet to hear of.
    fn marks_every_change(&self) -> bool {
        false
    }

    fn pod_object(&self, namespace: &str, name: &str) -> Option<Arc<Object>> {
        let pod = Caches::get(&self.ctx.caches.pods, namespace, name)?;
        Some(Arc::new(Object::Pod(Box::new(Pod::clone(&pod)))))
    }

    fn get_pod(&self, namespace: &str, name: &str) -> Option<Pod> {
        self.get_live(namespace, name)
    }

    fn create_pod(&mut self, pod: Pod) -> Result<(), ApiError> {
        self.create(&pod).map(|_| ())
    }

    fn update_pod(&mut self, pod: Pod) -> Result<(), ApiError> {
        // The resourceVersion of the GET it came from: a conflict fails this sync, and the
        // retry reads again.
        self.replace(&pod).map(|_| ())
    }

    fn delete_pod(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.delete::<Pod>(namespace, name)
    }

    fn claim(&self, _namespace: &str, name: &str) -> Option<&dyn ClaimOwners> {
        self.claims.get(name).map(|c| &**c as &dyn ClaimOwners)
    }

    fn get_claim(&self, namespace: &str, name: &str) -> Option<PersistentVolumeClaim> {
        self.get_live(namespace, name)
    }

    fn create_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError> {
        let created = self.create(&claim)?;
        if let Some(name) = created.metadata.name.clone() {
            self.claims.insert(name, Arc::new(created));
        }
        Ok(())
    }

    fn update_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError> {
        let updated = self.replace(&claim)?;
        if let Some(name) = updated.metadata.name.clone() {
            self.claims.insert(name, Arc::new(updated));
        }
        Ok(())
    }

    fn get_set(&self, namespace: &str, name: &str) -> Option<StatefulSet> {
        self.get_live(namespace, name)
    }

    fn update_set_status(
        &mut self,
        set: &StatefulSet,
        status: StatefulSetStatus,
    ) -> Result<(), ApiError> {
        // With the cached set's resourceVersion: a sync that read a set older than the
        // stored one (another sync's status write, or a user's, not yet in the cache)
        // gets a conflict and runs again on the newer set, rather than replacing that
        // status with one computed from the older. (The simulation's sync reads and
        // writes atomically; upstream retries the write on the lister's newer copy.)
        let mut metadata = set.metadata.clone();
        metadata.managed_fields = None;
        let status_only = StatefulSet {
            metadata,
            spec: set.spec.clone(),
            status: Some(status),
        };
        let namespace = set.metadata.namespace.as_deref().unwrap_or("");
        let name = set.metadata.name.as_deref().unwrap_or("");
        let api = self.api::<StatefulSet>(namespace);
        self.call(api.replace_status(name, &PostParams::default(), &status_only))
            .map(|_| ())
    }

    fn list_revisions(&self, set: &StatefulSet) -> Vec<SharedRevision> {
        let ns = set.metadata.namespace.as_deref().unwrap_or("");
        let uid = set.metadata.uid.as_deref().unwrap_or("");
        let everything = Default::default();
        let selector = set.spec.as_ref().map_or(&everything, |s| &s.selector);
        let mut revisions: Vec<SharedRevision> = self
            .ctx
            .caches
            .revisions
            .state()
            .iter()
            .filter(|r| r.metadata.namespace.as_deref() == Some(ns))
            .filter(|r| {
                selector::selector_matches(selector, r.metadata.labels.as_ref()).unwrap_or(false)
            })
            .filter(|r| {
                r.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|o| o.controller == Some(true))
                    .is_none_or(|c| c.uid == uid)
            })
            .map(|r| SharedRevision::from(ControllerRevision::clone(r)))
            .collect();
        // The cache holds no order; the sync sorts, but ties keep the name order the
        // simulation's store lists in.
        revisions.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        revisions
    }

    fn create_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError> {
        self.create(&revision)
    }

    fn get_revision(&self, namespace: &str, name: &str) -> Option<ControllerRevision> {
        self.get_live(namespace, name)
    }

    fn update_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError> {
        self.replace(&revision)
    }

    fn delete_revision(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.delete::<ControllerRevision>(namespace, name)
    }

    fn record_event(&mut self, set: &StatefulSet, type_: &str, reason: &str, message: &str) {
        let involved = Involved {
            kind: Kind::StatefulSet,
            namespace: set.metadata.namespace.clone().unwrap_or_default(),
            name: set.metadata.name.clone().unwrap_or_default(),
            uid: set.metadata.uid.clone().unwrap_or_default(),
        };
        let now = self.now();
        let since_epoch = now.duration_since(Timestamp::UNIX_EPOCH).unsigned_abs();
        let time = Time(Timestamp::from_second(now.as_second()).unwrap_or(now));
        // Correlated as client-go's recorder does (and the simulation's): repeats count on
        // one event, similar ones aggregate, a spam filter drops the excess.
        let correlated = self
            .ctx
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .correlate(
                since_epoch,
                &time,
                &involved,
                type_,
                reason,
                message,
                COMPONENT,
            );
        let Some(correlated) = correlated else {
            return;
        };
        let existing = (correlated.count > 1)
            .then(|| self.get_live::<Event>(&involved.namespace, &correlated.name))
            .flatten();
        let result = match existing {
            Some(mut event) => {
                event.count = Some(correlated.count);
                event.message = Some(correlated.message);
                event.last_timestamp = Some(time);
                self.replace(&event).map(|_| ())
            }
            None => {
                let event = new_event(&involved, type_, reason, COMPONENT, correlated, time);
                self.create(&event).map(|_| ())
            }
        };
        if let Err(e) = result {
            eprintln!(
                "stsconform controller: recording event {reason} on {}/{}: {e}",
                involved.namespace, involved.name
            );
        }
    }
}
