//! `stsconform controller`: the reference StatefulSet controller as an ordinary external
//! controller over kube-rs. The same sync as the simulation's
//! ([`crate::sim::statefulset::sync_set`]), over a second backend: informer caches
//! ([`caches`]) fed by watches, upstream's handlers ([`handlers`]) queueing set keys, a
//! rate-limited work queue ([`queue`]), workers running each sync on a blocking thread
//! with writes through `kube::Api` ([`backend`]), and the target's clock ([`clock`], for
//! `serve --time-scale`). This module owns connecting and the worker loop.

pub mod backend;
pub mod caches;
pub mod clock;
pub mod handlers;
pub mod queue;

use crate::model::behaviour::{Behaviour, gate_default};
use crate::sim::events::Recorder;
use crate::sim::statefulset::{self as controller, SetMemory, availability_requeue};
use backend::{Context, KubeObjects};
use caches::Caches;
use clock::TargetClock;
use k8s_openapi::api::core::v1::Node;
use kube::Client;
use kube::api::{Api, ListParams};
use queue::{Key, Queue};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// How to run the controller.
#[derive(Debug, Clone)]
pub struct Options {
    /// The kubeconfig file; None reads `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; None uses the current one.
    pub context: Option<String>,
    /// Watch and sync this namespace only (default: all).
    pub namespace: Option<String>,
    /// The target's clock runs this many times faster than the wall clock
    /// (`serve --time-scale`).
    pub time_scale: f64,
    /// How long connecting and the first listing may take.
    pub connect_timeout: Duration,
    /// Syncs run at once (different sets).
    pub workers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kubeconfig: None,
            context: None,
            namespace: None,
            time_scale: 1.0,
            connect_timeout: Duration::from_secs(10),
            workers: 4,
        }
    }
}

/// Why the controller could not start.
#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    /// The kubeconfig could not be used, or the server not reached.
    #[error(transparent)]
    Connect(#[from] crate::kubeclient::ConnectError),
    /// The caches did not fill (no rights to list and watch, or the server stopped).
    #[error(
        "failed to list and watch {what} on {server} within {limit:?} (check the credentials' list/watch rights)"
    )]
    NotSynced {
        server: String,
        what: String,
        limit: Duration,
    },
}

/// A connected client, the server's release and gates.
struct Connected {
    client: Client,
    server: String,
    behaviour: Behaviour,
}

async fn connect(options: &Options) -> Result<Connected, ControllerError> {
    let connection = crate::kubeclient::connect(
        options.kubeconfig.as_deref(),
        options.context.as_deref(),
        options.connect_timeout,
    )
    .await?;
    let gates =
        crate::kubeclient::reported_gates(&connection.client, options.connect_timeout).await;
    let gate = |name: &str| {
        gates
            .get(name)
            .copied()
            .unwrap_or_else(|| gate_default(name, connection.minor))
    };
    let behaviour = Behaviour {
        minor: connection.minor,
        max_unavailable_stateful_set: gate("MaxUnavailableStatefulSet"),
    };
    Ok(Connected {
        client: connection.client,
        server: connection.server,
        behaviour,
    })
}

/// The target's clock: the wall clock, or `serve`'s scaled clock, which started at its
/// Node's creation.
async fn target_clock(client: &Client, time_scale: f64) -> TargetClock {
    if time_scale == 1.0 {
        return TargetClock::wall();
    }
    let nodes: Api<Node> = Api::all(client.clone());
    let epoch = match nodes.list(&ListParams::default()).await {
        Ok(list) => list
            .items
            .iter()
            .filter_map(|n| n.metadata.creation_timestamp.as_ref().map(|t| t.0))
            .min(),
        Err(e) => {
            eprintln!(
                "stsconform controller: cannot list nodes to find the scaled clock's start ({}); using the controller's start",
                crate::kubeclient::describe(&e)
            );
            None
        }
    };
    TargetClock::scaled(time_scale, epoch.unwrap_or_else(jiff::Timestamp::now))
}

