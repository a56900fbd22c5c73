//! The cluster target: the same steps against any Kubernetes API server through kube-rs —
//! a kind, k3s or cloud cluster, or `stsconform serve` with the built-in or an external
//! StatefulSet controller.
//!
//! Each scenario runs in its own namespace ([`session::Session::open`]), watched from before
//! its first step; the watches feed a cache ([`cache`]) that every read, wait and the pod
//! timeline come from. Waits are driven by those watches, never by polling, with timeouts
//! in target time (`--time-scale`, `--timeout-scale`). Before judging the controller's
//! reaction the target waits for each StatefulSet's `status.observedGeneration` to reach
//! its generation, and for the watches to fall quiet: the flake upstream's e2e suite knows
//! from reading status before the controller has seen the change.
//!
//! Faults: against `serve`, the pod annotations its kubelet honours; on other clusters the
//! fault steps report themselves unsupported, which skips the scenario with that reason.

pub mod cache;
pub mod session;

use self::cache::{Cache, WATCHED};
use self::session::{Session, describe};
use super::{Condition, Patch, Target, TargetError, View};
use crate::model::api_error::{ApiError, Propagation};
use crate::model::dns::{self, QueryType, Record, ServiceSlices};
use crate::model::object::{Kind, Object};
use crate::model::patch::PatchType;
use crate::timeline::Timeline;
use async_trait::async_trait;
use http_body_util::BodyExt as _;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GetParams, Patch as KubePatch, PatchParams,
    PostParams, PropagationPolicy,
};
use kube::core::Request;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The pod annotation `serve`'s kubelet reads for readiness.
const READY_ANNOTATION: &str = "stsconform.io/ready";
/// The pod annotation `serve`'s kubelet reads for failures and evictions.
const FAIL_ANNOTATION: &str = "stsconform.io/fail";

/// How long the watches must stay quiet, in target time, before the cluster counts as
/// having reacted to a change.
const QUIET: Duration = Duration::from_millis(250);
/// The shortest quiet period in wall-clock time, whatever the time scale.
const MIN_QUIET: Duration = Duration::from_millis(10);
/// How late, in wall-clock time, a watch event may reach the harness after the change
/// (timeline times are arrival times).
const WATCH_JITTER: Duration = Duration::from_millis(100);
/// The longest a settle waits for quiet, in wall-clock time: a cluster that never falls
/// quiet (pods restarting) is read as it stands.
const MAX_SETTLE: Duration = Duration::from_secs(3);
/// How long, in target time, controllers may take to react before a "stays …" check starts
/// to hold: on a cluster a status follows the pod change that caused it by a sync, where
/// the reference cluster applies both at one instant.
const REACTION: Duration = Duration::from_secs(1);
/// The least reaction time in wall-clock time, whatever the time scale.
const MIN_REACTION: Duration = Duration::from_millis(100);
/// How long, in wall-clock time, the watch may take to show the harness its own write.
const OWN_WRITE: Duration = Duration::from_secs(10);

/// A scenario's namespace on a cluster.
#[derive(Debug)]
pub struct KubeTarget {
    session: Arc<Session>,
    namespace: String,
    name: String,
    cache: Arc<Cache>,
    watchers: Vec<JoinHandle<()>>,
}

/// The API resource of a kind.
fn resource(kind: Kind) -> ApiResource {
    let api_version = kind.api_version();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: api_version.into(),
        kind: kind.as_str().into(),
        plural: kind.plural().into(),
    }
}

fn other(e: impl std::fmt::Display) -> TargetError {
    TargetError::Other(e.to_string())
}

