//! The object verbs over the reference cluster: GET (object, Table or metadata), list,
//! POST, PUT, PATCH, DELETE and deletecollection, plus the `/status` and `/scale`
//! subresources. Writes that change nothing are not written (as the API server skips
//! no-op updates), so `kubectl patch` can say `(no change)`.

use super::body::{self, FieldValidation};
use super::list::{self, ListOptions};
use super::patch::{self, PatchType};
use super::reply::{self, Reply};
use super::request::Format;
use super::resources::Subresource;
use super::routes::Call;
use super::state::State;
use super::status::StatusError;
use super::table::{self, IncludeObject};
use super::watch;
use crate::model::object::{Kind, Object};
use crate::model::selector::selector_string;
use crate::sim::Cluster;
use serde_json::{Value, json};
use std::sync::Arc;

fn not_found(call: &Call, name: &str) -> StatusError {
    StatusError::not_found(call.resource.plural, call.resource.group, name)
}

/// The stored object the call names, or the call's 404.
fn stored(
    c: &crate::sim::Cluster,
    call: &Call,
) -> Result<std::sync::Arc<crate::model::object::Object>, StatusError> {
    c.store()
        .get(call.resource.kind, namespace(call), name(call))
        .ok_or_else(|| not_found(call, name(call)))
}

fn namespace(call: &Call) -> &str {
    call.namespace.as_deref().unwrap_or("")
}

fn name(call: &Call) -> &str {
    call.name.as_deref().unwrap_or("")
}

/// An object in the requested representation.
fn render(call: &Call, object: &Object) -> Value {
    match call.format {
        Format::Json => object.to_json(),
        Format::Table(version) => {
            let meta = json!({"resourceVersion": object.metadata().resource_version});
            table::table(
                object.kind(),
                &[object],
                meta,
                IncludeObject::parse(call.query.get("includeObject")),
                true,
                version,
            )
        }
        Format::Metadata(version) => table::partial_metadata(object, version),
    }
}

fn object_reply(call: &Call, code: u16, object: &Object, warnings: &[String]) -> Reply {
    reply::json(
        code,
        &render(call, object),
        call.format.content_type(),
        warnings,
    )
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

/// GET of one object or subresource.
pub async fn get(state: &State, call: &Call) -> Result<Reply, StatusError> {
    let kind = call.resource.kind;
    let (ns, name) = (namespace(call).to_owned(), name(call).to_owned());
    let object = state
        .read(|c| c.store().get(kind, &ns, &name))
        .await?
        .ok_or_else(|| not_found(call, &name))?;
    match call.sub {
        Some(Subresource::Scale) => {
            let scale = scale_of(&object).ok_or_else(|| not_found(call, &name))?;
            Ok(reply::json(200, &scale, "application/json", &[]))
        }
        _ => Ok(object_reply(call, 200, &object, &[])),
    }
}

/// GET of a collection: a list, or a watch with `watch=true`.
pub async fn list(state: &Arc<State>, call: &Call) -> Result<Reply, StatusError> {
    let kind = call.resource.kind;
    let options = ListOptions::parse(&call.query, kind)?;
    if options.watch {
        return watch::serve(
            Arc::clone(state),
            call.resource,
            call.namespace.clone(),
            options,
            call.format,
            IncludeObject::parse(call.query.get("includeObject")),
        )
        .await;
    }
    let ns = call.namespace.clone();
    let page = state
        .read(|c| list::page(c.store(), kind, ns.as_deref(), &options))
        .await??;
    let meta = page.list_meta();
    let body = match call.format {
        Format::Json => {
            // Serialised by hand so a long list is not built twice as a JSON tree.
            let mut out = Vec::with_capacity(256 + page.items.len() * 2048);
            out.extend_from_slice(
                format!(
                    "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
                    kind.as_str(),
                    kind.api_version(),
                    meta
                )
                .as_bytes(),
            );
            for (i, item) in page.items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut out, &item.to_json());
            }
            out.extend_from_slice(b"]}");
            out
        }
        Format::Table(version) => {
            let objects: Vec<&Object> = page.items.iter().map(|o| o.as_ref()).collect();
            let t = table::table(
                kind,
                &objects,
                meta,
                IncludeObject::parse(call.query.get("includeObject")),
                true,
                version,
            );
            serde_json::to_vec(&t).unwrap_or_default()
        }
        Format::Metadata(version) => {
            let items: Vec<Value> = page
                .items
                .iter()
                .map(|o| table::partial_metadata(o, version))
                .collect();
            serde_json::to_vec(&json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": format!("meta.k8s.io/{version}"),
                "metadata": meta,
                "items": items,
            }))
            .unwrap_or_default()
        }
    };
    Ok(reply::bytes(200, body, call.format.content_type(), &[]))
}

fn reject_dry_run(call: &Call) -> Result<(), StatusError> {
    if call.query.get("dryRun").is_some_and(|v| !v.is_empty()) {
        return Err(StatusError::bad_request(
            "dryRun is not supported by stsconform serve",
        ));
    }
    Ok(())
}

