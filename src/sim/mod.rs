//! The reference cluster: an in-process, deterministic simulation of the parts of
//! Kubernetes a StatefulSet touches, on a virtual clock.
//!
//! [`Cluster`] owns the object store and runs every component as a controller reading the
//! store's change log (as informers read watches): the API server's admission and deletion
//! rules ([`apiserver`]), the scheduler and kubelet ([`kubelet`]), the volume provisioner
//! ([`volumes`]), the garbage collector ([`gc`]), endpoints and DNS ([`endpoints`]) and the
//! reference StatefulSet controller ([`statefulset`]). Work is processed in FIFO order with
//! de-duplication, all work at one instant before time moves, so a run is a pure function
//! of its inputs.

pub mod apiserver;
pub mod clock;
pub mod endpoints;
pub mod events;
pub mod front;
pub use crate::model::fixtures;
pub mod gc;
pub mod kubelet;
mod namespaces;
pub mod pod_record;
pub mod statefulset;
pub mod store;
pub mod stored;
pub mod volumes;

use crate::model::behaviour::Behaviour;
use crate::model::object::{Kind, Object};
use clock::Clock;
use pod_record::PodView;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;
use store::{Actor, LogRetention, ObjectKey, Store};

/// The hash maps of the simulation's per-object bookkeeping. Nothing reads them in
/// iteration order (what reaches the change log comes from ordered structures), so any
/// hasher will do; foldhash takes a fraction of SipHash's time on short string keys and is
/// still seeded per process.
pub(crate) type FastHashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// The set form of [`FastHashMap`].
pub(crate) type FastHashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Tunables of the reference cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Seed for uids and generated names.
    pub seed: u64,
    /// Which release's behaviour to model.
    pub behaviour: Behaviour,
    /// Kubelet timings and limits.
    pub kubelet: kubelet::KubeletConfig,
    /// How much of the change log to keep.
    pub retention: LogRetention,
    /// Whether the built-in StatefulSet controller runs (`serve --controller none` turns it off).
    pub statefulset_controller: bool,
    /// How many of the newest settled versions (persistent volumes, bound claims) the store
    /// keeps typed; older ones are held in the compact encoding ([`stored`]). Scenarios stay far below the
    /// default; a 10,000-replica set does not.
    pub hot_objects: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            seed: 1,
            behaviour: Behaviour::default(),
            kubelet: kubelet::KubeletConfig::default(),
            retention: LogRetention::All,
            statefulset_controller: true,
            hot_objects: DEFAULT_HOT_OBJECTS,
        }
    }
}

/// The default [`ClusterConfig::hot_objects`]: at most about 44 MB of typed pods, volumes
/// and claims. An OrderedReady scale-up reads each pod soon after writing it; with 1,024
/// it ran 30 % slower and saved 5 MiB at 100,000 replicas.
pub const DEFAULT_HOT_OBJECTS: usize = 4_096;

/// A unit of controller work; which component handles it is part of the item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Work {
    /// Sync one StatefulSet (namespace, name).
    StatefulSet(String, String),
    /// Schedule, start, stop or otherwise advance one pod.
    Kubelet(String, String),
    /// Bind or release one claim.
    Volume(String, String),
    /// Collect garbage for one object (its owners may be gone, or it awaits its dependents).
    Gc(ObjectKey),
    /// Refresh the endpoint slices of one Service.
    Endpoints(String, String),
    /// Empty and remove one terminating namespace.
    Namespace(String),
}

/// Something due at a virtual time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Put work on the queue (requeues, minReadySeconds checks, kubelet progress).
    Enqueue(Work),
}

/// The reference cluster.
#[derive(Debug)]
pub struct Cluster {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub(crate) config: ClusterConfig,
    timers: BinaryHeap<Reverse<(Duration, u64, Timer)>>,
    timer_seq: u64,
    queue: VecDeque<Work>,
    queued: FastHashSet<Work>,
    dispatched: u64,
    pub(crate) kubelet: kubelet::KubeletState,
    pub(crate) statefulsets: statefulset::ControllerState,
    pub(crate) events: events::Recorder,
    pub(crate) endpoints: endpoints::EndpointsState,
    /// Number of work items processed, for livelock detection and benchmarks.
    pub work_done: u64,
}

