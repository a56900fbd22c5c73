//! The typed object store: what etcd plus the generic registry give a real API server.
//!
//! It assigns uids, creation timestamps and one monotonic resourceVersion, keeps an ordered
//! change log of ADDED/MODIFIED/DELETED events (the source of watches, informers and
//! timelines), and indexes objects by owner so controllers never scan a whole kind.
//! Each written version is held once, shared by the table and the log, typed while hot
//! and compact once cold ([`crate::sim::stored`]); reads hand out typed objects either way.

use crate::model::object::{Kind, Object};
use crate::sim::FastHashMap;
use crate::sim::pod_record::PodRecord;
use crate::sim::statefulset::stateful_set_utils::ClaimOwners;
use crate::sim::stored::{HotSet, Version};
use k8s_openapi::api::core::v1::PodStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// A kind plus namespace and name: the identity of a stored object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    /// Builds a key.
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The key of a stored object.
    pub fn of(object: &Object) -> ObjectKey {
        ObjectKey::new(object.kind(), object.namespace(), object.name())
    }
}

pub use crate::model::change::ChangeType;

/// Who made a change: the component whose work item was running, or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Actor {
    /// Anything outside the cluster's own components (steps, `serve` clients).
    User,
    /// The StatefulSet controller.
    StatefulSetController,
    /// Scheduler and kubelet.
    Kubelet,
    /// The volume provisioner.
    Volumes,
    /// The garbage collector.
    GarbageCollector,
    /// The endpoint-slice controller.
    Endpoints,
    /// The namespace controller.
    NamespaceController,
}

/// One entry of the change log, as its readers see it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The resourceVersion this change produced.
    pub resource_version: u64,
    /// Virtual time of the change.
    pub at: Duration,
    pub change_type: ChangeType,
    /// Who wrote it.
    pub actor: Actor,
    /// The object after the change (for DELETED: its last state, with the deleting version).
    pub object: Arc<Object>,
}

/// One entry of the change log as the store keeps it: the version is shared with the
/// table (or, once superseded, held by the log alone) and may be cold.
#[derive(Debug, Clone)]
pub struct Logged {
    resource_version: u64,
    at: Duration,
    change_type: ChangeType,
    actor: Actor,
    version: Arc<Version>,
}

impl Logged {
    /// What happened.
    pub fn change_type(&self) -> ChangeType {
        self.change_type
    }

    /// The version written (or, for DELETED, the last one).
    pub fn version(&self) -> &Arc<Version> {
        &self.version
    }

    /// The entry with its object (decoded if cold).
    pub fn change(&self) -> Change {
        Change {
            resource_version: self.resource_version,
            at: self.at,
            change_type: self.change_type,
            actor: self.actor,
            object: self.version.object(),
        }
    }
}

/// Store failures, shaped like the API server's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist.
    #[error("{kind} \"{name}\" not found")]
    NotFound { kind: Kind, name: String },
    /// An object with that name already exists.
    #[error("{kind} \"{name}\" already exists")]
    AlreadyExists { kind: Kind, name: String },
    /// The write carried a stale resourceVersion.
    #[error(
        "Operation cannot be fulfilled on {kind} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
    )]
    Conflict { kind: Kind, name: String },
    /// A watch asked for changes the log no longer holds.
    #[error("too old resource version: {requested} ({oldest})")]
    Expired { requested: u64, oldest: u64 },
}

/// How much of the change log is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogRetention {
    /// Keep every change (scenarios, timelines, determinism checks).
    All,
    /// Keep about the newest `n` changes (long-running servers, benchmarks).
    Window(usize),
}

/// Deterministic uid source: a counter mixed through splitmix64, formatted like a UUID.
#[derive(Debug, Clone)]
struct UidSource {
    seed: u64,
    counter: u64,
}

impl UidSource {
    fn next(&mut self) -> String {
        self.counter += 1;
        let hi = splitmix64(self.seed ^ self.counter);
        let lo = splitmix64(hi ^ self.counter.rotate_left(17));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0x0fff,
            0x8000 | ((lo >> 48) & 0x3fff),
            lo & 0xffff_ffff_ffff
        )
    }
}

