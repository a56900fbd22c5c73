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
//! Pods stay typed: every component reads every pod several times per change, and
//! encoding pods made a 100,000-replica run 2.5 times slower (see BENCHMARKS.md).

use crate::model::object::{Kind, Object};
use crate::sim::statefulset::stateful_set_utils::ClaimOwners;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
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
        let held = if may_go_cold(&object) {
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
            Held::Coolable { state, .. } => match &*Version::state(state) {
                State::Typed(object) => object.clone(),
                State::Compact(bytes) => Arc::new(self.decode(bytes)),
            },
        }
    }

    /// The object, owned (to modify and write back); a cold version is decoded straight
    /// into it rather than decoded and then cloned.
    pub fn to_object(&self) -> Object {
        match &self.held {
            Held::Typed(object) => Object::clone(object),
            Held::Coolable { state, .. } => match &*Version::state(state) {
                State::Typed(object) => Object::clone(object),
                State::Compact(bytes) => self.decode(bytes),
            },
        }
    }

    fn decode(&self, bytes: &[u8]) -> Object {
        match Object::decode_compact(self.kind, bytes) {
            Ok(object) => object,
            // The bytes were produced by `encode_compact` from an object of this kind a
            // moment ago, and `cool` checks the round trip in every debug build.
            Err(error) => panic!("a cold {} failed to decode: {error}", self.kind),
        }
    }

    /// `metadata.resourceVersion`, without decoding.
    pub fn resource_version(&self) -> Option<&str> {
        match &self.held {
            Held::Typed(object) => object.metadata().resource_version.as_deref(),
            Held::Coolable { summary, .. } => summary.resource_version.as_deref(),
        }
    }

    /// `metadata.uid`, without decoding.
    pub fn uid(&self) -> Option<&str> {
        match &self.held {
            Held::Typed(object) => object.metadata().uid.as_deref(),
            Held::Coolable { summary, .. } => summary.uid.as_deref(),
        }
    }

    /// `metadata.creationTimestamp`, without decoding.
    pub fn creation_timestamp(&self) -> Option<&Time> {
        match &self.held {
            Held::Typed(object) => object.metadata().creation_timestamp.as_ref(),
            Held::Coolable { summary, .. } => summary.creation_timestamp.as_ref(),
        }
    }

    /// Whether `metadata.deletionTimestamp` is set, without decoding.
    pub fn deleting(&self) -> bool {
        match &self.held {
            Held::Typed(object) => object.metadata().deletion_timestamp.is_some(),
            Held::Coolable { summary, .. } => summary.deleting,
        }
    }

    /// The uid of the controller reference, if any, without decoding.
    pub fn controller(&self) -> Option<&str> {
        self.owner_references()
            .iter()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid.as_str())
    }

    /// Whether the version is held typed.
    pub fn is_typed(&self) -> bool {
        match &self.held {
            Held::Typed(_) => true,
            Held::Coolable { state, .. } => matches!(&*Version::state(state), State::Typed(_)),
        }
    }

    /// Encodes a typed version and drops the typed form. Content the encoding cannot
    /// hold (none of the stored kinds has any) stays typed.
    fn cool(&self) {
        let Held::Coolable { state, .. } = &self.held else {
            return;
        };
        let mut state = Version::state(state);
        let State::Typed(object) = &*state else {
            return;
        };
        let Ok(bytes) = object.encode_compact() else {
            return;
        };
        #[cfg(debug_assertions)]
        assert_eq!(
            Object::decode_compact(self.kind, &bytes).as_ref(),
            Ok(&**object),
            "a stored object changed on its way through the compact encoding"
        );
        *state = State::Compact(bytes);
    }
}

/// `metadata.ownerReferences`, without decoding: what the store's owner index and the
/// controller's retention checks read.
impl ClaimOwners for Version {
    fn owner_references(&self) -> &[OwnerReference] {
        match &self.held {
            Held::Typed(object) => object.metadata().owner_references.as_deref().unwrap_or(&[]),
            Held::Coolable { summary, .. } => &summary.owner_references,
        }
    }
}

/// Whether a version may go cold: settled objects, one per replica, written once at
/// binding and rarely read after — every persistent volume, and a claim once it is bound
/// (and not being deleted).
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

    fn volume(name: &str) -> Arc<Object> {
        Arc::new(Object::from(PersistentVolume {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(format!("uid-{name}")),
                owner_references: Some(vec![OwnerReference {
                    uid: "set".into(),
                    controller: Some(true),
                    ..Default::default()
                }]),
                ..Default::default()
            },
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
    fn pods_unbound_claims_and_the_few_other_kinds_stay_typed() {
        let mut hot = HotSet::new(0);
        let mut deleting = bound_claim();
        deleting.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
        for object in [
            Object::from(Pod::default()),
            Object::from(PersistentVolumeClaim::default()),
            Object::from(deleting),
            Object::from(k8s_openapi::api::core::v1::Service::default()),
        ] {
            let version = Arc::new(Version::new(Arc::new(object)));
            hot.written(&version);
            assert!(version.is_typed());
        }
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
}
