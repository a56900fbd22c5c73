//! How the store holds one written version of an object: typed while it is hot, in the
//! compact encoding ([`crate::model::compact`]) once it has gone cold.
//!
//! A StatefulSet's persistent volumes and bound claims are settled: written when a claim
//! is bound and then hardly read again, yet k8s-openapi lays every optional field out
//! inline, so a typed `PersistentVolume` is 4.3 KB and a claim 2.9 KB. The store keeps
//! only the newest [`HotSet`] settled versions typed and encodes older ones (about 0.6
//! and 0.5 KB). A claim still waiting for its volume stays typed: the provisioner is about
//! to read and rewrite it, and a decode costs more than a deep clone (k8s-openapi's
//! `Deserialize` impls dominate it). A version is shared by the store's table and the
//! change log, so cooling it shrinks both. A version that may go cold also keeps a summary
//! (resourceVersion, uid, owner references, deletion state), which is all the store's
//! indexes read, so they never decode; the kubelet's claim check and the controller's
//! retention checks read claims through the same accessors.
//!
//! Pods go cold too, and their readers do not decode them: each pod version keeps a
//! [`PodRecord`] (what the controller, kubelet, endpoints, GC and dispatch decide on), and
//! a cold pod is held in two parts — metadata and spec, shared by the versions its status
//! writes make, and its status — so the kubelet's status writes decode and encode only
//! the status ([`Version::pod_status`], [`Version::with_pod_status`]). A typed pod is
//! 10.8 KB; a cold one about 1.8 KB plus its record.

use crate::model::compact::{self, CompactError};
use crate::model::object::{Kind, Object};
use crate::sim::pod_record::{PodRecord, PodView};
use crate::sim::statefulset::stateful_set_utils::ClaimOwners;
use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// What the store needs of a cold version without decoding it: identity, ownership and
/// whether it is being deleted.
#[derive(Debug, Clone, PartialEq)]
struct Summary {
    resource_version: Option<String>,
    uid: Option<String>,
    creation_timestamp: Option<Time>,
    deleting: bool,
    owner_references: Box<[OwnerReference]>,
}

impl Summary {
    fn of(object: &Object) -> Summary {
        let meta = object.metadata();
        Summary {
            resource_version: meta.resource_version.clone(),
            uid: meta.uid.clone(),
            creation_timestamp: meta.creation_timestamp.clone(),
            deleting: meta.deletion_timestamp.is_some(),
            owner_references: meta.owner_references.clone().unwrap_or_default().into(),
        }
    }
}

#[derive(Debug)]
enum State {
    Typed(Arc<Object>),
    Compact(Box<[u8]>),
    /// A pod in two parts: metadata and spec, shared by the versions its status writes
    /// make, and the status. The head's resourceVersion is stale after a status write;
    /// the record's is the version's own.
    CompactPod {
        head: Arc<[u8]>,
        status: Box<[u8]>,
    },
}

/// What a pod's head encodes (everything but its status).
#[derive(serde::Serialize)]
struct PodHeadRef<'a> {
    metadata: &'a ObjectMeta,
    spec: &'a Option<PodSpec>,
}

#[derive(serde::Deserialize)]
struct PodHead {
    metadata: ObjectMeta,
    spec: Option<PodSpec>,
}

#[derive(Debug)]
enum Held {
    /// A kind that never goes cold: the object answers for itself.
    Typed(Arc<Object>),
    /// A kind that may go cold, with what must stay readable without decoding. A mutex,
    /// not a cell, because a version is shared by the store and the log, and the store
    /// must stay `Send + Sync` for `serve`; it is never contended.
    Coolable {
        summary: Summary,
        state: Mutex<State>,
    },
    /// A pod, with the record its readers decide on.
    Pod {
        record: Arc<PodRecord>,
        creation_timestamp: Option<Time>,
        state: Mutex<State>,
    },
}

/// One written version of an object.
#[derive(Debug)]
pub struct Version {
    kind: Kind,
    held: Held,
}

impl Version {
    /// A freshly written version, typed.
    pub fn new(object: Arc<Object>) -> Version {
        let kind = object.kind();
        let held = if let Object::Pod(pod) = &*object {
            Held::Pod {
                record: Arc::new(PodRecord::of(pod)),
                creation_timestamp: pod.metadata.creation_timestamp.clone(),
                state: Mutex::new(State::Typed(object)),
            }
        } else if may_go_cold(&object) {
            Held::Coolable {
                summary: Summary::of(&object),
                state: Mutex::new(State::Typed(object)),
            }
        } else {
            Held::Typed(object)
        };
        Version { kind, held }
    }

