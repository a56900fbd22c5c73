//! `stsconform simulate`: runs manifests on the reference cluster and prints the pod
//! timeline a `kubectl get pods -w` watcher would have seen. Several files are applied in
//! order, like successive `kubectl apply -f` calls with the cluster left to settle in
//! between, so a second file can show an update of the first.

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
    /// How many objects the API rejected (each has a note saying why).
    pub rejected: usize,
}

/// Runs the cluster as `until` says; notes a run that did not settle or failed.
fn run(cluster: &mut Cluster, until: Until, notes: &mut Vec<String>) {
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
}

/// Creates the object, or replaces the stored one (what `kubectl apply` means here).
fn apply(cluster: &mut Cluster, mut object: Object) -> Result<(), String> {
    if object.kind().namespaced() && !object.namespace().is_empty() {
        let _ = cluster.ensure_namespace(object.namespace());
    }
    let namespace = match object.namespace() {
        "" if object.kind().namespaced() => "default".to_owned(),
        ns => ns.to_owned(),
    };
    if object.kind().namespaced() {
        object.metadata_mut().namespace = Some(namespace.clone());
    }
    let exists = cluster
        .get_object(object.kind(), &namespace, object.name())
        .is_some();
    let written = if exists {
        object.metadata_mut().resource_version = None;
        cluster.update(object)
    } else {
        cluster.create(object)
    };
    written.map(|_| ()).map_err(|e| e.to_string())
}

/// Applies the objects of each file in order (all of one file at the same instant), runs
/// the cluster as `until` says after each file, and records the pod timeline.
///
/// # Errors
/// Unreadable or malformed files, or files without objects. Objects the API rejects
/// are not errors: they are counted in [`Simulation::rejected`], each with a note.
pub fn simulate(
    paths: &[String],
    until: Until,
    config: ClusterConfig,
) -> Result<Simulation, CommandError> {
    let files = load_files(paths)?;
    let mut cluster = Cluster::new(config);
    let mut notes = Vec::new();
    let mut applied = 0;
    let mut rejected = 0;
    for (path, docs) in files {
        for doc in docs {
            let object: Object = doc.object;
            let what = format!("{} {:?}", object.kind(), object.name());
            match apply(&mut cluster, object) {
                Ok(()) => applied += 1,
                Err(why) => {
                    rejected += 1;
                    notes.push(format!(
                        "{path}: document {}: {what} rejected: {why}",
                        doc.index + 1
                    ));
                }
            }
        }
        if applied > 0 {
            run(&mut cluster, until, &mut notes);
        }
    }
    if applied == 0 && rejected == 0 {
        return Err(CommandError::Input(
            "no object to create; nothing to simulate".into(),
        ));
    }
    let mut recorder = Recorder::default();
    for change in cluster.store().log() {
        recorder.record_object(change.at, change.change_type, &change.object);
    }
    Ok(Simulation {
        timeline: recorder.timeline().render(),
        notes,
        elapsed: cluster.now(),
        rejected,
    })
}