/// Failures of running the simulation itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// More work at one instant than any sane controller needs: a hot loop.
    #[error(
        "the cluster did not settle at t={at:?}: {work} work items at one instant (a controller loops)"
    )]
    Livelock { at: Duration, work: u64 },
}

/// Work items one instant may take before the loop is declared a livelock.
const LIVELOCK_LIMIT_PER_OBJECT: u64 = 64;

impl Cluster {
    /// A new, empty cluster with the `default` namespace.
    pub fn new(config: ClusterConfig) -> Cluster {
        Cluster::with_clock(config, Clock::default())
    }

    /// A cluster whose clock starts at a wall-clock instant (for `serve`); the `default`
    /// namespace is created on that clock.
    pub fn with_clock(config: ClusterConfig, clock: Clock) -> Cluster {
        let mut cluster = Cluster {
            store: Store::with_hot_limit(config.seed, config.retention, config.hot_objects),
            clock,
            config,
            timers: BinaryHeap::new(),
            timer_seq: 0,
            queue: VecDeque::new(),
            queued: FastHashSet::default(),
            dispatched: 0,
            kubelet: kubelet::KubeletState::default(),
            statefulsets: statefulset::ControllerState::default(),
            events: events::Recorder::default(),
            endpoints: endpoints::EndpointsState::default(),
            work_done: 0,
        };
        // The default namespace exists from the start, as on a real cluster.
        let _ = cluster.ensure_namespace("default");
        cluster.dispatched = cluster.store.resource_version();
        cluster
    }

    /// Virtual time since start.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The object store (read-only; writes go through the API verbs).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Puts work on the queue unless it is already queued.
    pub(crate) fn enqueue(&mut self, work: Work) {
        if self.queued.insert(work.clone()) {
            self.queue.push_back(work);
        }
    }

    /// Puts work on the queue after `delay` of virtual time.
    pub(crate) fn enqueue_after(&mut self, work: Work, delay: Duration) {
        if delay.is_zero() {
            self.enqueue(work);
            return;
        }
        self.timer_seq += 1;
        let due = self.clock.now() + delay;
        self.timers
            .push(Reverse((due, self.timer_seq, Timer::Enqueue(work))));
    }

    /// The time of the next timer, if any.
    pub fn next_timer(&self) -> Option<Duration> {
        self.timers.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Whether nothing is queued now and no timer is pending.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
            && self.timers.is_empty()
            && self.dispatched == self.store.resource_version()
    }

    /// Runs all work due now until nothing is left at this instant.
    ///
    /// # Errors
    /// [`RunError::Livelock`] when controllers keep producing work at one instant.
    pub fn settle(&mut self) -> Result<(), RunError> {
        let mut done_here: u64 = 0;
        loop {
            self.dispatch();
            let Some(work) = self.queue.pop_front() else {
                break;
            };
            self.queued.remove(&work);
            self.work_done += 1;
            done_here += 1;
            // Work grows with the objects that exist; far more than that at one instant
            // means a controller keeps re-triggering itself.
            let objects = self.store.count(Kind::Pod) + self.store.count(Kind::StatefulSet) + 64;
            if done_here > LIVELOCK_LIMIT_PER_OBJECT * objects as u64 {
                return Err(RunError::Livelock {
                    at: self.clock.now(),
                    work: done_here,
                });
            }
            self.run(work);
            if done_here.is_multiple_of(1024) {
                self.store.compact(self.dispatched);
            }
        }
        self.store.compact(self.dispatched);
        Ok(())
    }

    /// Settles, then advances time to the next timer (not beyond `limit`) and fires every
    /// timer due then. Returns false when there was nothing to advance to before `limit`.
    ///
    /// # Errors
    /// [`RunError::Livelock`] from [`Cluster::settle`].
    pub fn step(&mut self, limit: Duration) -> Result<bool, RunError> {
        self.settle()?;
        let Some(next) = self.next_timer() else {
            return Ok(false);
        };
        if next > limit {
            return Ok(false);
        }
        self.clock.advance_to(next);
        while let Some(Reverse((t, _, _))) = self.timers.peek() {
            if *t > next {
                break;
            }
            if let Some(Reverse((_, _, Timer::Enqueue(work)))) = self.timers.pop() {
                self.enqueue(work);
            }
        }
        self.settle()?;
        Ok(true)
    }