    /// The version's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    fn state(state: &Mutex<State>) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-written: every write
        // replaces it whole.
        state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The object; a cold version is decoded (and stays cold).
    pub fn object(&self) -> Arc<Object> {
        match &self.held {
            Held::Typed(object) => object.clone(),
            Held::Coolable { state, .. } | Held::Pod { state, .. } => match &*Version::state(state)
            {
                State::Typed(object) => object.clone(),
                cold => Arc::new(self.decode(cold)),
            },
        }
    }

    /// The object, owned (to modify and write back); a cold version is decoded straight
    /// into it rather than decoded and then cloned.
    pub fn to_object(&self) -> Object {
        match &self.held {
            Held::Typed(object) => Object::clone(object),
            Held::Coolable { state, .. } | Held::Pod { state, .. } => match &*Version::state(state)
            {
                State::Typed(object) => Object::clone(object),
                cold => self.decode(cold),
            },
        }
    }

    fn decode(&self, state: &State) -> Object {
        let decoded = match state {
            State::Typed(object) => return Object::clone(object),
            State::Compact(bytes) => Object::decode_compact(self.kind, bytes),
            State::CompactPod { head, status } => self.decode_pod(head, status).map(Object::from),
        };
        match decoded {
            Ok(object) => object,
            // The bytes were produced by the encoder from an object of this kind a moment
            // ago, and `cool` checks the round trip in every debug build.
            Err(error) => panic!("a cold {} failed to decode: {error}", self.kind),
        }
    }

    fn decode_pod(&self, head: &[u8], status: &[u8]) -> Result<Pod, CompactError> {
        let head: PodHead = compact::decode(head)?;
        let mut pod = Pod {
            metadata: head.metadata,
            spec: head.spec,
            status: compact::decode(status)?,
        };
        if let Some(record) = self.pod_record() {
            pod.metadata.resource_version =
                Some(record.resource_version().to_owned()).filter(|rv| !rv.is_empty());
        }
        Ok(pod)
    }

    /// A pod's status, decoding only that part of a cold pod.
    pub fn pod_status(&self) -> Option<PodStatus> {
        let Held::Pod { state, .. } = &self.held else {
            return None;
        };
        match &*Version::state(state) {
            State::Typed(object) => match object.as_ref() {
                Object::Pod(pod) => pod.status.clone(),
                _ => None,
            },
            State::CompactPod { status, .. } => compact::decode(status).ok().flatten(),
            State::Compact(_) => None,
        }
    }

    /// The version a status write of this pod makes: `status` replaces the status and
    /// `resource_version` the resourceVersion. A cold pod's head is shared, not decoded;
    /// None for anything but a pod, or a status the encoding cannot hold.
    pub fn with_pod_status(&self, status: PodStatus, resource_version: &str) -> Option<Version> {
        let Held::Pod {
            record,
            creation_timestamp,
            state,
        } = &self.held
        else {
            return None;
        };
        let record = Arc::new(record.with_status(&status, resource_version));
        let state = match &*Version::state(state) {
            State::Typed(object) => {
                let Object::Pod(pod) = object.as_ref() else {
                    return None;
                };
                let mut pod = Pod::clone(pod);
                pod.status = Some(status);
                pod.metadata.resource_version = Some(resource_version.to_owned());
                let mut object = Object::from(pod);
                object.shrink();
                State::Typed(Arc::new(object))
            }
            State::CompactPod { head, .. } => State::CompactPod {
                head: head.clone(),
                status: compact::encode(&Some(status)).ok()?,
            },
            State::Compact(_) => return None,
        };
        Some(Version {
            kind: Kind::Pod,
            held: Held::Pod {
                record,
                creation_timestamp: creation_timestamp.clone(),
                state: Mutex::new(state),
            },
        })
    }

    /// `metadata.resourceVersion`, without decoding.
    pub fn resource_version(&self) -> Option<&str> {
        match &self.held {
            Held::Typed(object) => object.metadata().resource_version.as_deref(),
            Held::Coolable { summary, .. } => summary.resource_version.as_deref(),
            Held::Pod { record, .. } => Some(record.resource_version()).filter(|v| !v.is_empty()),
        }
    }

    /// `metadata.uid`, without decoding.
    pub fn uid(&self) -> Option<&str> {
        match &self.held {
            Held::Typed(object) => object.metadata().uid.as_deref(),
            Held::Coolable { summary, .. } => summary.uid.as_deref(),
            Held::Pod { record, .. } => Some(record.uid()).filter(|v| !v.is_empty()),
        }
    }

    /// `metadata.creationTimestamp`, without decoding.
    pub fn creation_timestamp(&self) -> Option<&Time> {
        match &self.held {
            Held::Typed(object) => object.metadata().creation_timestamp.as_ref(),
            Held::Coolable { summary, .. } => summary.creation_timestamp.as_ref(),
            Held::Pod {
                creation_timestamp, ..
            } => creation_timestamp.as_ref(),
        }
    }

