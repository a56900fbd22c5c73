//! The one reference cluster behind the API: an async mutex around [`Cluster`], virtual
//! time kept at wall-clock elapsed by a ticker and after every write, and a notification
//! channel carrying the newest resourceVersion so watchers wake after writes.

use crate::sim::{Cluster, ClusterConfig};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore, watch};

use super::status::StatusError;

/// How often virtual time catches up with the wall clock when nothing is written.
pub const TICK: Duration = Duration::from_millis(50);

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
    livelock_reported: AtomicBool,
}

impl State {
    /// A cluster started now, on the wall clock.
    pub fn new(
        config: ClusterConfig,
        max_watches: usize,
        shutdown: watch::Receiver<bool>,
    ) -> State {
        let minor = config.behaviour.minor;
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
            cluster: Mutex::new(cluster),
            started,
            resource_version: watch::Sender::new(rv),
            shutdown,
            watch_slots: Arc::new(Semaphore::new(max_watches)),
            minor,
            livelock_reported: AtomicBool::new(false),
        }
    }

    /// Virtual time that corresponds to now.
    fn elapsed(&self) -> Duration {
        self.started.elapsed()
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
        let mut cluster = self.cluster.lock().await;
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.advance(&mut cluster);
            let r = f(&mut cluster);
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

    /// Keeps virtual time at wall-clock elapsed until shutdown.
    pub fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let state = Arc::clone(self);
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(TICK);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {
                        let _ = state.write(|_| ()).await;
                    }
                    _ = shutdown.changed() => return,
                }
            }
        })
    }
}
