//! Steps that create, change and delete objects: Services, StatefulSets (from the tutorial's
//! `web` template plus YAML overrides), manifests, scaling, patches and deletes.

use super::params::PropagationParam;
use super::{StepResult, StsWorld};
use crate::model::fixtures;
use crate::model::object::{Kind, Object};
use crate::model::patch::strategic_merge_patch;
use crate::targets::Patch;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

/// The docstring of a step, or an error naming the step.
pub(crate) fn docstring(step: &Step) -> Result<&str, super::Failure> {
    step.docstring.as_deref().ok_or_else(|| {
        super::Failure(format!(
            "the step \"{}\" needs a docstring (\"\"\" … \"\"\")",
            step.value
        ))
    })
}

/// Parses a YAML (or JSON) docstring into a JSON value.
pub(crate) fn yaml(text: &str) -> Result<Value, super::Failure> {
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| super::Failure(format!("the docstring is not valid YAML: {e}")))
}

/// The tutorial's StatefulSet renamed to `name` (selector `app=nginx` for `web`,
/// `app=<name>` otherwise), with `overrides` merged over it (strategic merge).
pub(crate) fn stateful_set(
    name: &str,
    replicas: i32,
    overrides: &Value,
) -> Result<Object, super::Failure> {
    let mut set = fixtures::web(replicas, json!({}));
    set.metadata.name = Some(name.to_owned());
    let mut value = Object::StatefulSet(Box::new(set)).to_json();
    if name != "web" {
        let relabel = json!({"spec": {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}}}});
        strategic_merge_patch(&mut value, &relabel).map_err(|e| super::Failure(e.to_string()))?;
    }
    strategic_merge_patch(&mut value, overrides).map_err(|e| super::Failure(e.to_string()))?;
    Object::from_json(Kind::StatefulSet, value)
        .map_err(|e| super::Failure(format!("{}: {}", e.path(), e.inner())))
}

impl StsWorld {
    /// Creates `object`, remembering any error and warnings instead of failing.
    pub async fn try_create(&mut self, object: Object) -> bool {
        match self.target().create(object).await {
            Ok((_, warnings)) => {
                self.last_warnings = warnings;
                self.last_error = None;
                true
            }
            Err(e) => {
                self.last_error = Some(e);
                false
            }
        }
    }

    /// Creates `object` or fails the step.
    pub async fn must_create(&mut self, object: Object) -> StepResult {
        let r = self.target().create(object).await;
        let (_, warnings) = self.fail_on(r).await?;
        self.last_warnings = warnings;
        Ok(())
    }

    /// Patches an object or fails the step.
    pub async fn must_patch(&mut self, kind: Kind, name: &str, patch: Patch) -> StepResult {
        let r = self.target().patch(kind, name, patch, false).await;
        self.fail_on(r).await.map(|_| ())
    }

    /// Patches an object, remembering any error instead of failing.
    pub async fn try_patch(&mut self, kind: Kind, name: &str, patch: Patch) -> bool {
        match self.target().patch(kind, name, patch, false).await {
            Ok(_) => {
                self.last_error = None;
                true
            }
            Err(e) => {
                self.last_error = Some(e);
                false
            }
        }
    }
}

/// Creates a headless Service (clusterIP None, port 80 named `web`) selecting `key=value`.
#[given(expr = "a headless Service {string} selecting {string}")]
async fn headless_service(w: &mut StsWorld, name: String, selector: String) -> StepResult {
    let (key, value) = selector
        .split_once('=')
        .unwrap_or(("app", selector.as_str()));
    let svc = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "labels": {key: value}},
        "spec": {"ports": [{"port": 80, "name": "web"}], "clusterIP": "None", "selector": {key: value}}});
    let object =
        Object::from_json(Kind::Service, svc).map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

/// Given form of "I create the StatefulSet …".
#[given(expr = "the StatefulSet {string} with {int} replica(s)")]
#[when(expr = "I create the StatefulSet {string} with {int} replica(s)")]
async fn create_set(w: &mut StsWorld, name: String, replicas: i32) -> StepResult {
    let object = stateful_set(&name, replicas, &json!({}))?;
    w.must_create(object).await
}

/// Given form of "I create the StatefulSet … and:".
#[given(expr = "the StatefulSet {string} with {int} replica(s) and:")]
#[when(expr = "I create the StatefulSet {string} with {int} replica(s) and:")]
async fn create_set_with(w: &mut StsWorld, step: &Step, name: String, replicas: i32) -> StepResult {
    let overrides = yaml(docstring(step)?)?;
    let object = stateful_set(&name, replicas, &overrides)?;
    w.must_create(object).await
}

/// Like "I create the StatefulSet … and:", but a rejection is remembered for "the request fails with".
#[when(expr = "I try to create the StatefulSet {string} with {int} replica(s) and:")]
async fn try_create_set_with(
    w: &mut StsWorld,
    step: &Step,
    name: String,
    replicas: i32,
) -> StepResult {
    let overrides = yaml(docstring(step)?)?;
    let object = stateful_set(&name, replicas, &overrides)?;
    w.try_create(object).await;
    Ok(())
}

