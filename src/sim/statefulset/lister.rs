//! What the controller reads of pods from its informer cache, as a lister: the seam that
//! lets one sync run over the simulation's store and over a kube-rs reflector alike.
//! Everything here speaks model types ([`PodRecord`]) only.

use crate::model::object::Kind;
use crate::model::pod_record::PodRecord;
use crate::sim::Cluster;
use crate::sim::store::Store;
use std::sync::Arc;

/// The pod reads of a sync.
// upstream: the podLister of stateful_set.go (with the owner and orphan indexes the
// simulation's store keeps)
pub trait PodLister {
    /// Names of the pods in `namespace` that name `owner_uid` in their ownerReferences.
    fn pods_owned_by(&self, namespace: &str, owner_uid: &str) -> Vec<String>;
    /// The cached pod's record.
    fn pod_record(&self, namespace: &str, name: &str) -> Option<Arc<PodRecord>>;
    /// The records of the pods in `namespace` without a controller reference.
    fn orphan_pods(&self, namespace: &str) -> Vec<Arc<PodRecord>>;
}

impl PodLister for Store {
    fn pods_owned_by(&self, namespace: &str, owner_uid: &str) -> Vec<String> {
        self.dependents(owner_uid)
            .filter(|k| k.kind == Kind::Pod && k.namespace == namespace)
            .map(|k| k.name.clone())
            .collect()
    }

    fn pod_record(&self, namespace: &str, name: &str) -> Option<Arc<PodRecord>> {
        self.version(Kind::Pod, namespace, name)?
            .pod_record()
            .cloned()
    }

    fn orphan_pods(&self, namespace: &str) -> Vec<Arc<PodRecord>> {
        self.orphan_pods(namespace)
            .filter_map(|n| self.version(Kind::Pod, namespace, n)?.pod_record().cloned())
            .collect()
    }
}

impl PodLister for Cluster {
    fn pods_owned_by(&self, namespace: &str, owner_uid: &str) -> Vec<String> {
        self.store.pods_owned_by(namespace, owner_uid)
    }

    fn pod_record(&self, namespace: &str, name: &str) -> Option<Arc<PodRecord>> {
        PodLister::pod_record(&self.store, namespace, name)
    }

    fn orphan_pods(&self, namespace: &str) -> Vec<Arc<PodRecord>> {
        PodLister::orphan_pods(&self.store, namespace)
    }
}
