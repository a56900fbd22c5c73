//! The object verbs over the reference cluster: GET (object, Table or metadata), list,
//! POST, PUT, PATCH, DELETE and deletecollection, plus the `/status` and `/scale`
//! subresources. Writes that change nothing are not written (as the API server skips
//! no-op updates), so `kubectl patch` can say `(no change)`.

use super::body::{self, FieldValidation};
use super::list::{self, ListOptions};
use super::patch;
use super::reply::{self, Reply};
use super::request::Format;
use super::resources::Subresource;
use super::routes::Call;
use super::state::State;
use super::status::StatusError;
use super::table::{self, IncludeObject};
use super::watch;
use crate::model::api_error::ApiError;
use crate::model::object::{Kind, Object};
use crate::model::patch::PatchType;
use crate::sim::Cluster;
use crate::sim::front::{self, Part};
use serde_json::{Value, json};
use std::sync::Arc;

fn not_found(call: &Call, name: &str) -> StatusError {
    StatusError::not_found(call.resource.plural, call.resource.group, name)
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

pub use crate::sim::front::scale_of;

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

/// A PUT or PATCH target: the object itself or its `/status`.
fn part(call: &Call) -> Part {
    if call.sub == Some(Subresource::Status) {
        Part::Status
    } else {
        Part::Main
    }
}

/// PUT on an object or subresource.
pub async fn update(state: &State, call: &Call) -> Result<Reply, StatusError> {
    reject_dry_run(call)?;
    let doc = body::parse_document(&call.body, call.content_type.as_deref())?;
    let (ns, name) = (namespace(call), name(call));
    if call.sub == Some(Subresource::Scale) {
        let scale = state
            .write(|c| front::replace_scale(c, ns, name, &doc))
            .await??;
        return Ok(reply::json(200, &scale, "application/json", &[]));
    }
    let validation = FieldValidation::from_query(&call.query)?;
    let decoded = decode_object(call, doc, validation)?;
    let written = state
        .write(|c| front::replace(c, decoded.object, part(call)))
        .await??;
    let mut all = decoded.warnings;
    all.extend(written.warnings);
    Ok(object_reply(call, 200, &written.object, &all))
}

/// PATCH on an object or subresource; server-side apply creates missing objects.
pub async fn patch(state: &State, call: &Call) -> Result<Reply, StatusError> {
    reject_dry_run(call)?;
    let kind = call.resource.kind;
    let (ns, name) = (namespace(call), name(call));
    let patch_type = patch::patch_type(call.content_type.as_deref())?;
    let patch_doc = patch::parse(patch_type, &call.body)?;
    if patch_type == PatchType::Apply && call.query.get("fieldManager").is_none_or(str::is_empty) {
        return Err(StatusError::bad_request(
            "PATCH with an apply patch requires a fieldManager (fieldManager: Required value: is required for apply patch)",
        ));
    }
    let validation = FieldValidation::from_query(&call.query)?;
    if call.sub == Some(Subresource::Scale) {
        let scale = state
            .write(|c| front::patch_scale(c, ns, name, patch_type, &patch_doc))
            .await??;
        return Ok(reply::json(200, &scale, "application/json", &[]));
    }
    let patched = state
        .write(|c| {
            front::patch(
                c,
                kind,
                ns,
                name,
                patch_type,
                &patch_doc,
                part(call),
                |doc| decode_object(call, doc, validation).map(|d| (d.object, d.warnings)),
            )
        })
        .await??;
    let code = if patched.created { 201 } else { 200 };
    Ok(object_reply(
        call,
        code,
        &patched.written.object,
        &patched.written.warnings,
    ))
}

fn delete_one(
    c: &mut Cluster,
    kind: Kind,
    ns: &str,
    name: &str,
    deletion: &body::Deletion,
) -> Result<Arc<Object>, ApiError> {
    front::delete(
        c,
        kind,
        ns,
        name,
        &deletion.options,
        deletion.precondition_resource_version.as_deref(),
        deletion.dry_run,
    )
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