/// Creates or replaces every object of the YAML docstring, as `kubectl apply -f` does.
#[given(expr = "I apply the manifest:")]
#[when(expr = "I apply the manifest:")]
async fn apply_manifest(w: &mut StsWorld, step: &Step) -> StepResult {
    let docs = crate::model::manifest::parse_manifests("docstring", docstring(step)?)
        .map_err(|e| super::Failure(e.to_string()))?;
    for doc in docs {
        let r = w.target().apply(doc.object).await;
        let (_, warnings) = w.fail_on(r).await?;
        w.last_warnings = warnings;
    }
    Ok(())
}

/// Like "I apply the manifest:", but a rejected object is remembered for "the request fails with" instead of failing the step.
#[when(expr = "I try to apply the manifest:")]
async fn try_apply_manifest(w: &mut StsWorld, step: &Step) -> StepResult {
    let docs = crate::model::manifest::parse_manifests("docstring", docstring(step)?)
        .map_err(|e| super::Failure(e.to_string()))?;
    w.last_error = None;
    for doc in docs {
        match w.target().apply(doc.object).await {
            Ok((_, warnings)) => w.last_warnings = warnings,
            Err(e) => {
                w.last_error = Some(e);
                break;
            }
        }
    }
    Ok(())
}

/// Sets `spec.replicas` through the `/scale` subresource, as `kubectl scale` does.
#[when(expr = "I scale {string} to {int} replica(s)")]
async fn scale(w: &mut StsWorld, name: String, replicas: i32) -> StepResult {
    let r = w.target().scale(&name, replicas).await;
    w.fail_on(r).await.map(|_| ())
}

/// Applies a strategic merge patch (YAML docstring) to the StatefulSet, as `kubectl patch` does.
#[when(expr = "I patch {string} with:")]
async fn patch_set(w: &mut StsWorld, step: &Step, name: String) -> StepResult {
    let patch = yaml(docstring(step)?)?;
    w.must_patch(Kind::StatefulSet, &name, Patch::Strategic(patch))
        .await
}

/// Like "I patch … with:", but a rejection is remembered for "the request fails with".
#[when(expr = "I try to patch {string} with:")]
async fn try_patch_set(w: &mut StsWorld, step: &Step, name: String) -> StepResult {
    let patch = yaml(docstring(step)?)?;
    w.try_patch(Kind::StatefulSet, &name, Patch::Strategic(patch))
        .await;
    Ok(())
}

/// Applies an RFC 6902 JSON patch (YAML or JSON docstring) to the StatefulSet, as `kubectl patch --type=json`.
#[when(expr = "I patch {string} with the JSON patch:")]
async fn json_patch_set(w: &mut StsWorld, step: &Step, name: String) -> StepResult {
    let patch = yaml(docstring(step)?)?;
    w.must_patch(Kind::StatefulSet, &name, Patch::Json(patch))
        .await
}

/// Merge-patches the StatefulSet's `/status` subresource with the YAML docstring.
#[when(expr = "I patch the status of {string} with:")]
async fn patch_status(w: &mut StsWorld, step: &Step, name: String) -> StepResult {
    let patch = yaml(docstring(step)?)?;
    let r = w
        .target()
        .patch(Kind::StatefulSet, &name, Patch::Merge(patch), true)
        .await;
    w.fail_on(r).await.map(|_| ())
}

/// Deletes a pod gracefully, as `kubectl delete pod` does.
#[when(expr = "I delete the pod {string}")]
async fn delete_pod(w: &mut StsWorld, name: String) -> StepResult {
    let r = w.target().delete(Kind::Pod, &name, None).await;
    w.fail_on(r).await
}

/// Deletes several pods, one request each, in the order given.
#[when(expr = "I delete the pods {pods}")]
async fn delete_pods(w: &mut StsWorld, pods: super::PodList) -> StepResult {
    for name in pods.0 {
        let r = w.target().delete(Kind::Pod, &name, None).await;
        w.fail_on(r).await?;
    }
    Ok(())
}

/// Deletes a StatefulSet with the default (background cascading) policy.
#[when(expr = "I delete the StatefulSet {string}")]
async fn delete_set(w: &mut StsWorld, name: String) -> StepResult {
    let r = w.target().delete(Kind::StatefulSet, &name, None).await;
    w.fail_on(r).await
}

/// Deletes a StatefulSet with the given propagation policy (`Orphan` is `kubectl delete --cascade=orphan`).
#[when(expr = "I delete the StatefulSet {string} with propagation {propagation}")]
async fn delete_set_with(
    w: &mut StsWorld,
    name: String,
    propagation: PropagationParam,
) -> StepResult {
    let r = w
        .target()
        .delete(Kind::StatefulSet, &name, Some(propagation.0))
        .await;
    w.fail_on(r).await
}

/// Deletes a Service.
#[when(expr = "I delete the Service {string}")]
async fn delete_service(w: &mut StsWorld, name: String) -> StepResult {
    let r = w.target().delete(Kind::Service, &name, None).await;
    w.fail_on(r).await
}

/// Waits until the set no longer exists.
#[then(expr = "the StatefulSet {string} is gone")]
async fn set_gone(w: &mut StsWorld, name: String) -> StepResult {
    let what = format!("StatefulSet {name} to be gone");
    w.eventually(&what, &|v| v.set(&name).is_none(), super::DEFAULT_WAIT)
        .await
}