/// The splitmix64 mixing function: a tiny, well-distributed deterministic generator.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The object store.
///
/// # Invariants
/// * `resource_version` strictly increases with every write; every stored object carries
///   the version of its last write.
/// * `owned` holds, for every owner uid named in any stored object's ownerReferences, the
///   keys of those objects; `orphans` holds every pod without a controller reference
///   (pods are the only kind a controller adopts by looking for orphans).
#[derive(Debug)]
pub struct Store {
    tables: [BTreeMap<String, BTreeMap<String, Arc<Version>>>; Kind::ALL.len()],
    counts: [usize; Kind::ALL.len()],
    resource_version: u64,
    log: VecDeque<Logged>,
    hot: HotSet,
    retention: LogRetention,
    uids: UidSource,
    owned: FastHashMap<String, BTreeSet<ObjectKey>>,
    /// Namespace → names of pods without a controller reference.
    orphans: BTreeMap<String, BTreeSet<String>>,
    actor: Actor,
}

fn table_index(kind: Kind) -> usize {
    kind as usize
}

impl Store {
    /// An empty store whose uids derive from `seed`, keeping every version typed.
    pub fn new(seed: u64, retention: LogRetention) -> Store {
        Store::with_hot_limit(seed, retention, usize::MAX)
    }

    /// An empty store that keeps the newest `hot_limit` settled versions (volumes, bound claims)
    /// typed and encodes older ones.
    pub fn with_hot_limit(seed: u64, retention: LogRetention, hot_limit: usize) -> Store {
        Store {
            hot: HotSet::new(hot_limit),
            tables: Default::default(),
            counts: [0; Kind::ALL.len()],
            resource_version: 1,
            log: VecDeque::new(),
            retention,
            uids: UidSource { seed, counter: 0 },
            owned: FastHashMap::default(),
            orphans: BTreeMap::new(),
            actor: Actor::User,
        }
    }

    /// Attributes the following writes to `actor`.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// The newest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// A fresh uid.
    pub fn next_uid(&mut self) -> String {
        self.uids.next()
    }

    /// The stored version with that key: its identity, ownership and deletion state
    /// read without decoding.
    pub fn version(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Version>> {
        self.tables[table_index(kind)].get(namespace)?.get(name)
    }

    /// The object with that key (decoded if cold).
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        Some(self.version(kind, namespace, name)?.object())
    }

    /// The object with that key, owned, to modify and write back.
    pub fn get_owned(&self, kind: Kind, namespace: &str, name: &str) -> Option<Object> {
        Some(self.version(kind, namespace, name)?.to_object())
    }

    /// Whether an object with that key exists.
    pub fn contains(&self, key: &ObjectKey) -> bool {
        self.version(key.kind, &key.namespace, &key.name).is_some()
    }

