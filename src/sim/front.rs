//! The one API front over the simulation: what get, create, apply, replace, patch (every
//! format), the `/status` and `/scale` subresources and delete mean, above the API
//! server's admission and storage ([`super::apiserver`]). The in-process reference target
//! and `serve` are both thin adapters over these functions, so the two cannot drift.
//!
//! As the real API server does, a write that changes nothing a client can set is not
//! written: it gets no new resourceVersion and wakes no watcher (upstream's
//! `GuaranteedUpdate` returns the stored object when the new one is deep-equal to it).

use super::Cluster;
use super::apiserver::{DeleteOptions, Written};
use crate::model::api_error::{ApiError, qualified_resource};
use crate::model::object::{Kind, Object};
use crate::model::patch::{self, PatchError, PatchType};
use crate::model::selector::selector_string;
use serde_json::{Value, json};
use std::sync::Arc;

/// Which part of an object a write addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The object itself (its status is kept as stored).
    Main,
    /// The `/status` subresource (only the status is taken).
    Status,
}

/// What a patch did: the object as now stored, warnings, and whether server-side apply
/// created it (HTTP 201).
#[derive(Debug, Clone)]
pub struct Patched {
    pub written: Written,
    pub created: bool,
}

fn not_found(kind: Kind, name: &str) -> ApiError {
    ApiError::NotFound {
        resource: qualified_resource(kind),
        name: name.to_owned(),
    }
}

/// The stored object.
///
/// # Errors
/// 404 when it does not exist.
pub fn get(c: &Cluster, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, ApiError> {
    c.store()
        .get(kind, namespace, name)
        .ok_or_else(|| not_found(kind, name))
}

/// Creates an object (POST).
///
/// # Errors
/// Admission failures (422), AlreadyExists (409), a terminating namespace (403).
pub fn create(c: &mut Cluster, object: Object) -> Result<Written, ApiError> {
    c.create(object)
}

const SERVER_FIELDS: [&str; 7] = [
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
];

/// Whether writing `new` over `current` would change nothing a client can set.
fn unchanged(new: &Object, current: &Object, part: Part) -> bool {
    let current_json = current.to_json();
    let mut new_json = new.to_json();
    if part == Part::Status {
        let mut merged = current_json.clone();
        match new_json.get("status") {
            Some(s) => merged["status"] = s.clone(),
            None => {
                if let Value::Object(m) = &mut merged {
                    m.remove("status");
                }
            }
        }
        return merged == current_json;
    }
    if let (Value::Object(new_meta), Some(cur_meta)) = (
        &mut new_json["metadata"],
        current_json.get("metadata").and_then(Value::as_object),
    ) {
        for f in SERVER_FIELDS {
            match cur_meta.get(f) {
                Some(v) => {
                    new_meta.insert(f.to_owned(), v.clone());
                }
                None => {
                    new_meta.remove(f);
                }
            }
        }
    }
    if let Value::Object(m) = &mut new_json {
        match current_json.get("status") {
            Some(s) => {
                m.insert("status".into(), s.clone());
            }
            None => {
                m.remove("status");
            }
        }
    }
    new_json == current_json
}

/// Writes `object` over the stored one (PUT), skipping a write that changes nothing. An
/// empty resourceVersion means "whatever is stored" (no optimistic-concurrency check).
///
/// # Errors
/// 404 when there is nothing to replace, 409 on a stale resourceVersion, admission
/// failures (422).
pub fn replace(c: &mut Cluster, object: Object, part: Part) -> Result<Written, ApiError> {
    let current = get(c, object.kind(), object.namespace(), object.name())?;
    let rv = object
        .metadata()
        .resource_version
        .clone()
        .unwrap_or_default();
    let same_version = rv.is_empty() || Some(&rv) == current.metadata().resource_version.as_ref();
    if same_version && unchanged(&object, &current, part) {
        return Ok(Written {
            object: current,
            warnings: Vec::new(),
        });
    }
    match part {
        Part::Main => c.update(object),
        Part::Status => c.update_status(object),
    }
}

/// Creates the object or, when it exists, replaces it whatever its resourceVersion (what
/// `kubectl apply` amounts to for a whole object). Returns whether it was created.
///
/// # Errors
/// As [`create`] and [`replace`].
pub fn apply(c: &mut Cluster, mut object: Object) -> Result<(Written, bool), ApiError> {
    if c.store()
        .get(object.kind(), object.namespace(), object.name())
        .is_some()
    {
        object.metadata_mut().resource_version = None;
        Ok((replace(c, object, Part::Main)?, false))
    } else {
        Ok((create(c, object)?, true))
    }
}

fn patch_error(patch_type: PatchType, e: PatchError) -> ApiError {
    match (patch_type, e) {
        (PatchType::Json, PatchError::Invalid(m)) => ApiError::BadRequest(m),
        (PatchType::Json, PatchError::Failed(m)) => ApiError::InvalidPatch(m),
        (_, e) => ApiError::BadRequest(e.to_string()),
    }
}

/// Patches an object or its status (PATCH). `decode` turns the patched JSON into the
/// object to write (and any warnings about it); server-side apply of a missing object
/// creates it from the patch. A patch that changes nothing writes nothing.
///
/// # Errors
/// 404 for a missing object (but for an apply), the patch's own errors (400/422), what
/// `decode` rejects, and the write's errors.
#[allow(clippy::too_many_arguments)]
pub fn patch<E: From<ApiError>>(
    c: &mut Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    patch_type: PatchType,
    patch_doc: &Value,
    part: Part,
    decode: impl FnOnce(Value) -> Result<(Object, Vec<String>), E>,
) -> Result<Patched, E> {
    let Some(current) = c.store().get(kind, namespace, name) else {
        if patch_type == PatchType::Apply && part == Part::Main {
            let (object, mut warnings) = decode(patch_doc.clone())?;
            let written = create(c, object)?;
            warnings.extend(written.warnings);
            return Ok(Patched {
                written: Written {
                    object: written.object,
                    warnings,
                },
                created: true,
            });
        }
        return Err(not_found(kind, name).into());
    };
    let current_json = current.to_json();
    let mut patched = current_json.clone();
    patch::apply(patch_type, &mut patched, patch_doc).map_err(|e| patch_error(patch_type, e))?;
    if patched == current_json {
        return Ok(Patched {
            written: Written {
                object: current,
                warnings: Vec::new(),
            },
            created: false,
        });
    }
    let (object, mut warnings) = decode(patched)?;
    let written = replace(c, object, part)?;
    warnings.extend(written.warnings);
    Ok(Patched {
        written: Written {
            object: written.object,
            warnings,
        },
        created: false,
    })
}

/// The `autoscaling/v1` `Scale` of a StatefulSet.
pub fn scale_of(object: &Object) -> Option<Value> {
    let Object::StatefulSet(set) = object else {
        return None;
    };
    let meta = &set.metadata;
    let spec = set.spec.as_ref();
    let selector = spec
        .and_then(|s| selector_string(&s.selector).ok())
        .unwrap_or_default();
    Some(json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta.name,
            "namespace": meta.namespace,
            "uid": meta.uid,
            "resourceVersion": meta.resource_version,
            "creationTimestamp": meta.creation_timestamp,
        },
        "spec": {"replicas": spec.and_then(|s| s.replicas).unwrap_or(1)},
        "status": {
            "replicas": set.status.as_ref().map_or(0, |s| s.replicas),
            "selector": selector,
        },
    }))
}