    /// Whether `metadata.deletionTimestamp` is set, without decoding.
    pub fn deleting(&self) -> bool {
        match &self.held {
            Held::Typed(object) => object.metadata().deletion_timestamp.is_some(),
            Held::Coolable { summary, .. } => summary.deleting,
            Held::Pod { record, .. } => record.deletion_timestamp().is_some(),
        }
    }

    /// The uid of the controller reference, if any, without decoding.
    pub fn controller(&self) -> Option<&str> {
        self.owner_references()
            .iter()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid.as_str())
    }

    /// A pod's record: what its readers decide on, without decoding.
    pub fn pod_record(&self) -> Option<&Arc<PodRecord>> {
        match &self.held {
            Held::Pod { record, .. } => Some(record),
            _ => None,
        }
    }

    /// Whether the version is held typed.
    pub fn is_typed(&self) -> bool {
        match &self.held {
            Held::Typed(_) => true,
            Held::Coolable { state, .. } | Held::Pod { state, .. } => {
                matches!(&*Version::state(state), State::Typed(_))
            }
        }
    }

    /// Encodes a typed version and drops the typed form. Content the encoding cannot
    /// hold (none of the stored kinds has any) stays typed.
    fn cool(&self) {
        let (Held::Coolable { state, .. } | Held::Pod { state, .. }) = &self.held else {
            return;
        };
        let mut state = Version::state(state);
        let State::Typed(object) = &*state else {
            return;
        };
        let cold = match object.as_ref() {
            Object::Pod(pod) => {
                let head = compact::encode(&PodHeadRef {
                    metadata: &pod.metadata,
                    spec: &pod.spec,
                });
                match (head, compact::encode(&pod.status)) {
                    (Ok(head), Ok(status)) => State::CompactPod {
                        head: head.into(),
                        status,
                    },
                    _ => return,
                }
            }
            object => match object.encode_compact() {
                Ok(bytes) => State::Compact(bytes),
                Err(_) => return,
            },
        };
        #[cfg(debug_assertions)]
        assert_eq!(
            &self.decode(&cold),
            &**object,
            "a stored object changed on its way through the compact encoding"
        );
        *state = cold;
    }
}

/// `metadata.ownerReferences`, without decoding: what the store's owner index and the
/// controller's retention checks read.
impl ClaimOwners for Version {
    fn owner_references(&self) -> &[OwnerReference] {
        match &self.held {
            Held::Typed(object) => object.metadata().owner_references.as_deref().unwrap_or(&[]),
            Held::Coolable { summary, .. } => &summary.owner_references,
            Held::Pod { record, .. } => record.owner_references(),
        }
    }

    fn deleting(&self) -> bool {
        Version::deleting(self)
    }
}

/// Whether a version other than a pod's may go cold: settled objects, one per replica,
/// written once at binding and rarely read after — every persistent volume, and a claim
/// once it is bound (and not being deleted). Pods always may.
pub fn may_go_cold(object: &Object) -> bool {
    match object {
        Object::PersistentVolume(_) => true,
        Object::PersistentVolumeClaim(claim) => {
            let bound = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
            let named = claim
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.as_ref())
                .is_some();
            bound && named && claim.metadata.deletion_timestamp.is_none()
        }
        _ => false,
    }
}

/// The most recently written versions of the kinds that go cold, oldest first.
#[derive(Debug)]
pub struct HotSet {
    /// How many versions stay typed.
    limit: usize,
    versions: VecDeque<Arc<Version>>,
}

impl HotSet {
    /// A hot set of at most `limit` versions (0: every such version is encoded at once).
    pub fn new(limit: usize) -> HotSet {
        HotSet {
            limit,
            versions: VecDeque::new(),
        }
    }