    /// All objects of a kind, in one namespace or (None) everywhere, sorted by namespace and name.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = Arc<Object>> + 'a {
        let table = &self.tables[table_index(kind)];
        let namespaces: Box<dyn Iterator<Item = &'a BTreeMap<String, Arc<Version>>> + 'a> =
            match namespace {
                Some(ns) => Box::new(table.get(ns).into_iter()),
                None => Box::new(table.values()),
            };
        namespaces.flat_map(|versions| versions.values().map(|v| v.object()))
    }

    /// The names of the objects of a kind in a namespace, in order, without reading them.
    pub fn names<'a>(&'a self, kind: Kind, namespace: &str) -> impl Iterator<Item = &'a String> {
        self.tables[table_index(kind)]
            .get(namespace)
            .into_iter()
            .flat_map(BTreeMap::keys)
    }

    /// How many objects of a kind exist.
    pub fn count(&self, kind: Kind) -> usize {
        self.counts[table_index(kind)]
    }

    /// Keys of objects that name `owner_uid` in their ownerReferences.
    pub fn dependents(&self, owner_uid: &str) -> impl Iterator<Item = &ObjectKey> {
        self.owned.get(owner_uid).into_iter().flatten()
    }

    /// Names of the pods in `namespace` with no controller reference.
    pub fn orphan_pods(&self, namespace: &str) -> impl Iterator<Item = &String> {
        self.orphans.get(namespace).into_iter().flatten()
    }

    /// Stores a new object, assigning uid (unless set), creationTimestamp and resourceVersion.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] when the name is taken.
    pub fn create(
        &mut self,
        mut object: Object,
        now: Duration,
        time: Time,
    ) -> Result<Arc<Object>, StoreError> {
        let key = ObjectKey::of(&object);
        if self.contains(&key) {
            return Err(StoreError::AlreadyExists {
                kind: key.kind,
                name: key.name,
            });
        }
        let uid = self.next_uid();
        let meta = object.metadata_mut();
        if meta.uid.as_deref().unwrap_or("").is_empty() {
            meta.uid = Some(uid);
        }
        meta.creation_timestamp = Some(time);
        Ok(self.commit(key, object, ChangeType::Added, now))
    }

    /// Replaces a stored object. A non-empty `metadata.resourceVersion` must match the
    /// stored one; uid and creationTimestamp are kept from the stored object.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or [`StoreError::Conflict`] for a stale resourceVersion.
    pub fn update(&mut self, mut object: Object, now: Duration) -> Result<Arc<Object>, StoreError> {
        let key = ObjectKey::of(&object);
        let Some(current) = self.version(key.kind, &key.namespace, &key.name) else {
            return Err(StoreError::NotFound {
                kind: key.kind,
                name: key.name,
            });
        };
        if let Some(rv) = object.metadata().resource_version.as_deref()
            && !rv.is_empty()
            && Some(rv) != current.resource_version()
        {
            return Err(StoreError::Conflict {
                kind: key.kind,
                name: key.name,
            });
        }
        let (uid, created) = (
            current.uid().map(str::to_owned),
            current.creation_timestamp().cloned(),
        );
        let meta = object.metadata_mut();
        meta.uid = uid;
        meta.creation_timestamp = created;
        Ok(self.commit(key, object, ChangeType::Modified, now))
    }

    /// Removes an object for good.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    pub fn remove(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        now: Duration,
    ) -> Result<Arc<Object>, StoreError> {
        let Some(object) = self.get_owned(kind, namespace, name) else {
            return Err(StoreError::NotFound {
                kind,
                name: name.to_owned(),
            });
        };
        let key = ObjectKey::new(kind, namespace, name);
        Ok(self.commit(key, object, ChangeType::Deleted, now))
    }

    /// Replaces a pod's status, keeping its metadata and spec as stored: a `/status` write
    /// by a component that read version `read_version`. A cold pod's metadata and spec are
    /// neither decoded nor copied. Returns the new version's record.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or [`StoreError::Conflict`] when the pod has changed since.
    pub fn update_pod_status(
        &mut self,
        namespace: &str,
        name: &str,
        read_version: &str,
        status: PodStatus,
        now: Duration,
    ) -> Result<Arc<PodRecord>, StoreError> {
        let not_found = || StoreError::NotFound {
            kind: Kind::Pod,
            name: name.to_owned(),
        };
        let current = self
            .version(Kind::Pod, namespace, name)
            .ok_or_else(not_found)?;
        if current.resource_version() != Some(read_version) {
            return Err(StoreError::Conflict {
                kind: Kind::Pod,
                name: name.to_owned(),
            });
        }
        let resource_version = (self.resource_version + 1).to_string();
        let version = current
            .with_pod_status(status, &resource_version)
            .ok_or_else(not_found)?;
        self.resource_version += 1;
        let version = Arc::new(version);
        let key = ObjectKey::new(Kind::Pod, namespace, name);
        self.commit_version(key, version.clone(), ChangeType::Modified, now);
        version.pod_record().cloned().ok_or_else(not_found)
    }

    fn commit(
        &mut self,
        key: ObjectKey,
        mut object: Object,
        change_type: ChangeType,
        now: Duration,
    ) -> Arc<Object> {
        self.resource_version += 1;
        object.metadata_mut().resource_version = Some(self.resource_version.to_string());
        object.shrink();
        let object = Arc::new(object);
        let version = Arc::new(Version::new(object.clone()));
        self.commit_version(key, version, change_type, now);
        object
    }

    /// Puts a version carrying the current resourceVersion into the table, the indexes, the
    /// hot set and the log.
    fn commit_version(
        &mut self,
        key: ObjectKey,
        version: Arc<Version>,
        change_type: ChangeType,
        now: Duration,
    ) {
        let index = table_index(key.kind);
        let previous = match change_type {
            ChangeType::Deleted => {
                let namespace = self.tables[index].get_mut(&key.namespace);
                let previous = namespace.and_then(|objects| objects.remove(&key.name));
                if self.tables[index]
                    .get(&key.namespace)
                    .is_some_and(BTreeMap::is_empty)
                {
                    self.tables[index].remove(&key.namespace);
                }
                previous
            }
            _ => {
                let objects = self.tables[index].entry(key.namespace.clone()).or_default();
                // Most writes modify an object: its name need not be copied.
                match objects.get_mut(&key.name) {
                    Some(slot) => Some(std::mem::replace(slot, version.clone())),
                    None => objects.insert(key.name.clone(), version.clone()),
                }
            }
        };
        match (change_type, &previous) {
            (ChangeType::Deleted, Some(_)) => self.counts[index] -= 1,
            (ChangeType::Added, None) | (ChangeType::Modified, None) => self.counts[index] += 1,
            _ => {}
        }
        // The indexes follow owner references, which most writes (status above all) keep.
        let same_owners = previous
            .as_ref()
            .is_some_and(|p| p.owner_references() == version.owner_references());
        if change_type == ChangeType::Deleted || !same_owners {
            if let Some(previous) = previous {
                self.unindex(&key, &previous);
            }
            if change_type != ChangeType::Deleted {
                self.index(&key, &version);
            }
        }
        self.hot.written(&version);
        self.log.push_back(Logged {
            resource_version: self.resource_version,
            at: now,
            change_type,
            actor: self.actor,
            version,
        });
    }

    fn index(&mut self, key: &ObjectKey, version: &Version) {
        for owner in version.owner_references() {
            self.owned
                .entry(owner.uid.clone())
                .or_default()
                .insert(key.clone());
        }
        if key.kind == Kind::Pod && version.controller().is_none() {
            self.orphans
                .entry(key.namespace.clone())
                .or_default()
                .insert(key.name.clone());
        }
    }

    fn unindex(&mut self, key: &ObjectKey, version: &Version) {
        for owner in version.owner_references() {
            if let Some(set) = self.owned.get_mut(&owner.uid) {
                set.remove(key);
                if set.is_empty() {
                    self.owned.remove(&owner.uid);
                }
            }
        }
        if key.kind == Kind::Pod
            && let Some(set) = self.orphans.get_mut(&key.namespace)
        {
            set.remove(&key.name);
        }
    }

    /// Changes with a resourceVersion greater than `after`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Expired`] when the log no longer reaches back that far.
    pub fn changes_since(&self, after: u64) -> Result<impl Iterator<Item = Change>, StoreError> {
        Ok(self.logged_since(after)?.map(Logged::change))
    }

    /// Log entries with a resourceVersion greater than `after`, oldest first, their
    /// objects not yet decoded.
    ///
    /// # Errors
    /// [`StoreError::Expired`] when the log no longer reaches back that far.
    pub fn logged_since(&self, after: u64) -> Result<impl Iterator<Item = &Logged>, StoreError> {
        let oldest = self.log.front().map(|c| c.resource_version);
        if let Some(oldest) = oldest
            && after + 1 < oldest
        {
            return Err(StoreError::Expired {
                requested: after,
                oldest,
            });
        }
        let skip = match oldest {
            Some(oldest) if after >= oldest => (after + 1 - oldest) as usize,
            _ => 0,
        };
        Ok(self.log.iter().skip(skip))
    }

    /// The whole retained change log, oldest first.
    pub fn log(&self) -> impl Iterator<Item = Change> {
        self.log.iter().map(Logged::change)
    }

    /// Drops log entries beyond the retention window, but never any with a version above
    /// `keep_after` (changes someone has not consumed yet).
    pub fn compact(&mut self, keep_after: u64) {
        if let LogRetention::Window(n) = self.retention {
            while self.log.len() > n
                && self
                    .log
                    .front()
                    .is_some_and(|c| c.resource_version <= keep_after)
            {
                self.log.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    fn pod(name: &str, owner: Option<&str>) -> Object {
        Object::Pod(Box::new(Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                owner_references: owner.map(|uid| {
                    vec![OwnerReference {
                        uid: uid.into(),
                        controller: Some(true),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    fn t() -> Time {
        crate::sim::clock::Clock::default().time()
    }

    #[test]
    fn writes_bump_one_monotonic_resource_version_and_log_in_order() {
        let mut store = Store::new(1, LogRetention::All);
        let a = store.create(pod("a", None), Duration::ZERO, t()).unwrap();
        let b = store.update(Object::clone(&a), Duration::ZERO).unwrap();
        store
            .remove(Kind::Pod, "default", "a", Duration::ZERO)
            .unwrap();
        let kinds: Vec<_> = store
            .log()
            .map(|c| (c.change_type, c.resource_version))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (ChangeType::Added, 2),
                (ChangeType::Modified, 3),
                (ChangeType::Deleted, 4)
            ]
        );
        assert_eq!(a.metadata().uid, b.metadata().uid);
    }

    #[test]
    fn stale_resource_version_conflicts() {
        let mut store = Store::new(1, LogRetention::All);
        let a = store.create(pod("a", None), Duration::ZERO, t()).unwrap();
        store.update(Object::clone(&a), Duration::ZERO).unwrap();
        let err = store.update(Object::clone(&a), Duration::ZERO).unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }));
    }

    #[test]
    fn owner_and_orphan_indexes_follow_writes() {
        let mut store = Store::new(1, LogRetention::All);
        store
            .create(pod("a", Some("set-uid")), Duration::ZERO, t())
            .unwrap();
        store.create(pod("b", None), Duration::ZERO, t()).unwrap();
        assert_eq!(store.dependents("set-uid").count(), 1);
        assert_eq!(store.orphan_pods("default").collect::<Vec<_>>(), vec!["b"]);
        let a = store.get(Kind::Pod, "default", "a").unwrap().clone();
        let mut released = Object::clone(&a);
        released.metadata_mut().owner_references = None;
        store.update(released, Duration::ZERO).unwrap();
        assert_eq!(store.dependents("set-uid").count(), 0);
        assert_eq!(store.orphan_pods("default").count(), 2);
        // A write that keeps the owners leaves both indexes as they were.
        let b = store.get(Kind::Pod, "default", "b").unwrap();
        store.update(Object::clone(&b), Duration::ZERO).unwrap();
        assert_eq!(store.orphan_pods("default").count(), 2);
        // Adoption moves a pod from the orphans to its owner's dependents.
        let b = store.get(Kind::Pod, "default", "b").unwrap();
        let mut adopted = Object::clone(&b);
        adopted.metadata_mut().owner_references = pod("b", Some("set-uid"))
            .metadata()
            .owner_references
            .clone();
        store.update(adopted, Duration::ZERO).unwrap();
        let dependents: Vec<&str> = store
            .dependents("set-uid")
            .map(|k| k.name.as_str())
            .collect();
        assert_eq!(dependents, ["b"]);
        assert_eq!(store.orphan_pods("default").collect::<Vec<_>>(), vec!["a"]);
        // Removal leaves no trace in either index.
        store
            .remove(Kind::Pod, "default", "b", Duration::ZERO)
            .unwrap();
        assert_eq!(store.dependents("set-uid").count(), 0);
        store
            .remove(Kind::Pod, "default", "a", Duration::ZERO)
            .unwrap();
        assert_eq!(store.orphan_pods("default").count(), 0);
    }

    #[test]
    fn stored_pods_keep_no_spare_list_capacity() {
        use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus, Volume};
        // Lists as pushes leave them: room for more than they hold.
        fn spare<T: Default>() -> Option<Vec<T>> {
            let mut list = Vec::with_capacity(4);
            list.push(T::default());
            Some(list)
        }
        let mut pushed = pod("a", None);
        let Object::Pod(p) = &mut pushed else {
            unreachable!()
        };
        p.spec = Some(PodSpec {
            volumes: spare::<Volume>(),
            ..Default::default()
        });
        p.status = Some(PodStatus {
            conditions: spare::<PodCondition>(),
            ..Default::default()
        });
        let mut store = Store::new(1, LogRetention::All);
        let stored = store.create(pushed, Duration::ZERO, t()).unwrap();
        let Object::Pod(p) = stored.as_ref() else {
            unreachable!()
        };
        let (spec, status) = (p.spec.as_ref().unwrap(), p.status.as_ref().unwrap());
        assert_eq!(spec.volumes.as_ref().map(Vec::capacity), Some(1));
        assert_eq!(status.conditions.as_ref().map(Vec::capacity), Some(1));
    }

    #[test]
    fn uids_are_deterministic_per_seed() {
        let mut a = Store::new(7, LogRetention::All);
        let mut b = Store::new(7, LogRetention::All);
        assert_eq!(a.next_uid(), b.next_uid());
        assert_ne!(a.next_uid(), Store::new(8, LogRetention::All).next_uid());
    }

    #[test]
    fn windowed_log_expires_old_versions() {
        let mut store = Store::new(1, LogRetention::Window(2));
        for i in 0..5 {
            store
                .create(pod(&format!("p{i}"), None), Duration::ZERO, t())
                .unwrap();
        }
        store.compact(u64::MAX);
        assert!(matches!(
            store.changes_since(2),
            Err(StoreError::Expired { .. })
        ));
        assert_eq!(store.changes_since(4).unwrap().count(), 2);
    }
}