/// Reads the `/scale` subresource of a StatefulSet.
///
/// # Errors
/// 404 when there is no such StatefulSet.
pub fn get_scale(c: &Cluster, namespace: &str, name: &str) -> Result<Value, ApiError> {
    let current = get(c, Kind::StatefulSet, namespace, name)?;
    scale_of(&current).ok_or_else(|| not_found(Kind::StatefulSet, name))
}

/// Writes a `Scale` document to a StatefulSet (PUT on `/scale`): only `spec.replicas` is
/// taken; the same replicas at the same resourceVersion writes nothing.
///
/// # Errors
/// 404 when there is no such StatefulSet, 400 for a non-integer `spec.replicas`, 409 on a
/// stale resourceVersion, admission failures (422).
pub fn replace_scale(
    c: &mut Cluster,
    namespace: &str,
    name: &str,
    scale: &Value,
) -> Result<Value, ApiError> {
    let current = get(c, Kind::StatefulSet, namespace, name)?;
    let Object::StatefulSet(set) = current.as_ref() else {
        return Err(not_found(Kind::StatefulSet, name));
    };
    let replicas = match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .and_then(|r| i32::try_from(r).ok())
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas must be an integer".into(),
                )
            })?,
    };
    let rv = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let mut set = set.clone();
    set.metadata.resource_version = rv;
    let written =
        match set.spec.as_mut() {
            Some(spec)
                if spec.replicas == Some(replicas)
                    && set.metadata.resource_version.as_ref().is_none_or(|r| {
                        Some(r) == current.metadata().resource_version.as_ref()
                    }) =>
            {
                current
            }
            Some(spec) => {
                spec.replicas = Some(replicas);
                c.update(Object::StatefulSet(set))?.object
            }
            None => c.update(Object::StatefulSet(set))?.object,
        };
    scale_of(&written).ok_or_else(|| not_found(Kind::StatefulSet, name))
}

