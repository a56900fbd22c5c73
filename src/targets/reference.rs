//! The in-process target: the reference cluster on a virtual clock. Waits advance virtual
//! time instant by instant and fail the moment the cluster goes idle without the
//! condition holding — no sleeps, no wall-clock timeouts.

use super::{Condition, Patch, Target, TargetError, View};
use crate::model::api_error::ApiError;
use crate::model::behaviour::Behaviour;
use crate::model::object::{Kind, Object};
use crate::sim::apiserver::{DeleteOptions, Propagation};
use crate::sim::endpoints::{QueryType, Record};
use crate::sim::front::{self, Part};
use crate::sim::{Cluster, ClusterConfig, RunError};
use crate::timeline::{Recorder, Timeline};
use async_trait::async_trait;
use std::time::Duration;

/// The reference cluster as a target.
#[derive(Debug)]
pub struct ReferenceTarget {
    cluster: Cluster,
    namespace: String,
    recorder: Recorder,
    cursor: u64,
}

impl From<RunError> for TargetError {
    fn from(e: RunError) -> Self {
        TargetError::Other(e.to_string())
    }
}

impl ReferenceTarget {
    /// A fresh reference cluster with the scenario namespace `default`.
    pub fn new(config: ClusterConfig) -> ReferenceTarget {
        let cluster = Cluster::new(config);
        let cursor = cluster.store().resource_version();
        ReferenceTarget {
            cluster,
            namespace: "default".into(),
            recorder: Recorder::default(),
            cursor,
        }
    }

    /// A fresh reference cluster modelling `behaviour`, otherwise with default settings.
    pub fn with_behaviour(behaviour: Behaviour) -> ReferenceTarget {
        ReferenceTarget::new(ClusterConfig {
            behaviour,
            ..ClusterConfig::default()
        })
    }

    /// The simulation, for tests and tools that need more than the trait offers.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The simulation, mutably.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    fn record(&mut self) {
        let Ok(changes) = self.cluster.store().changes_since(self.cursor) else {
            return;
        };
        for change in changes {
            if change.object.namespace() == self.namespace {
                self.recorder
                    .record_object(change.at, change.change_type, &change.object);
            }
        }
        self.cursor = self.cluster.store().resource_version();
    }

    fn snapshot(&mut self) -> View {
        self.record();
        let ns = self.namespace.clone();
        let store = self.cluster.store();
        let kinds = [
            Kind::Pod,
            Kind::StatefulSet,
            Kind::PersistentVolumeClaim,
            Kind::ControllerRevision,
            Kind::Event,
            Kind::Service,
            Kind::EndpointSlice,
        ];
        View::from_objects(kinds.into_iter().flat_map(|k| {
            store
                .list(k, Some(&ns))
                .map(|o| Object::clone(&o))
                .collect::<Vec<_>>()
        }))
        .taken_at(self.cluster.now())
    }

    fn scoped(&self, mut object: Object) -> Object {
        if object.kind().namespaced() {
            object.metadata_mut().namespace = Some(self.namespace.clone());
        }
        object
    }
}

#[async_trait]
impl Target for ReferenceTarget {
    fn name(&self) -> &str {
        "reference"
    }

    fn namespace(&self) -> &str {
        &self.namespace
    }