    /// Registers a freshly written version and cools the ones it pushes out. A version
    /// nobody else holds any more (superseded and out of the log) is simply dropped.
    pub fn written(&mut self, version: &Arc<Version>) {
        if matches!(version.held, Held::Typed(_)) {
            return;
        }
        self.versions.push_back(version.clone());
        while self.versions.len() > self.limit {
            let Some(oldest) = self.versions.pop_front() else {
                break;
            };
            if Arc::strong_count(&oldest) > 1 {
                oldest.cool();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    /// Metadata of an object named `name`, uid `uid-<name>`, controlled by uid `set`.
    fn controlled(name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            uid: Some(format!("uid-{name}")),
            owner_references: Some(vec![OwnerReference {
                uid: "set".into(),
                controller: Some(true),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    fn volume(name: &str) -> Arc<Object> {
        Arc::new(Object::from(PersistentVolume {
            metadata: controlled(name),
            ..Default::default()
        }))
    }

    #[test]
    fn versions_beyond_the_limit_go_cold_and_read_back_equal() {
        let mut hot = HotSet::new(2);
        let versions: Vec<_> = ["a", "b", "c"]
            .map(|n| Arc::new(Version::new(volume(n))))
            .into_iter()
            .collect();
        for v in &versions {
            hot.written(v);
        }
        assert_eq!(
            versions.iter().map(|v| v.is_typed()).collect::<Vec<_>>(),
            [false, true, true]
        );
        assert_eq!(versions[0].object(), volume("a"));
        assert_eq!(versions[0].to_object(), *volume("a"));
        assert_eq!(versions[0].controller(), Some("set"));
        assert_eq!(versions[0].uid(), Some("uid-a"));
    }

    #[test]
    fn a_version_nobody_holds_is_dropped_not_encoded() {
        let mut hot = HotSet::new(0);
        let version = Arc::new(Version::new(volume("a")));
        let weak = Arc::downgrade(&version);
        hot.written(&version);
        assert!(!version.is_typed(), "a held version is cooled");
        drop(version);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn unbound_claims_and_the_few_other_kinds_stay_typed() {
        let mut hot = HotSet::new(0);
        let mut deleting = bound_claim();
        deleting.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
        for object in [
            Object::from(PersistentVolumeClaim::default()),
            Object::from(deleting),
            Object::from(k8s_openapi::api::core::v1::Service::default()),
        ] {
            let version = Arc::new(Version::new(Arc::new(object)));
            hot.written(&version);
            assert!(version.is_typed());
        }
    }

    #[test]
    fn a_cold_pod_keeps_its_record_and_reads_back_equal() {
        let mut hot = HotSet::new(0);
        let pod = Arc::new(Object::from(Pod {
            metadata: ObjectMeta {
                resource_version: Some("7".into()),
                ..controlled("web-0")
            },
            ..Default::default()
        }));
        let version = Arc::new(Version::new(pod.clone()));
        let record = version.pod_record().cloned().unwrap();
        hot.written(&version);
        assert!(!version.is_typed());
        assert!(Arc::ptr_eq(version.pod_record().unwrap(), &record));
        assert_eq!(record.name(), "web-0");
        assert_eq!(version.resource_version(), Some("7"));
        assert_eq!(version.uid(), Some("uid-web-0"));
        assert_eq!(version.controller(), Some("set"));
        assert_eq!(version.object(), pod);
    }

    fn bound_claim() -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("www-web-0".into()),
                ..Default::default()
            },
            spec: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimSpec {
                volume_name: Some("pvc-1".into()),
                ..Default::default()
            }),
            status: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                phase: Some("Bound".into()),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn a_bound_claim_goes_cold_and_reads_back_equal() {
        let mut hot = HotSet::new(0);
        let claim = Arc::new(Object::from(bound_claim()));
        let version = Arc::new(Version::new(claim.clone()));
        hot.written(&version);
        assert!(!version.is_typed());
        assert_eq!(version.object(), claim);
    }

    #[test]
    fn a_status_write_of_a_cold_pod_shares_its_head_and_reads_back_as_written() {
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some("web-0".into()),
                resource_version: Some("7".into()),
                labels: Some([("app".to_owned(), "nginx".to_owned())].into()),
                ..Default::default()
            },
            spec: Some(PodSpec {
                hostname: Some("web-0".into()),
                ..Default::default()
            }),
            status: Some(PodStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            }),
        };
        let running = PodStatus {
            phase: Some("Running".into()),
            pod_ip: Some("10.244.0.2".into()),
            ..Default::default()
        };
        let mut expected = pod.clone();
        expected.status = Some(running.clone());
        expected.metadata.resource_version = Some("8".into());

        let mut hot = HotSet::new(0);
        let cold = Arc::new(Version::new(Arc::new(Object::from(pod.clone()))));
        hot.written(&cold);
        assert!(!cold.is_typed());
        assert_eq!(cold.pod_status(), pod.status);
        let written = cold.with_pod_status(running.clone(), "8").unwrap();
        assert!(!written.is_typed(), "a cold pod's status write stays cold");
        let head = |version: &Version| match &version.held {
            Held::Pod { state, .. } => match &*Version::state(state) {
                State::CompactPod { head, .. } => Some(head.clone()),
                _ => None,
            },
            _ => None,
        };
        let (Some(a), Some(b)) = (head(&cold), head(&written)) else {
            panic!("not compact pods");
        };
        assert!(Arc::ptr_eq(&a, &b), "the head is shared, not re-encoded");
        assert_eq!(written.to_object(), Object::from(expected.clone()));
        assert_eq!(written.resource_version(), Some("8"));
        assert_eq!(written.pod_record().unwrap().phase(), "Running");

        // A typed pod's status write is typed and equal.
        let typed = Version::new(Arc::new(Object::from(pod)));
        let written = typed.with_pod_status(running, "8").unwrap();
        assert!(written.is_typed());
        assert_eq!(written.to_object(), Object::from(expected));
    }
}