    /// Runs the simulation until virtual time `t` (settling at every instant on the way).
    ///
    /// # Errors
    /// [`RunError::Livelock`] from [`Cluster::settle`].
    pub fn run_until(&mut self, t: Duration) -> Result<(), RunError> {
        while self.step(t)? {}
        self.clock.advance_to(t);
        self.settle()
    }

    /// Runs for `d` of virtual time.
    ///
    /// # Errors
    /// [`RunError::Livelock`] from [`Cluster::settle`].
    pub fn run_for(&mut self, d: Duration) -> Result<(), RunError> {
        let until = self.clock.now() + d;
        self.run_until(until)
    }

    /// Runs until nothing is pending, or `limit` of virtual time has passed.
    /// Returns true when the cluster went idle.
    ///
    /// # Errors
    /// [`RunError::Livelock`] from [`Cluster::settle`].
    pub fn run_until_idle(&mut self, limit: Duration) -> Result<bool, RunError> {
        let until = self.clock.now() + limit;
        while self.step(until)? {}
        Ok(self.is_idle())
    }

    /// Routes every change not yet seen to the components watching that kind: the
    /// simulation's informers.
    fn dispatch(&mut self) {
        // Entries, not changes: a busy instant can leave 200,000 of them, and decoding
        // the cold ones one at a time keeps at most one of them typed here.
        let pending: Vec<_> = match self.store.logged_since(self.dispatched) {
            Ok(entries) => entries.cloned().collect(),
            Err(_) => Vec::new(),
        };
        self.dispatched = self.store.resource_version();
        for entry in pending {
            // Pods are dispatched as their records: no handler decodes a cold pod.
            if let Some(pod) = entry.version().pod_record() {
                let change_type = entry.change_type();
                kubelet::on_pod_change(self, change_type, pod);
                statefulset::on_pod_change(self, change_type, pod);
                endpoints::on_pod_change(self, pod);
                let key =
                    ObjectKey::new(Kind::Pod, pod.namespace().unwrap_or_default(), pod.name());
                gc::on_change(self, change_type, &key, gc::Meta::of_pod(pod));
                continue;
            }
            let change = entry.change();
            let object = &change.object;
            match object.kind() {
                Kind::StatefulSet => statefulset::on_set_change(self, &change),
                Kind::PersistentVolumeClaim => {
                    volumes::on_claim_change(self, &change);
                    kubelet::on_claim_change(self, object);
                    statefulset::on_claim_change(self, object);
                }
                Kind::Service => endpoints::on_service_change(self, object),
                Kind::EndpointSlice => endpoints::on_slice_change(self, &change),
                _ => {}
            }
            gc::on_change(
                self,
                change.change_type,
                &ObjectKey::of(object),
                gc::Meta::of_object(object),
            );
        }
    }

    fn run(&mut self, work: Work) {
        let actor = match &work {
            Work::StatefulSet(..) => Actor::StatefulSetController,
            Work::Kubelet(..) => Actor::Kubelet,
            Work::Volume(..) => Actor::Volumes,
            Work::Gc(_) => Actor::GarbageCollector,
            Work::Endpoints(..) => Actor::Endpoints,
            Work::Namespace(_) => Actor::NamespaceController,
        };
        self.store.set_actor(actor);
        self.run_as(work);
        self.store.set_actor(Actor::User);
    }

    fn run_as(&mut self, work: Work) {
        match work {
            Work::StatefulSet(ns, name) => statefulset::sync(self, &ns, &name),
            Work::Kubelet(ns, name) => kubelet::sync_pod(self, &ns, &name),
            Work::Volume(ns, name) => volumes::sync_claim(self, &ns, &name),
            Work::Gc(key) => gc::process(self, &key),
            Work::Endpoints(ns, name) => endpoints::sync_service(self, &ns, &name),
            Work::Namespace(name) => namespaces::sync(self, &name),
        }
    }

    /// The stored object of a kind, cloned out of the store.
    pub fn get_object(&self, kind: Kind, namespace: &str, name: &str) -> Option<Object> {
        self.store.get_owned(kind, namespace, name)
    }
}