    async fn create(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError> {
        let object = self.scoped(object);
        let written = front::create(&mut self.cluster, object)?;
        self.cluster.settle()?;
        Ok((Object::clone(&written.object), written.warnings))
    }

    async fn apply(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError> {
        let object = self.scoped(object);
        let (written, _) = front::apply(&mut self.cluster, object)?;
        self.cluster.settle()?;
        Ok((Object::clone(&written.object), written.warnings))
    }

    async fn get(&mut self, kind: Kind, name: &str) -> Result<Option<Object>, TargetError> {
        Ok(self.cluster.get_object(kind, &self.namespace, name))
    }

    async fn patch(
        &mut self,
        kind: Kind,
        name: &str,
        p: Patch,
        status: bool,
    ) -> Result<Object, TargetError> {
        let (patch_type, doc) = p.parts();
        let part = if status { Part::Status } else { Part::Main };
        let ns = self.namespace.clone();
        let patched = front::patch(
            &mut self.cluster,
            kind,
            &ns,
            name,
            patch_type,
            doc,
            part,
            |json| {
                Object::from_json(kind, json)
                    .map(|o| (o, Vec::new()))
                    .map_err(|e| ApiError::BadRequest(format!("{}: {}", e.path(), e.inner())))
            },
        )?;
        self.cluster.settle()?;
        Ok(Object::clone(&patched.written.object))
    }

    async fn scale(&mut self, name: &str, replicas: i32) -> Result<serde_json::Value, TargetError> {
        let ns = self.namespace.clone();
        let scale = front::scale(&mut self.cluster, &ns, name, replicas)?;
        self.cluster.settle()?;
        Ok(scale)
    }

    async fn get_scale(&mut self, name: &str) -> Result<serde_json::Value, TargetError> {
        Ok(front::get_scale(&self.cluster, &self.namespace, name)?)
    }

    async fn delete(
        &mut self,
        kind: Kind,
        name: &str,
        propagation: Option<Propagation>,
    ) -> Result<(), TargetError> {
        let options = DeleteOptions {
            propagation,
            ..Default::default()
        };
        let ns = self.namespace.clone();
        front::delete(&mut self.cluster, kind, &ns, name, &options, None, false)?;
        self.cluster.settle()?;
        Ok(())
    }

    async fn set_pod_readiness(&mut self, pod: &str, ready: bool) -> Result<(), TargetError> {
        let ns = self.namespace.clone();
        self.cluster.set_pod_readiness(&ns, pod, ready);
        self.cluster.settle()?;
        Ok(())
    }

    async fn fail_pod(&mut self, pod: &str) -> Result<(), TargetError> {
        let ns = self.namespace.clone();
        if !self.cluster.fail_pod(&ns, pod) {
            return Err(TargetError::Other(format!(
                "there is no running pod {pod} to fail"
            )));
        }
        self.cluster.settle()?;
        Ok(())
    }

    async fn evict_pod(&mut self, pod: &str) -> Result<(), TargetError> {
        let ns = self.namespace.clone();
        if !self.cluster.evict_pod(&ns, pod) {
            return Err(TargetError::Other(format!(
                "there is no running pod {pod} to evict"
            )));
        }
        self.cluster.settle()?;
        Ok(())
    }

    async fn resolve(&mut self, name: &str, qtype: QueryType) -> Result<Vec<Record>, TargetError> {
        Ok(self.cluster.resolve(name, qtype))
    }

    async fn view(&mut self) -> Result<View, TargetError> {
        self.cluster.settle()?;
        Ok(self.snapshot())
    }

    async fn wait_for(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        timeout: Duration,
    ) -> Result<(), TargetError> {
        let start = self.cluster.now();
        let deadline = start + timeout;
        loop {
            self.cluster.settle()?;
            if condition(&self.snapshot()) {
                return Ok(());
            }
            if !self.cluster.step(deadline)? {
                let idle = self.cluster.next_timer().is_none();
                return Err(TargetError::Timeout {
                    what: if idle {
                        format!(
                            "{what} (the cluster went idle at t={:?})",
                            self.cluster.now()
                        )
                    } else {
                        what.to_owned()
                    },
                    waited: self.cluster.now().saturating_sub(start).max(if idle {
                        Duration::ZERO
                    } else {
                        timeout
                    }),
                });
            }
        }
    }

    async fn hold(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        duration: Duration,
    ) -> Result<(), TargetError> {
        let start = self.cluster.now();
        let deadline = start + duration;
        loop {
            self.cluster.settle()?;
            if !condition(&self.snapshot()) {
                return Err(TargetError::Broken {
                    what: what.to_owned(),
                    after: self.cluster.now() - start,
                });
            }
            if !self.cluster.step(deadline)? {
                self.cluster.run_until(deadline)?;
                if !condition(&self.snapshot()) {
                    return Err(TargetError::Broken {
                        what: what.to_owned(),
                        after: duration,
                    });
                }
                return Ok(());
            }
        }
    }

    async fn settle(&mut self) -> Result<(), TargetError> {
        self.cluster.settle()?;
        self.record();
        Ok(())
    }

    async fn timeline(&mut self) -> Result<Timeline, TargetError> {
        self.record();
        Ok(self.recorder.timeline())
    }

    async fn cleanup(&mut self) -> Result<(), TargetError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{nginx_service, web};

    /// The reference target writes through the same front as `serve`: scaling to the
    /// current size leaves the store untouched.
    #[tokio::test]
    async fn scaling_to_the_current_size_writes_nothing() {
        let mut target = ReferenceTarget::with_behaviour(Behaviour::default());
        target
            .create(Object::Service(Box::new(nginx_service())))
            .await
            .unwrap();
        target
            .create(Object::StatefulSet(Box::new(web(2, serde_json::json!({})))))
            .await
            .unwrap();
        let before = target.cluster().store().resource_version();
        target.scale("web", 2).await.unwrap();
        assert_eq!(target.cluster().store().resource_version(), before);
        target.scale("web", 3).await.unwrap();
        assert!(target.cluster().store().resource_version() > before);
    }
}