/// Runs the controller until `shutdown` turns true.
///
/// # Errors
/// [`ControllerError`] when the cluster cannot be reached or its objects listed; once
/// running, failed syncs are retried with backoff and logged, never fatal.
pub async fn run(
    options: Options,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ControllerError> {
    let connected = connect(&options).await?;
    let clock = target_clock(&connected.client, options.time_scale).await;
    let queue = Arc::new(Queue::default());
    let (caches, tasks) = caches::start_all(
        &connected.client,
        options.namespace.as_deref(),
        &queue,
        clock,
    );
    let limit = options.connect_timeout.max(Duration::from_secs(30));
    let synced = tokio::select! {
        r = tokio::time::timeout(limit, caches.wait_until_ready()) => r.ok().and_then(Result::ok).is_some(),
        _ = shutdown.changed() => {
            for task in &tasks {
                task.abort();
            }
            return Ok(());
        }
    };
    if !synced {
        for task in &tasks {
            task.abort();
        }
        return Err(ControllerError::NotSynced {
            server: connected.server,
            what: "statefulsets, pods, persistentvolumeclaims and controllerrevisions".into(),
            limit,
        });
    }
    eprintln!(
        "stsconform controller: watching {} on {} (Kubernetes 1.{}, MaxUnavailableStatefulSet={}, time scale {})",
        options
            .namespace
            .as_deref()
            .map_or("all namespaces".to_owned(), |n| format!("namespace {n}")),
        connected.server,
        connected.behaviour.minor,
        connected.behaviour.max_unavailable_stateful_set,
        options.time_scale,
    );
    let started = jiff::Timestamp::now().as_nanosecond().unsigned_abs();
    let ctx = Arc::new(Context {
        client: connected.client,
        caches,
        clock,
        runtime: tokio::runtime::Handle::current(),
        // Event names carry the controller's start, so a restarted controller's events
        // do not collide with its predecessor's.
        events: Mutex::new(Recorder::salted(format!("{:x}.", started % (1 << 48)))),
    });
    let behaviour = connected.behaviour;
    let workers: Vec<_> = (0..options.workers.max(1))
        .map(|_| tokio::spawn(worker(Arc::clone(&ctx), Arc::clone(&queue), behaviour)))
        .collect();
    // Wait for the signal (or the sender going away).
    while !*shutdown.borrow_and_update() {
        if shutdown.changed().await.is_err() {
            break;
        }
    }
    queue.shut_down();
    for task in &tasks {
        task.abort();
    }
    for worker in workers {
        let _ = worker.await;
    }
    Ok(())
}

/// Takes keys off the queue and syncs them, one at a time, each on a blocking thread.
async fn worker(ctx: Arc<Context>, queue: Arc<Queue>, behaviour: Behaviour) {
    while let Some(key) = queue.get().await {
        let outcome = {
            let (ctx, key) = (Arc::clone(&ctx), key.clone());
            tokio::task::spawn_blocking(move || sync(&ctx, &key, &behaviour)).await
        };
        match outcome {
            Ok(Ok(requeue)) => {
                queue.forget(&key);
                if let Some(delay) = requeue {
                    queue.add_after(key.clone(), ctx.clock.wall_duration(delay));
                }
            }
            Ok(Err(e)) => {
                let delay = queue.add_rate_limited(key.clone());
                eprintln!(
                    "stsconform controller: syncing {}/{} failed (retry in {delay:?}): {e}",
                    key.0, key.1
                );
            }
            Err(e) => {
                let delay = queue.add_rate_limited(key.clone());
                eprintln!(
                    "stsconform controller: syncing {}/{} stopped (retry in {delay:?}): {e}",
                    key.0, key.1
                );
            }
        }
        queue.done(&key);
    }
}

/// One sync of the set `key` from the caches: Ok with when to look again for availability,
/// or the errors met.
// upstream: stateful_set.go sync
fn sync(ctx: &Context, key: &Key, behaviour: &Behaviour) -> Result<Option<Duration>, String> {
    let Some(set) = Caches::get(&ctx.caches.sets, &key.0, &key.1) else {
        // Deleted: nothing to do.
        return Ok(None);
    };
    if !controller::selector_parses(&set) {
        return Ok(None);
    }
    let mut objects = KubeObjects::new(ctx, &key.0);
    // Every sync reads the set's pods afresh from the cache, as upstream's does.
    let mut memory = SetMemory::default();
    let status = controller::sync_set(&mut objects, &set, &mut memory, behaviour)?;
    Ok(availability_requeue(&set, status.as_ref()))
}
