//! `stsconform simulate`: runs manifests on the reference cluster and prints the pod
//! timeline a `kubectl get pods -w` watcher would have seen.

use super::{CommandError, load_files};
use crate::model::object::Object;
use crate::sim::{Cluster, ClusterConfig};
use crate::timeline::Recorder;
use std::time::Duration;

/// How long to simulate.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Until nothing is pending (at most `limit` of virtual time).
    Steady { limit: Duration },
    /// Exactly this long.
    For(Duration),
}

/// The result of a simulation.
#[derive(Debug)]
pub struct Simulation {
    /// The rendered timeline.
    pub timeline: String,
    /// Notes for stderr: rejected objects, a run that never went steady.
    pub notes: Vec<String>,
    /// Virtual time simulated.
    pub elapsed: Duration,
}

/// Creates every object of the files, in order, and runs the cluster.
///
/// # Errors
/// Unreadable or malformed files, or files with no objects.
pub fn simulate(
    paths: &[String],
    until: Until,
    config: ClusterConfig,
) -> Result<Simulation, CommandError> {
    let files = load_files(paths)?;
    let mut cluster = Cluster::new(config);
    let mut notes = Vec::new();
    let mut created = 0;
    for (path, docs) in files {
        for doc in docs {
            let object: Object = doc.object;
            if object.kind().namespaced() && !object.namespace().is_empty() {
                let _ = cluster.ensure_namespace(object.namespace());
            }
            let what = format!("{} {:?}", object.kind(), object.name());
            match cluster.create(object) {
                Ok(_) => created += 1,
                Err(e) => notes.push(format!(
                    "{path}: document {}: {what} rejected: {e}",
                    doc.index + 1
                )),
            }
        }
    }
    if created == 0 {
        return Err(CommandError::Input(
            "no object could be created; nothing to simulate".into(),
        ));
    }
    let run = match until {
        Until::Steady { limit } => cluster.run_until_idle(limit).map(|idle| {
            if !idle {
                notes.push(format!(
                    "the cluster was still busy after {limit:?} of virtual time (a controller keeps retrying); stopped there"
                ));
            }
        }),
        Until::For(d) => cluster.run_for(d),
    };
    if let Err(e) = run {
        notes.push(e.to_string());
    }
    let mut recorder = Recorder::default();
    for change in cluster.store().log() {
        recorder.record_object(change.at, change.change_type, &change.object);
    }
    Ok(Simulation {
        timeline: recorder.timeline().render(),
        notes,
        elapsed: cluster.now(),
    })
}