/// The warnings of a response (`Warning: 299 - "text"` headers).
/// The `InvariantViolated` events in the namespace (recorded by `serve`'s invariant
/// monitor when the controller under test breaks one of upstream's invariants), as one
/// message; None when there are none.
fn violations(view: &View) -> Option<String> {
    let found: Vec<String> = view
        .events
        .iter()
        .filter(|e| e.reason.as_deref() == Some(crate::model::INVARIANT_VIOLATED))
        .map(|e| format!("  - {}", e.message.as_deref().unwrap_or("")))
        .collect();
    (!found.is_empty()).then(|| {
        format!(
            "the API server recorded {} {} event(s): the controller broke upstream's invariants:\n{}",
            found.len(),
            crate::model::INVARIANT_VIOLATED,
            found.join("\n")
        )
    })
}

/// Fails once the controller has broken an invariant, whatever the step was waiting for.
fn check_invariants(view: &View) -> Result<(), TargetError> {
    violations(view).map_or(Ok(()), |message| Err(TargetError::Other(message)))
}

fn warnings(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .get_all("warning")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            let text = v.splitn(3, ' ').nth(2).unwrap_or(v);
            text.trim().trim_matches('"').to_owned()
        })
        .collect()
}

impl KubeTarget {
    /// Starts the namespace's watches and waits until each has listed once.
    pub(crate) async fn start(
        session: Arc<Session>,
        namespace: String,
    ) -> Result<KubeTarget, TargetError> {
        let cache = Cache::new(session.time_scale());
        let watchers = WATCHED
            .iter()
            .map(|kind| {
                let api: Api<DynamicObject> =
                    Api::namespaced_with(session.client.clone(), &namespace, &resource(*kind));
                tokio::spawn(cache::watch_kind(api, *kind, Arc::clone(&cache)))
            })
            .collect();
        let name = session.context.clone();
        let target = KubeTarget {
            session,
            namespace,
            name: if name.is_empty() {
                "cluster".into()
            } else {
                name
            },
            cache,
            watchers,
        };
        let mut changes = target.cache.subscribe();
        let synced = tokio::time::timeout(OWN_WRITE, async {
            while !target.cache.synced() {
                if changes.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
        if synced.is_err() || !target.cache.synced() {
            let why = target
                .cache
                .last_error()
                .unwrap_or_else(|| "no answer".into());
            return Err(TargetError::Other(format!(
                "the watches of namespace {} did not start within {OWN_WRITE:?}: {why}",
                target.namespace
            )));
        }
        Ok(target)
    }

    fn url(&self, kind: Kind) -> String {
        use kube::Resource as _;
        let ns = kind.namespaced().then_some(self.namespace.as_str());
        DynamicObject::url_path(&resource(kind), ns)
    }

    /// Sends a request built by kube's request builder; answers the body and warnings, or
    /// the server's `Status` as an [`ApiError`].
    async fn send(
        &self,
        request: Result<http::Request<Vec<u8>>, kube::core::request::Error>,
    ) -> Result<(Value, Vec<String>), TargetError> {
        let request = request.map_err(other)?.map(kube::client::Body::from);
        let response = self
            .session
            .client
            .send(request)
            .await
            .map_err(|e| TargetError::Other(describe(&e)))?;
        let status = response.status();
        let warnings = warnings(response.headers());
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(other)?
            .to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok((body, warnings));
        }
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        let reason = body
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        Err(TargetError::Api(ApiError::Remote {
            code: status.as_u16(),
            reason,
            message,
        }))
    }

    fn object(kind: Kind, mut json: Value) -> Result<Object, TargetError> {
        if let Some(map) = json.as_object_mut() {
            map.entry("apiVersion")
                .or_insert_with(|| kind.api_version().into());
            map.entry("kind").or_insert_with(|| kind.as_str().into());
        }
        Object::from_json(kind, json).map_err(|e| {
            TargetError::Other(format!(
                "the server answered a {} the harness cannot read: {}: {}",
                kind.as_str(),
                e.path(),
                e.inner()
            ))
        })
    }

    fn scoped(&self, mut object: Object) -> Object {
        if object.kind().namespaced() {
            object.metadata_mut().namespace = Some(self.namespace.clone());
        }
        object
    }

    fn body(object: &Object) -> Result<Vec<u8>, TargetError> {
        serde_json::to_vec(&object.to_json()).map_err(other)
    }

    /// Waits until the watch shows the harness's own write (or a later change), so a step
    /// that reads right after it sees it.
    async fn observe(&self, kind: Kind, name: &str, written: Option<&str>) {
        let newer_or_same =
            |seen: &str, wanted: &str| match (seen.parse::<u64>(), wanted.parse::<u64>()) {
                (Ok(s), Ok(w)) => s >= w,
                _ => seen == wanted,
            };
        let cache = Arc::clone(&self.cache);
        let done = move || match (cache.get(kind, name), written) {
            (Some(o), Some(rv)) => o
                .metadata()
                .resource_version
                .as_deref()
                .is_some_and(|seen| newer_or_same(seen, rv)),
            (None, None) => true,
            (Some(o), None) => o.metadata().deletion_timestamp.is_some(),
            (None, Some(_)) => false,
        };
        let mut changes = self.cache.subscribe();
        let _ = tokio::time::timeout(OWN_WRITE, async {
            while !done() {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
    }

    async fn observe_written(&self, object: &Object) {
        let rv = object.metadata().resource_version.clone();
        self.observe(object.kind(), object.name(), rv.as_deref())
            .await;
    }

    /// Waits until every StatefulSet's controller has observed its latest generation.
    async fn observed_generations(&self, limit: Duration) -> Result<(), TargetError> {
        let caught_up = |v: &View| {
            v.sets.iter().all(|s| {
                let generation = s.metadata.generation.unwrap_or(0);
                let observed = s
                    .status
                    .as_ref()
                    .and_then(|st| st.observed_generation)
                    .unwrap_or(0);
                observed >= generation || s.metadata.deletion_timestamp.is_some()
            })
        };
        self.until(&caught_up, limit).await.map_err(|_| {
            TargetError::Timeout {
                what: "the StatefulSet controller to observe the latest generation (status.observedGeneration); is a controller running?".into(),
                waited: limit.mul_f64(self.session.time_scale()),
            }
        })
    }

    /// Before the harness writes a set's `/status` itself: waits (a bounded while) until
    /// the controller's status counts the set's ready pods as the harness sees them. On
    /// the reference cluster the controller's status write lands with the pod change it
    /// follows; through the API it lands a moment later and would replace (as upstream's
    /// status updater does) what the harness just wrote.
    async fn status_caught_up(&self, name: &str) {
        let caught_up = |v: &View| {
            let Some(set) = v
                .sets
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(name))
            else {
                return true;
            };
            let uid = set.metadata.uid.as_deref();
            let ready = v
                .pods
                .iter()
                .filter(|p| {
                    p.metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.controller == Some(true) && Some(r.uid.as_str()) == uid)
                })
                .filter(|p| crate::model::pod_state::is_running_and_ready(p))
                .count();
            let reported = set
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            usize::try_from(reported).is_ok_and(|r| r == ready)
        };
        let limit = self.session.wall_timeout(Duration::from_secs(10));
        // Not caught up in time: the write goes ahead; the scenario shows what follows.
        let _ = self.until(&caught_up, limit).await;
    }

    /// Waits (wall-clock `limit`) until `condition` holds on the cache.
    async fn until(&self, condition: Condition<'_>, limit: Duration) -> Result<(), ()> {
        let deadline = Instant::now() + limit;
        let mut changes = self.cache.subscribe();
        loop {
            let view = self.cache.view();
            if condition(&view) || violations(&view).is_some() {
                return Ok(());
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return Err(()) },
                () = tokio::time::sleep_until(deadline) => return Err(()),
            }
        }
    }

    /// Lets the cluster react: the controller has seen every generation and the watches
    /// have been quiet for a moment.
    async fn react(&self) -> Result<(), TargetError> {
        self.observed_generations(self.session.wall_timeout(Duration::from_secs(30)))
            .await?;
        let quiet = self.session.wall(QUIET).max(MIN_QUIET);
        let deadline = Instant::now() + MAX_SETTLE;
        let mut changes = self.cache.subscribe();
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(quiet) => break,
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        check_invariants(&self.cache.view())
    }

    /// Sets (or with `None` removes) a pod annotation `serve`'s kubelet reads, failing when
    /// the target is not `serve`.
    async fn annotate_fault(
        &mut self,
        pod: &str,
        key: &str,
        value: Option<&str>,
        what: &str,
    ) -> Result<(), TargetError> {
        if !self.session.is_serve {
            return Err(TargetError::Unsupported(format!(
                "{what} needs control over the kubelet; on {} ({}) it is only available against `stsconform serve`",
                self.session.server, self.session.git_version
            )));
        }
        if self.cache.get(Kind::Pod, pod).is_none() {
            return Err(TargetError::Other(format!(
                "there is no pod {pod} to {what}"
            )));
        }
        let patch = KubePatch::Merge(json!({"metadata": {"annotations": {key: value}}}));
        let request = Request::new(self.url(Kind::Pod)).patch(pod, &PatchParams::default(), &patch);
        self.write_patch(request, Kind::Pod).await?;
        Ok(())
    }

    /// Sends a patch and waits until the watch shows it, without waiting for reactions
    /// (so several faults can land at one moment, as on the reference cluster).
    async fn write_patch(
        &mut self,
        request: Result<http::Request<Vec<u8>>, kube::core::request::Error>,
        kind: Kind,
    ) -> Result<Object, TargetError> {
        let (json, _) = self.send(request).await?;
        let patched = Self::object(kind, json)?;
        self.observe_written(&patched).await;
        Ok(patched)
    }

    /// The namespace's name.
    pub fn namespace_name(&self) -> &str {
        &self.namespace
    }
}

impl Drop for KubeTarget {
    fn drop(&mut self) {
        for watcher in &self.watchers {
            watcher.abort();
        }
    }
}

#[async_trait]
impl Target for KubeTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn namespace(&self) -> &str {
        &self.namespace
    }

    fn exact_timing(&self) -> bool {
        false
    }

    fn timing_tolerance(&self) -> Duration {
        WATCH_JITTER.mul_f64(self.session.time_scale())
    }

    async fn create(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError> {
        let object = self.scoped(object);
        let kind = object.kind();
        let request =
            Request::new(self.url(kind)).create(&PostParams::default(), Self::body(&object)?);
        let (json, warnings) = self.send(request).await?;
        let created = Self::object(kind, json)?;
        self.observe_written(&created).await;
        self.react().await?;
        Ok((created, warnings))
    }

    async fn apply(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError> {
        let mut object = self.scoped(object);
        let kind = object.kind();
        let name = object.name().to_owned();
        let current = self
            .send(Request::new(self.url(kind)).get(&name, &GetParams::default()))
            .await;
        match current {
            Err(TargetError::Api(e)) if e.is_not_found() => self.create(object).await,
            Err(e) => Err(e),
            Ok((current, _)) => {
                object.metadata_mut().resource_version = current
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let request = Request::new(self.url(kind)).replace(
                    &name,
                    &PostParams::default(),
                    Self::body(&object)?,
                );
                let (json, warnings) = self.send(request).await?;
                let replaced = Self::object(kind, json)?;
                self.observe_written(&replaced).await;
                self.react().await?;
                Ok((replaced, warnings))
            }
        }
    }

    async fn get(&mut self, kind: Kind, name: &str) -> Result<Option<Object>, TargetError> {
        match self
            .send(Request::new(self.url(kind)).get(name, &GetParams::default()))
            .await
        {
            Ok((json, _)) => Ok(Some(Self::object(kind, json)?)),
            Err(TargetError::Api(e)) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn patch(
        &mut self,
        kind: Kind,
        name: &str,
        patch: Patch,
        status: bool,
    ) -> Result<Object, TargetError> {
        let (patch_type, doc) = patch.parts();
        let kube_patch = match patch_type {
            PatchType::Merge => KubePatch::Merge(doc.clone()),
            PatchType::Strategic => KubePatch::Strategic(doc.clone()),
            PatchType::Json => {
                KubePatch::Json::<Value>(serde_json::from_value(doc.clone()).map_err(|e| {
                    TargetError::Api(ApiError::BadRequest(format!("invalid JSON patch: {e}")))
                })?)
            }
            PatchType::Apply => KubePatch::Apply(doc.clone()),
        };
        if status && kind == Kind::StatefulSet {
            self.status_caught_up(name).await;
        }
        let params = PatchParams::default();
        let request = if status {
            Request::new(self.url(kind)).patch_subresource("status", name, &params, &kube_patch)
        } else {
            Request::new(self.url(kind)).patch(name, &params, &kube_patch)
        };
        let patched = self.write_patch(request, kind).await?;
        self.react().await?;
        Ok(patched)
    }

    async fn scale(&mut self, name: &str, replicas: i32) -> Result<Value, TargetError> {
        let patch = KubePatch::Merge(json!({"spec": {"replicas": replicas}}));
        let request = Request::new(self.url(Kind::StatefulSet)).patch_subresource(
            "scale",
            name,
            &PatchParams::default(),
            &patch,
        );
        let (scale, _) = self.send(request).await?;
        let rv = scale
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.observe(Kind::StatefulSet, name, rv.as_deref()).await;
        self.react().await?;
        Ok(scale)
    }

    async fn get_scale(&mut self, name: &str) -> Result<Value, TargetError> {
        let request = Request::new(self.url(Kind::StatefulSet)).get_subresource("scale", name);
        Ok(self.send(request).await?.0)
    }

    async fn delete(
        &mut self,
        kind: Kind,
        name: &str,
        propagation: Option<Propagation>,
    ) -> Result<(), TargetError> {
        let params = DeleteParams {
            propagation_policy: propagation.map(|p| match p {
                Propagation::Background => PropagationPolicy::Background,
                Propagation::Foreground => PropagationPolicy::Foreground,
                Propagation::Orphan => PropagationPolicy::Orphan,
            }),
            ..DeleteParams::default()
        };
        self.send(Request::new(self.url(kind)).delete(name, &params))
            .await?;
        self.observe(kind, name, None).await;
        self.react().await
    }

    async fn set_pod_readiness(&mut self, pod: &str, ready: bool) -> Result<(), TargetError> {
        self.set_pods_readiness(&[pod.to_owned()], ready).await
    }

    async fn set_pods_readiness(
        &mut self,
        pods: &[String],
        ready: bool,
    ) -> Result<(), TargetError> {
        let value = (!ready).then_some("false");
        for pod in pods {
            self.annotate_fault(pod, READY_ANNOTATION, value, "change readiness of")
                .await?;
        }
        let pods = pods.to_vec();
        let limit = self.session.wall_timeout(Duration::from_secs(30));
        let reflected = move |v: &View| {
            pods.iter().all(|pod| {
                v.pod(pod).is_none_or(|p| {
                    crate::model::pod_state::is_ready(p) == ready
                        || (ready && crate::model::pod_state::phase(p) != "Running")
                })
            })
        };
        let _ = self.until(&reflected, limit).await;
        self.react().await
    }

    async fn fail_pod(&mut self, pod: &str) -> Result<(), TargetError> {
        self.annotate_fault(pod, FAIL_ANNOTATION, Some("true"), "fail")
            .await?;
        self.wait_terminal(pod).await
    }

    async fn evict_pod(&mut self, pod: &str) -> Result<(), TargetError> {
        self.annotate_fault(pod, FAIL_ANNOTATION, Some("evicted"), "evict")
            .await?;
        self.wait_terminal(pod).await
    }

    async fn resolve(&mut self, name: &str, qtype: QueryType) -> Result<Vec<Record>, TargetError> {
        self.react().await?;
        let view = self.cache.view();
        let namespace = self.namespace.clone();
        Ok(dns::resolve(name, qtype, |ns, service| {
            if ns != namespace {
                return None;
            }
            let svc = view
                .services
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(service))?;
            Some(ServiceSlices {
                service: svc.clone(),
                slices: view
                    .slices
                    .iter()
                    .filter(|s| dns::slice_of_service(s, service))
                    .cloned()
                    .collect(),
            })
        }))
    }

    async fn view(&mut self) -> Result<View, TargetError> {
        self.react().await?;
        Ok(self.cache.view())
    }

    async fn wait_for(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        timeout: Duration,
    ) -> Result<(), TargetError> {
        // No quiet period here: a transient state the wait is for may pass meanwhile.
        self.observed_generations(self.session.wall_timeout(Duration::from_secs(30)))
            .await?;
        let limit = self.session.wall_timeout(timeout);
        let waited = self.until(condition, limit).await;
        check_invariants(&self.cache.view())?;
        waited.map_err(|()| TargetError::Timeout {
            what: what.to_owned(),
            waited: timeout,
        })
    }

    async fn hold(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        duration: Duration,
    ) -> Result<(), TargetError> {
        self.observed_generations(self.session.wall_timeout(Duration::from_secs(30)))
            .await?;
        let start = self.cache.now();
        // The state the hold starts from was seen up to a watch delay late, so the end of a
        // hold is only known to that precision: it ends that much early rather than flake.
        let deadline = Instant::now() + self.session.wall(duration).saturating_sub(WATCH_JITTER);
        let mut changes = self.cache.subscribe();
        // A condition that is a controller's reaction to the step before gets that reaction's
        // time to come true; from then on it must hold to the end.
        let reaction = self.session.wall(REACTION).max(MIN_REACTION);
        let _ = self.until(condition, reaction).await;
        loop {
            let view = self.cache.view();
            check_invariants(&view)?;
            if !condition(&view) {
                return Err(TargetError::Broken {
                    what: what.to_owned(),
                    after: self.cache.now().saturating_sub(start),
                });
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return Ok(()) },
                () = tokio::time::sleep_until(deadline) => {
                    return if condition(&self.cache.view()) {
                        Ok(())
                    } else {
                        Err(TargetError::Broken { what: what.to_owned(), after: duration })
                    };
                }
            }
        }
    }

    async fn settle(&mut self) -> Result<(), TargetError> {
        self.react().await
    }

    async fn timeline(&mut self) -> Result<Timeline, TargetError> {
        Ok(self.cache.timeline())
    }

    async fn cleanup(&mut self) -> Result<(), TargetError> {
        for watcher in &self.watchers {
            watcher.abort();
        }
        let limit = self.session.wall_timeout(Duration::from_secs(120));
        self.session.delete_namespace(&self.namespace, limit).await
    }
}

impl KubeTarget {
    /// Waits until a failed or evicted pod shows it (phase Failed) or is already replaced.
    async fn wait_terminal(&mut self, pod: &str) -> Result<(), TargetError> {
        let uid = self
            .cache
            .get(Kind::Pod, pod)
            .and_then(|p| p.metadata().uid.clone());
        let pod = pod.to_owned();
        let terminal = move |v: &View| {
            v.pod(&pod).is_none_or(|p| {
                p.metadata.uid != uid || crate::model::pod_state::phase(p) == "Failed"
            })
        };
        let limit = self.session.wall_timeout(Duration::from_secs(30));
        let _ = self.until(&terminal, limit).await;
        self.react().await
    }
}
