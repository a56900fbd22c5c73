//! Soak test of `stsconform serve`: concurrent kube-rs clients create, patch and delete
//! objects while watchers follow them; afterwards there must be zero errors, every
//! watcher's event stream strictly ordered (no duplicates) and its final state equal to a
//! fresh list (nothing lost), and memory about flat.
//!
//! `cargo test --test soak` runs a short version (5 s, 50 clients). The full soak:
//!
//! ```text
//! STSCONFORM_SOAK_SECS=60 cargo test --release --test soak -- --nocapture
//! ```
//!
//! (`STSCONFORM_SOAK_CLIENTS` and `STSCONFORM_SOAK_WATCHERS` change the load.)

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Service;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use stsconform::api::{self, ServeArgs};
use stsconform::sim::fixtures;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of this process in KiB (Linux), or 0.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

const SELECTOR: &str = "soak=yes";

/// What one watcher saw: the objects by name with their resourceVersion.
#[derive(Debug, Default)]
struct Seen {
    objects: BTreeMap<String, u64>,
    last_rv: u64,
    events: u64,
    errors: Vec<String>,
}

fn rv_of(s: &Service) -> u64 {
    s.metadata
        .resource_version
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

async fn follow(client: Client, stop: Arc<AtomicBool>, target: Arc<AtomicU64>) -> Seen {
    let api: Api<Service> = Api::namespaced(client, "default");
    let mut seen = Seen::default();
    let list = match api.list(&ListParams::default().labels(SELECTOR)).await {
        Ok(l) => l,
        Err(e) => {
            seen.errors.push(format!("initial list: {e}"));
            return seen;
        }
    };
    for s in &list.items {
        seen.objects
            .insert(s.metadata.name.clone().unwrap_or_default(), rv_of(s));
    }
    seen.last_rv = list
        .metadata
        .resource_version
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    loop {
        if stop.load(Ordering::Relaxed) && seen.last_rv >= target.load(Ordering::Relaxed) {
            return seen;
        }
        let params = WatchParams {
            bookmarks: true,
            ..WatchParams::default().labels(SELECTOR).timeout(2)
        };
        let stream = match api.watch(&params, &seen.last_rv.to_string()).await {
            Ok(s) => s,
            Err(e) => {
                seen.errors.push(format!("watch: {e}"));
                return seen;
            }
        };
        let mut stream = stream.boxed();
        while let Some(event) = stream.next().await {
            let (name, rv, deleted) = match event {
                Ok(WatchEvent::Added(s)) | Ok(WatchEvent::Modified(s)) => (
                    s.metadata.name.clone().unwrap_or_default(),
                    rv_of(&s),
                    false,
                ),
                Ok(WatchEvent::Deleted(s)) => {
                    (s.metadata.name.clone().unwrap_or_default(), rv_of(&s), true)
                }
                Ok(WatchEvent::Bookmark(b)) => {
                    let rv: u64 = b.metadata.resource_version.parse().unwrap_or(0);
                    seen.last_rv = seen.last_rv.max(rv);
                    continue;
                }
                Ok(WatchEvent::Error(status)) => {
                    seen.errors.push(format!("watch error event: {status:?}"));
                    return seen;
                }
                Err(e) => {
                    seen.errors.push(format!("watch stream: {e}"));
                    return seen;
                }
            };
            if rv <= seen.last_rv {
                seen.errors.push(format!(
                    "duplicate or out-of-order event for {name} at {rv} (after {})",
                    seen.last_rv
                ));
            }
            seen.last_rv = rv;
            seen.events += 1;
            if deleted {
                seen.objects.remove(&name);
            } else {
                seen.objects.insert(name, rv);
            }
            if stop.load(Ordering::Relaxed) && seen.last_rv >= target.load(Ordering::Relaxed) {
                return seen;
            }
        }
    }
}

/// Objects each writer keeps alive; older ones are deleted, so the load is steady.
const LIVE_PER_CLIENT: usize = 10;

async fn churn(client: Client, id: u64, deadline: Instant) -> (u64, Vec<String>) {
    let api: Api<Service> = Api::namespaced(client, "default");
    let mut ops = 0;
    let mut errors = Vec::new();
    let mut live = std::collections::VecDeque::new();
    let mut n = 0u64;
    while Instant::now() < deadline && errors.is_empty() {
        let name = format!("soak-{id}-{n}");
        let mut svc = fixtures::nginx_service();
        svc.metadata.name = Some(name.clone());
        svc.metadata.labels = Some([("soak".to_owned(), "yes".to_owned())].into());
        if let Err(e) = api.create(&PostParams::default(), &svc).await {
            errors.push(format!("create {name}: {e}"));
            break;
        }
        let patch = Patch::Merge(json!({"metadata": {"annotations": {"n": n.to_string()}}}));
        if let Err(e) = api.patch(&name, &PatchParams::default(), &patch).await {
            errors.push(format!("patch {name}: {e}"));
        }
        live.push_back(name);
        if live.len() > LIVE_PER_CLIENT
            && let Some(old) = live.pop_front()
            && let Err(e) = api.delete(&old, &DeleteParams::default()).await
        {
            errors.push(format!("delete {old}: {e}"));
        }
        ops += 3;
        n += 1;
    }
    (ops, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak() {
    let secs = env_number("STSCONFORM_SOAK_SECS", 5);
    let clients = env_number("STSCONFORM_SOAK_CLIENTS", 50);
    let watchers = env_number("STSCONFORM_SOAK_WATCHERS", 10);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = api::start(&ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        ..ServeArgs::default()
    })
    .await
    .expect("serve starts");
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config");
    let new_client = || Client::try_from(config.clone()).expect("client");

    let stop = Arc::new(AtomicBool::new(false));
    let target = Arc::new(AtomicU64::new(u64::MAX));
    let watch_tasks: Vec<_> = (0..watchers)
        .map(|_| tokio::spawn(follow(new_client(), stop.clone(), target.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_start = rss_kib();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(5)).await;
                samples.push(rss_kib() / 1024);
            }
            samples
        })
    };
    let writers: Vec<_> = (0..clients)
        .map(|id| tokio::spawn(churn(new_client(), id, deadline)))
        .collect();
    let mut ops = 0;
    let mut errors = Vec::new();
    for w in writers {
        let (n, e) = w.await.expect("writer task");
        ops += n;
        errors.extend(e);
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kib();
    let api: Api<Service> = Api::namespaced(new_client(), "default");
    let fresh = api
        .list(&ListParams::default().labels(SELECTOR))
        .await
        .expect("fresh list");
    let fresh_rv: u64 = fresh
        .metadata
        .resource_version
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let expected: BTreeMap<String, u64> = fresh
        .items
        .iter()
        .map(|s| (s.metadata.name.clone().unwrap_or_default(), rv_of(s)))
        .collect();
    // Writes of other kinds (endpoint slices) move the version too: let the watchers see
    // every change up to the fresh list's version, with bookmarks closing the gap.
    target.store(fresh_rv, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.await.unwrap_or_default();
    let mut events = 0;
    for (i, task) in watch_tasks.into_iter().enumerate() {
        let seen = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("watcher caught up")
            .expect("watcher task");
        errors.extend(seen.errors.iter().map(|e| format!("watcher {i}: {e}")));
        events += seen.events;
        if seen.objects != expected {
            let missing = expected
                .keys()
                .filter(|k| !seen.objects.contains_key(*k))
                .count();
            let extra = seen
                .objects
                .keys()
                .filter(|k| !expected.contains_key(*k))
                .count();
            errors.push(format!(
                "watcher {i}: final state differs from a fresh list ({missing} missing, {extra} extra)"
            ));
        }
    }
    println!(
        "soak: {clients} clients, {watchers} watchers, {:.1}s: {ops} writes ({:.0}/s), {events} watch events, {} objects left, RSS {rss_start} KiB -> {rss_end} KiB (MiB every 5 s: {samples:?})",
        elapsed.as_secs_f64(),
        ops as f64 / elapsed.as_secs_f64(),
        expected.len()
    );
    server.stop().await;
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert!(!expected.is_empty());
    if let Err(e) = memory_stays_flat(rss_end, &samples) {
        panic!("{e}");
    }
}

/// The most the server and its clients may hold at the end, whatever the run's length.
const RSS_CEILING_KIB: u64 = 1024 * 1024;

/// Whether memory stayed flat: under the ceiling at the end and, for runs long enough to
/// have warmed up (six 5 s samples), the last sample within a quarter of the second.
fn memory_stays_flat(rss_end_kib: u64, samples_mib: &[u64]) -> Result<(), String> {
    if rss_end_kib > RSS_CEILING_KIB {
        return Err(format!(
            "RSS {rss_end_kib} KiB at the end, over {RSS_CEILING_KIB} KiB"
        ));
    }
    if samples_mib.len() >= 6 {
        let (warm, last) = (samples_mib[1], samples_mib[samples_mib.len() - 1]);
        if last * 4 > warm * 5 {
            return Err(format!(
                "RSS grew from {warm} MiB to {last} MiB after warming up (samples: {samples_mib:?})"
            ));
        }
    }
    Ok(())
}

#[test]
fn growing_memory_fails_the_soak_and_flat_memory_passes() {
    assert!(memory_stays_flat(190 * 1024, &[166, 170, 175, 180, 183, 187]).is_ok());
    assert!(memory_stays_flat(400 * 1024, &[100, 150, 200, 250, 300, 350, 400]).is_err());
    assert!(memory_stays_flat(2 * 1024 * 1024, &[100]).is_err());
    assert!(
        memory_stays_flat(300 * 1024, &[100, 300]).is_ok(),
        "too short to judge growth"
    );
}
