//! The API's patch formats over JSON objects: RFC 7386 merge patch, RFC 6902 JSON patch,
//! and Kubernetes strategic merge patch (list merge keys for containers, ports, env,
//! volumes, volumeMounts, conditions, ownerReferences and the like; `$patch` directives;
//! `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` keys) — enough for
//! `kubectl apply` re-applies and `kubectl patch`.

use serde_json::{Map, Value};

/// A patch that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The patch document is not of the expected shape.
    #[error("invalid patch: {0}")]
    Invalid(String),
    /// A JSON patch operation failed (missing path, failed test).
    #[error("the JSON patch could not be applied: {0}")]
    Failed(String),
}

/// The API's patch formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// RFC 6902 JSON patch.
    Json,
    /// RFC 7386 JSON merge patch.
    Merge,
    /// Kubernetes strategic merge patch.
    Strategic,
    /// Server-side apply (of whole objects, merged strategically here).
    Apply,
}

/// Applies a patch of `patch_type` to an object's JSON.
///
/// # Errors
/// [`PatchError::Failed`] when a JSON patch operation fails (the API answers 422),
/// [`PatchError::Invalid`] for a malformed patch (400).
pub fn apply(patch_type: PatchType, target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    match patch_type {
        PatchType::Json => json_patch(target, patch),
        PatchType::Merge => {
            merge_patch(target, patch);
            Ok(())
        }
        PatchType::Strategic | PatchType::Apply => strategic_merge_patch(target, patch),
    }
}

/// Applies an RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// Applies an RFC 6902 JSON patch.
///
/// # Errors
/// [`PatchError::Invalid`] when the document is not a list of operations,
/// [`PatchError::Failed`] when an operation does not apply.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|e| PatchError::Invalid(e.to_string()))?;
    json_patch::patch(target, &ops).map_err(|e| PatchError::Failed(e.to_string()))
}

/// The merge key of a list field, by field name (the Kubernetes OpenAPI's
/// `x-kubernetes-patch-merge-key`), or None for lists that are replaced.
fn merge_key(field: &str, sample: Option<&Value>) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            if sample.and_then(|s| s.get("containerPort")).is_some() {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

/// Lists of scalars that merge as sets rather than being replaced.
fn is_primitive_set(field: &str) -> bool {
    matches!(field, "finalizers")
}

/// Applies a Kubernetes strategic merge patch.
///
/// # Errors
/// [`PatchError::Invalid`] when the patch is not an object or a directive is malformed.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::Invalid(
            "a strategic merge patch must be a JSON object".into(),
        ));
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    merge_map(target, patch)
}

fn merge_map(target: &mut Value, patch: &Map<String, Value>) -> Result<(), PatchError> {
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch.clone();
        replacement.remove("$patch");
        *target = Value::Object(replacement);
        return Ok(());
    }
    if patch.get("$patch").and_then(Value::as_str) == Some("delete") {
        *target = Value::Object(Map::new());
        return Ok(());
    }
    let Value::Object(map) = target else {
        return Err(PatchError::Invalid("cannot merge into a non-object".into()));
    };
    let retain: Option<Vec<String>> =
        patch
            .get("$retainKeys")
            .and_then(Value::as_array)
            .map(|keys| {
                keys.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            });
    for (key, value) in patch {
        if key == "$patch" || key == "$retainKeys" || key.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            let remove: Vec<Value> = value.as_array().cloned().unwrap_or_default();
            if let Some(Value::Array(items)) = map.get_mut(field) {
                items.retain(|i| !remove.contains(i));
            }
            continue;
        }
        if value.is_null() {
            map.remove(key);
            continue;
        }
        match (map.get_mut(key), value) {
            (Some(existing @ Value::Object(_)), Value::Object(p)) => merge_map(existing, p)?,
            (Some(Value::Array(existing)), Value::Array(p)) => merge_list(key, existing, p)?,
            (_, Value::Object(p)) => {
                let mut fresh = Value::Object(Map::new());
                merge_map(&mut fresh, p)?;
                map.insert(key.clone(), fresh);
            }
            (_, Value::Array(p)) => {
                let mut fresh = Vec::new();
                merge_list(key, &mut fresh, p)?;
                map.insert(key.clone(), Value::Array(fresh));
            }
            (_, v) => {
                map.insert(key.clone(), v.clone());
            }
        }
    }
    if let Some(retain) = retain {
        map.retain(|k, _| retain.contains(k));
    }
    Ok(())
}

