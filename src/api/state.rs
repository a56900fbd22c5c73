//! The one reference cluster behind the API: an async mutex around [`Cluster`], virtual
//! time kept at wall-clock elapsed (times `--time-scale`) by a ticker and after every write, and a notification
//! channel carrying the newest resourceVersion so watchers wake after writes.

use super::monitor::Monitor;
use crate::sim::store::Actor;
use crate::sim::{Cluster, ClusterConfig};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore, watch};

use super::status::StatusError;

/// How often virtual time catches up with the wall clock when nothing is written.
pub const TICK: Duration = Duration::from_millis(50);

tokio::task_local! {
    /// Who the request being served writes as: the controller under test's token writes as
    /// the StatefulSet controller, everyone else as a user.
    pub static WRITER: Actor;
}

/// Shared server state.
#[derive(Debug)]
pub struct State {
    cluster: Mutex<Cluster>,
    started: Instant,
    resource_version: watch::Sender<u64>,
    shutdown: watch::Receiver<bool>,
    /// Free watch slots; a watch holds one permit while it streams.
    pub watch_slots: Arc<Semaphore>,
    /// The Kubernetes minor version `/version` reports.
    pub minor: u32,
    /// The release and gates modelled, which `/metrics` reports.
    pub behaviour: crate::model::behaviour::Behaviour,
    livelock_reported: AtomicBool,
    /// Virtual seconds per wall-clock second (`serve --time-scale`).
    time_scale: f64,
    /// Judges the controller under test's writes (`--controller none` with a controller
    /// token); None otherwise.
    monitor: Option<std::sync::Mutex<Monitor>>,
}

impl State {
    /// A cluster started now, on the wall clock.
    pub fn new(
        config: ClusterConfig,
        max_watches: usize,
        time_scale: f64,
        shutdown: watch::Receiver<bool>,
    ) -> State {
        let minor = config.behaviour.minor;
        let behaviour = config.behaviour;
        let epoch = jiff::Timestamp::now();
        // Keep whole seconds for the epoch: objects then carry timestamps as a real server's.
        let epoch = jiff::Timestamp::from_second(epoch.as_second()).unwrap_or(epoch);
        let started = Instant::now()
            .checked_sub(Duration::from_nanos(u64::from(
                jiff::Timestamp::now().subsec_nanosecond().unsigned_abs(),
            )))
            .unwrap_or_else(Instant::now);
        let mut cluster = Cluster::with_clock(config, crate::sim::clock::Clock::starting_at(epoch));
        // The node the kubelet binds every pod to, for `kubectl get nodes` and `describe`.
        let node = crate::sim::kubelet::node(minor, cluster.clock().time());
        if let Err(e) = cluster.create(node.into()) {
            eprintln!(
                "stsconform serve: failed to register the node {}: {e}",
                crate::sim::kubelet::NODE_NAME
            );
        }
        let rv = cluster.store().resource_version();
        State {
            behaviour,
            cluster: Mutex::new(cluster),
            started,
            resource_version: watch::Sender::new(rv),
            shutdown,
            watch_slots: Arc::new(Semaphore::new(max_watches)),
            minor,
            livelock_reported: AtomicBool::new(false),
            time_scale,
            monitor: None,
        }
    }

    /// Judges the writes of the controller under test against upstream's invariants from
    /// now on (see [`Monitor`]).
    pub fn with_monitor(mut self) -> State {
        let monitor = Monitor::new(self.cluster.get_mut());
        self.monitor = Some(std::sync::Mutex::new(monitor));
        self
    }

    /// Virtual time that corresponds to now: wall-clock time since the start, times the
    /// time scale, so every timer (pod start and stop, minReadySeconds, requeues) and every
    /// timestamp the cluster writes run that much faster, consistently.
    fn elapsed(&self) -> Duration {
        self.started.elapsed().mul_f64(self.time_scale)
    }

    fn advance(&self, cluster: &mut Cluster) {
        if let Err(e) = cluster.run_until(self.elapsed())
            && !self.livelock_reported.swap(true, Ordering::Relaxed)
        {
            eprintln!("stsconform serve: the reference cluster is stuck: {e}");
        }
    }

    /// Runs `f` on the cluster with time caught up before and after, then wakes watchers.
    ///
    /// # Errors
    /// A 500 when the simulation panicked (the panic is contained; the server keeps going).
    pub async fn write<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> Result<R, StatusError> {
        let writer = WRITER.try_with(|w| *w).unwrap_or(Actor::User);
        let mut cluster = self.cluster.lock().await;
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.advance(&mut cluster);
            cluster.store.set_actor(writer);
            let r = f(&mut cluster);
            cluster.store.set_actor(Actor::User);
            if let Some(monitor) = &self.monitor {
                monitor
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .record_violations(&mut cluster);
            }
            self.advance(&mut cluster);
            r
        }));
        let rv = cluster.store().resource_version();
        drop(cluster);
        self.publish(rv);
        result.map_err(|_| StatusError::internal("the reference cluster failed on this request"))
    }

    /// Runs `f` on the cluster without changing it.
    ///
    /// # Errors
    /// A 500 when `f` panicked.
    pub async fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> Result<R, StatusError> {
        let cluster = self.cluster.lock().await;
        catch_unwind(AssertUnwindSafe(|| f(&cluster)))
            .map_err(|_| StatusError::internal("the reference cluster failed on this request"))
    }

    fn publish(&self, rv: u64) {
        self.resource_version.send_if_modified(|current| {
            if *current == rv {
                false
            } else {
                *current = rv;
                true
            }
        });
    }

    /// A receiver that changes whenever the store's resourceVersion moves.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.resource_version.subscribe()
    }

    /// A receiver that turns true when the server shuts down.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    /// The wall-clock instant of the cluster's next timer, if it has one.
    async fn next_timer_at(&self) -> Option<Instant> {
        let next = self.cluster.lock().await.next_timer()?;
        // A hair late, so float rounding cannot wake the ticker just before the timer.
        Some(self.started + next.div_f64(self.time_scale) + Duration::from_micros(200))
    }

    /// Keeps virtual time at wall-clock elapsed until shutdown, waking at each timer's due
    /// time (so pods become Ready when they should, not at the next tick) and at least
    /// every [`TICK`].
    pub fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let state = Arc::clone(self);
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                let tick = Instant::now() + TICK;
                let wake = state.next_timer_at().await.map_or(tick, |t| t.min(tick));
                tokio::select! {
                    () = tokio::time::sleep_until(wake.into()) => {
                        let _ = state.write(|_| ()).await;
                    }
                    _ = shutdown.changed() => return,
                }
            }
        })
    }
}