/// Decodes a body as an object of the call's resource, in the call's namespace.
fn decode_object(
    call: &Call,
    doc: Value,
    validation: FieldValidation,
) -> Result<body::Decoded, StatusError> {
    let mut doc = doc;
    body::check_type(&mut doc, call.resource)?;
    let mut decoded = body::decode(doc, call.resource, validation)?;
    if call.resource.namespaced() {
        body::check_namespace(&mut decoded.object, call.namespace.as_deref())?;
    } else {
        decoded.object.metadata_mut().namespace = None;
    }
    if let Some(url_name) = call.name.as_deref() {
        let given = decoded.object.name().to_owned();
        if given.is_empty() {
            decoded.object.metadata_mut().name = Some(url_name.to_owned());
        } else if given != url_name {
            return Err(StatusError::bad_request(format!(
                "the name of the object ({given}) does not match the name on the URL ({url_name})"
            )));
        }
    }
    Ok(decoded)
}

/// POST on a collection.
pub async fn create(state: &State, call: &Call) -> Result<Reply, StatusError> {
    reject_dry_run(call)?;
    let validation = FieldValidation::from_query(&call.query)?;
    let doc = body::parse_document(&call.body, call.content_type.as_deref())?;
    let decoded = decode_object(call, doc, validation)?;
    let written = state.write(|c| c.create(decoded.object)).await??;
    let mut warnings = decoded.warnings;
    warnings.extend(written.warnings);
    Ok(object_reply(call, 201, &written.object, &warnings))
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
fn unchanged(new: &Object, current: &Object, status_write: bool) -> bool {
    let current_json = current.to_json();
    let mut new_json = new.to_json();
    if status_write {
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

/// Writes `object` over the stored one (main resource or status), skipping no-op writes.
fn write_over(
    c: &mut Cluster,
    object: Object,
    current: &Arc<Object>,
    status_write: bool,
) -> Result<(Arc<Object>, Vec<String>), StatusError> {
    let rv = object
        .metadata()
        .resource_version
        .clone()
        .unwrap_or_default();
    let same_version = rv.is_empty() || Some(&rv) == current.metadata().resource_version.as_ref();
    if same_version && unchanged(&object, current, status_write) {
        return Ok((Arc::clone(current), Vec::new()));
    }
    let written = if status_write {
        c.update_status(object)?
    } else {
        c.update(object)?
    };
    Ok((written.object, written.warnings))
}

/// Sets a StatefulSet's replicas from a `Scale` document.
fn write_scale(
    c: &mut Cluster,
    scale: &Value,
    current: &Arc<Object>,
) -> Result<Arc<Object>, StatusError> {
    let Object::StatefulSet(set) = current.as_ref() else {
        return Err(StatusError::not_found_path());
    };
    let replicas = match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .and_then(|r| i32::try_from(r).ok())
            .ok_or_else(|| {
                StatusError::bad_request(
                    "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas must be an integer",
                )
            })?,
    };
    let rv = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut set = set.clone();
    set.metadata.resource_version = rv.filter(|r| !r.is_empty());
    if let Some(spec) = set.spec.as_mut() {
        if spec.replicas == Some(replicas)
            && set
                .metadata
                .resource_version
                .as_ref()
                .is_none_or(|r| Some(r) == current.metadata().resource_version.as_ref())
        {
            return Ok(Arc::clone(current));
        }
        spec.replicas = Some(replicas);
    }
    Ok(c.update(Object::StatefulSet(set))?.object)
}

/// PUT on an object or subresource.
pub async fn update(state: &State, call: &Call) -> Result<Reply, StatusError> {
    reject_dry_run(call)?;
    let doc = body::parse_document(&call.body, call.content_type.as_deref())?;
    if call.sub == Some(Subresource::Scale) {
        let written = state
            .write(|c| {
                let current = stored(c, call)?;
                write_scale(c, &doc, &current)
            })
            .await??;
        let scale = scale_of(&written).unwrap_or(Value::Null);
        return Ok(reply::json(200, &scale, "application/json", &[]));
    }
    let validation = FieldValidation::from_query(&call.query)?;
    let decoded = decode_object(call, doc, validation)?;
    let status_write = call.sub == Some(Subresource::Status);
    let (object, warnings) = state
        .write(|c| {
            let current = stored(c, call)?;
            write_over(c, decoded.object, &current, status_write)
        })
        .await??;
    let mut all = decoded.warnings;
    all.extend(warnings);
    Ok(object_reply(call, 200, &object, &all))
}

/// PATCH on an object or subresource; server-side apply creates missing objects.
pub async fn patch(state: &State, call: &Call) -> Result<Reply, StatusError> {
    reject_dry_run(call)?;
    let kind = call.resource.kind;
    let (ns, name) = (namespace(call).to_owned(), name(call).to_owned());
    let patch_type = PatchType::from_content_type(call.content_type.as_deref())?;
    let patch_doc = patch::parse(patch_type, &call.body)?;
    if patch_type == PatchType::Apply && call.query.get("fieldManager").is_none_or(str::is_empty) {
        return Err(StatusError::bad_request(
            "PATCH with an apply patch requires a fieldManager (fieldManager: Required value: is required for apply patch)",
        ));
    }
    let validation = FieldValidation::from_query(&call.query)?;
    let sub = call.sub;
    enum Outcome {
        Object(Arc<Object>, Vec<String>, u16),
        Scale(Arc<Object>),
    }
    let outcome = state
        .write(|c| -> Result<Outcome, StatusError> {
            let Some(current) = c.store().get(kind, &ns, &name) else {
                if patch_type == PatchType::Apply && sub.is_none() {
                    let decoded = decode_object(call, patch_doc, validation)?;
                    let written = c.create(decoded.object)?;
                    let mut warnings = decoded.warnings;
                    warnings.extend(written.warnings);
                    return Ok(Outcome::Object(written.object, warnings, 201));
                }
                return Err(not_found(call, &name));
            };
            if sub == Some(Subresource::Scale) {
                let mut scale = scale_of(&current).ok_or_else(|| not_found(call, &name))?;
                let before = scale.clone();
                patch::apply(patch_type, &mut scale, &patch_doc)?;
                if scale == before {
                    return Ok(Outcome::Scale(current));
                }
                return Ok(Outcome::Scale(write_scale(c, &scale, &current)?));
            }
            let current_json = current.to_json();
            let mut patched = current_json.clone();
            patch::apply(patch_type, &mut patched, &patch_doc)?;
            if patched == current_json {
                return Ok(Outcome::Object(current, Vec::new(), 200));
            }
            let decoded = decode_object(call, patched, validation)?;
            let (object, warnings) = write_over(
                c,
                decoded.object,
                &current,
                sub == Some(Subresource::Status),
            )?;
            let mut all = decoded.warnings;
            all.extend(warnings);
            Ok(Outcome::Object(object, all, 200))
        })
        .await??;
    match outcome {
        Outcome::Object(object, warnings, code) => Ok(object_reply(call, code, &object, &warnings)),
        Outcome::Scale(object) => {
            let scale = scale_of(&object).unwrap_or(Value::Null);
            Ok(reply::json(200, &scale, "application/json", &[]))
        }
    }
}

fn delete_one(
    c: &mut Cluster,
    kind: Kind,
    ns: &str,
    name: &str,
    deletion: &body::Deletion,
) -> Result<Arc<Object>, StatusError> {
    let current = c.store().get(kind, ns, name).ok_or_else(|| {
        let r = super::resources::of(kind);
        StatusError::not_found(r.plural, r.group, name)
    })?;
    if let Some(rv) = &deletion.precondition_resource_version
        && Some(rv) != current.metadata().resource_version.as_ref()
    {
        return Err(StatusError::new(
            409,
            "Conflict",
            format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                current.metadata().resource_version.as_deref().unwrap_or("")
            ),
        ));
    }
    if deletion.dry_run {
        return Ok(current);
    }
    Ok(c.delete(kind, ns, name, &deletion.options)?)
}

/// DELETE of one object.
pub async fn delete(state: &State, call: &Call) -> Result<Reply, StatusError> {
    let kind = call.resource.kind;
    let (ns, name) = (namespace(call).to_owned(), name(call).to_owned());
    let deletion = body::deletion(&call.query, &call.body, call.content_type.as_deref())?;
    let object = state
        .write(|c| delete_one(c, kind, &ns, &name, &deletion))
        .await??;
    Ok(reply::json(200, &object.to_json(), "application/json", &[]))
}

/// DELETE of a collection (deletecollection): every selected object.
pub async fn delete_collection(state: &State, call: &Call) -> Result<Reply, StatusError> {
    let kind = call.resource.kind;
    let options = ListOptions::parse(&call.query, kind)?;
    let deletion = body::deletion(&call.query, &call.body, call.content_type.as_deref())?;
    let ns = call.namespace.clone();
    let (deleted, rv) = state
        .write(|c| {
            let names: Vec<(String, String)> = c
                .store()
                .list(kind, ns.as_deref())
                .filter(|o| options.matches(o))
                .map(|o| (o.namespace().to_owned(), o.name().to_owned()))
                .collect();
            let mut deleted = Vec::new();
            for (ns, name) in names {
                if let Ok(o) = delete_one(c, kind, &ns, &name, &deletion) {
                    deleted.push(o.to_json());
                }
            }
            (deleted, c.store().resource_version())
        })
        .await?;
    let list = json!({
        "kind": format!("{}List", kind.as_str()),
        "apiVersion": kind.api_version(),
        "metadata": {"resourceVersion": rv.to_string()},
        "items": deleted,
    });
    Ok(reply::json(200, &list, "application/json", &[]))
}