fn merge_list(field: &str, target: &mut Vec<Value>, patch: &[Value]) -> Result<(), PatchError> {
    if patch
        .iter()
        .any(|v| v.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *target = patch
            .iter()
            .filter(|v| v.get("$patch").is_none())
            .cloned()
            .collect();
        return Ok(());
    }
    if is_primitive_set(field) {
        for v in patch {
            if !target.contains(v) {
                target.push(v.clone());
            }
        }
        return Ok(());
    }
    let Some(key) = merge_key(field, patch.first().or(target.first())) else {
        *target = patch.to_vec();
        return Ok(());
    };
    for item in patch {
        let Value::Object(item_map) = item else {
            return Err(PatchError::Invalid(format!(
                "{field}: list items must be objects"
            )));
        };
        let Some(id) = item_map.get(key) else {
            return Err(PatchError::Invalid(format!(
                "{field}: item is missing its merge key {key:?}"
            )));
        };
        let position = target.iter().position(|t| t.get(key) == Some(id));
        let delete = item_map.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                target.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => merge_map(&mut target[i], item_map)?,
            (None, false) => {
                let mut fresh = Value::Object(Map::new());
                merge_map(&mut fresh, item_map)?;
                target.push(fresh);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name() {
        let mut target = json!({"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}});
        strategic_merge_patch(
            &mut target,
            &json!({"spec": {"containers": [{"name": "b", "image": "y:2"}]}}),
        )
        .unwrap();
        assert_eq!(target["spec"]["containers"][0]["image"], "x:1");
        assert_eq!(target["spec"]["containers"][1]["image"], "y:2");
    }

    #[test]
    fn delete_directive_and_nulls() {
        let mut target = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"env": [{"name": "X"}, {"name": "Y"}]}});
        strategic_merge_patch(
            &mut target,
            &json!({"metadata": {"labels": {"a": null}}, "spec": {"env": [{"name": "X", "$patch": "delete"}]}}),
        )
        .unwrap();
        assert_eq!(
            target,
            json!({"metadata": {"labels": {"b": "2"}}, "spec": {"env": [{"name": "Y"}]}})
        );
    }

    #[test]
    fn owner_references_delete_by_uid() {
        let mut target = json!({"metadata": {"ownerReferences": [{"uid": "u1", "name": "web"}]}});
        strategic_merge_patch(
            &mut target,
            &json!({"metadata": {"ownerReferences": [{"$patch": "delete", "uid": "u1"}]}}),
        )
        .unwrap();
        assert_eq!(target["metadata"]["ownerReferences"], json!([]));
    }

    #[test]
    fn set_element_order_is_not_a_field() {
        let mut target = json!({"spec": {"containers": [{"name": "a"}]}});
        strategic_merge_patch(
            &mut target,
            &json!({"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "a", "image": "z"}]}}),
        )
        .unwrap();
        assert_eq!(
            target,
            json!({"spec": {"containers": [{"name": "a", "image": "z"}]}})
        );
    }

    #[test]
    fn json_patch_replaces_image() {
        let mut target = json!({"spec": {"template": {"spec": {"containers": [{"image": "a"}]}}}});
        json_patch(
            &mut target,
            &json!([{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "b"}]),
        )
        .unwrap();
        assert_eq!(
            target["spec"]["template"]["spec"]["containers"][0]["image"],
            "b"
        );
        assert!(json_patch(&mut target, &json!([{"op": "remove", "path": "/nope"}])).is_err());
    }
}
