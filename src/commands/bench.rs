//! `stsconform bench`: wall-clock and memory figures for the reference cluster at scale
//! (measured by a command, never by timed tests; results go in BENCHMARKS.md).

use crate::model::object::Object;
use crate::sim::fixtures::{nginx_service, web};
use crate::sim::store::LogRetention;
use crate::sim::{Cluster, ClusterConfig, RunError};
use serde_json::json;
use std::time::{Duration, Instant};

/// One benchmark's result.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub replicas: i32,
    pub wall: Duration,
    pub virtual_time: Duration,
    pub work_items: u64,
    pub syncs: u64,
    /// Peak resident set size of the process so far, in MiB (Linux only).
    pub peak_rss_mib: Option<f64>,
}

/// Peak RSS (VmHWM) of this process in MiB, where /proc is available.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Creates a `replicas`-pod StatefulSet (tutorial template, headless Service included)
/// and runs until every pod is Running and Ready.
///
/// # Errors
/// A livelocked simulation.
pub fn scale_up(name: &str, replicas: i32, parallel: bool) -> Result<Figure, RunError> {
    let config = ClusterConfig {
        retention: LogRetention::Window(10_000),
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::new(config);
    let policy = if parallel { "Parallel" } else { "OrderedReady" };
    let started = Instant::now();
    let _ = cluster.create(Object::Service(Box::new(nginx_service())));
    let _ = cluster.create(Object::StatefulSet(Box::new(web(
        replicas,
        json!({"spec": {"podManagementPolicy": policy}}),
    ))));
    let ready = |c: &Cluster| {
        c.get_object(crate::model::object::Kind::StatefulSet, "default", "web")
            .and_then(|o| match o {
                Object::StatefulSet(s) => s.status,
                _ => None,
            })
            .is_some_and(|s| s.ready_replicas == Some(replicas))
    };
    let limit = Duration::from_secs(3 * replicas as u64 + 60);
    while !ready(&cluster) && cluster.step(limit)? {}
    Ok(Figure {
        name: name.to_owned(),
        replicas,
        wall: started.elapsed(),
        virtual_time: cluster.now(),
        work_items: cluster.work_done,
        syncs: cluster.statefulsets.syncs,
        peak_rss_mib: peak_rss_mib(),
    })
}

/// The standard suite: 10,000 Parallel, 10,000 OrderedReady, 100,000 Parallel (the last
/// only with `large`).
///
/// # Errors
/// A livelocked simulation.
pub fn run(large: bool) -> Result<Vec<Figure>, RunError> {
    let mut figures = vec![
        scale_up("parallel-10k", 10_000, true)?,
        scale_up("ordered-ready-10k", 10_000, false)?,
    ];
    if large {
        figures.push(scale_up("parallel-100k", 100_000, true)?);
    }
    Ok(figures)
}

/// Renders figures as a table.
pub fn render(figures: &[Figure]) -> String {
    let mut out = String::from(
        "benchmark            replicas   wall        virtual     syncs    work items   peak RSS\n",
    );
    for f in figures {
        out.push_str(&format!(
            "{:<20} {:>8}   {:>8.3}s   {:>8.1}s   {:>6}   {:>10}   {}\n",
            f.name,
            f.replicas,
            f.wall.as_secs_f64(),
            f.virtual_time.as_secs_f64(),
            f.syncs,
            f.work_items,
            f.peak_rss_mib
                .map_or("n/a".into(), |m| format!("{m:.0} MiB")),
        ));
    }
    out
}