/// Patches the `/scale` subresource of a StatefulSet.
///
/// # Errors
/// As [`replace_scale`], and the patch's own errors.
pub fn patch_scale(
    c: &mut Cluster,
    namespace: &str,
    name: &str,
    patch_type: PatchType,
    patch_doc: &Value,
) -> Result<Value, ApiError> {
    let mut scale = get_scale(c, namespace, name)?;
    let before = scale.clone();
    patch::apply(patch_type, &mut scale, patch_doc).map_err(|e| patch_error(patch_type, e))?;
    if scale == before {
        return Ok(scale);
    }
    replace_scale(c, namespace, name, &scale)
}

/// Sets a StatefulSet's replicas through `/scale` (what `kubectl scale` does).
///
/// # Errors
/// As [`replace_scale`].
pub fn scale(
    c: &mut Cluster,
    namespace: &str,
    name: &str,
    replicas: i32,
) -> Result<Value, ApiError> {
    patch_scale(
        c,
        namespace,
        name,
        PatchType::Merge,
        &json!({"spec": {"replicas": replicas}}),
    )
}

/// Deletes an object (DELETE), honouring a resourceVersion precondition; a dry run only
/// looks the object up.
///
/// # Errors
/// 404 when it does not exist, 409 when the precondition fails.
pub fn delete(
    c: &mut Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    options: &DeleteOptions,
    precondition_resource_version: Option<&str>,
    dry_run: bool,
) -> Result<Arc<Object>, ApiError> {
    let current = get(c, kind, namespace, name)?;
    if let Some(rv) = precondition_resource_version
        && Some(rv) != current.metadata().resource_version.as_deref()
    {
        return Err(ApiError::Conflict(format!(
            "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
            current.metadata().resource_version.as_deref().unwrap_or("")
        )));
    }
    if dry_run {
        return Ok(current);
    }
    c.delete(kind, namespace, name, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{nginx_service, web};
    use crate::sim::ClusterConfig;

    fn cluster_with_web() -> Cluster {
        let mut c = Cluster::new(ClusterConfig::default());
        c.create(Object::Service(Box::new(nginx_service())))
            .unwrap();
        c.create(Object::StatefulSet(Box::new(web(2, json!({})))))
            .unwrap();
        c.settle().unwrap();
        c
    }

    #[test]
    fn scaling_to_the_current_size_writes_nothing() {
        let mut c = cluster_with_web();
        let before = c.store().resource_version();
        let answer = scale(&mut c, "default", "web", 2).unwrap();
        assert_eq!(answer["spec"]["replicas"], 2);
        assert_eq!(
            c.store().resource_version(),
            before,
            "a no-op scale was written"
        );
        scale(&mut c, "default", "web", 3).unwrap();
        assert!(
            c.store().resource_version() > before,
            "a real scale was not written"
        );
    }

    #[test]
    fn a_patch_that_changes_nothing_writes_nothing() {
        let mut c = cluster_with_web();
        let before = c.store().resource_version();
        let decode = |v: Value| -> Result<(Object, Vec<String>), ApiError> {
            Ok((Object::from_json(Kind::StatefulSet, v).unwrap(), Vec::new()))
        };
        let p = patch(
            &mut c,
            Kind::StatefulSet,
            "default",
            "web",
            PatchType::Merge,
            &json!({"spec": {"replicas": 2}}),
            Part::Main,
            decode,
        )
        .unwrap();
        assert!(!p.created);
        assert_eq!(c.store().resource_version(), before);
    }

    #[test]
    fn a_failed_json_patch_test_is_unprocessable() {
        let mut c = cluster_with_web();
        let err = patch(
            &mut c,
            Kind::StatefulSet,
            "default",
            "web",
            PatchType::Json,
            &json!([{"op": "test", "path": "/spec/replicas", "value": 9}]),
            Part::Main,
            |v| Ok::<_, ApiError>((Object::from_json(Kind::StatefulSet, v).unwrap(), vec![])),
        )
        .unwrap_err();
        assert_eq!(err.code(), 422);
    }

    #[test]
    fn a_stale_precondition_blocks_a_delete() {
        let mut c = cluster_with_web();
        let err = delete(
            &mut c,
            Kind::StatefulSet,
            "default",
            "web",
            &DeleteOptions::default(),
            Some("1"),
            false,
        )
        .unwrap_err();
        assert_eq!(err.code(), 409);
        assert!(c.store().get(Kind::StatefulSet, "default", "web").is_some());
    }
}
