//! `stsconform validate`: defaulting and validation exactly as the API server applies them.

use super::{CommandError, exit, load_files};
use crate::model::object::Object;
use crate::sim::apiserver::ApiError;
use crate::sim::{Cluster, ClusterConfig};

/// What `validate` found.
#[derive(Debug)]
pub struct Report {
    /// The defaulted objects as YAML documents, or the errors, ready to print.
    pub output: String,
    /// Warnings the API server would return (printed to stderr).
    pub warnings: Vec<String>,
    /// [`exit::OK`] when every object is valid, else [`exit::FAILED`].
    pub code: i32,
}

/// Serialises an object as YAML the way `kubectl get -o yaml` lays it out.
pub fn to_yaml(object: &Object) -> String {
    serde_saphyr::to_string(&object.to_json())
        .unwrap_or_else(|e| format!("# failed to render: {e}\n"))
}

/// Validates every object of every file, in order, as if each were created on an empty
/// cluster (namespaces are created as needed).
///
/// # Errors
/// Unreadable or malformed files.
pub fn validate(paths: &[String], config: ClusterConfig) -> Result<Report, CommandError> {
    let files = load_files(paths)?;
    let mut cluster = Cluster::new(config);
    let mut output = String::new();
    let mut warnings = Vec::new();
    let mut failed = false;
    for (path, docs) in files {
        for doc in docs {
            let object = doc.object;
            if object.kind().namespaced() && !object.namespace().is_empty() {
                let _ = cluster.ensure_namespace(object.namespace());
            }
            let label = format!(
                "{path}: document {} ({} {:?})",
                doc.index + 1,
                object.kind(),
                object.name()
            );
            match cluster.create(object) {
                Ok(written) => {
                    warnings.extend(
                        written
                            .warnings
                            .iter()
                            .map(|w| format!("{label}: Warning: {w}")),
                    );
                    let mut shown = Object::clone(&written.object);
                    strip_server_fields(&mut shown);
                    output.push_str("---\n");
                    output.push_str(&to_yaml(&shown));
                }
                Err(ApiError::Invalid {
                    causes, message, ..
                }) => {
                    failed = true;
                    output.push_str(&format!("{label}: {message}\n"));
                    if causes.len() > 1 {
                        for cause in causes {
                            output.push_str(&format!("  - {cause}\n"));
                        }
                    }
                }
                Err(e) => {
                    failed = true;
                    output.push_str(&format!("{label}: {e}\n"));
                }
            }
        }
    }
    Ok(Report {
        output,
        warnings,
        code: if failed { exit::FAILED } else { exit::OK },
    })
}

/// Drops what only a live server assigns (uid, resourceVersion, creationTimestamp), so the
/// output shows just what defaulting added.
fn strip_server_fields(object: &mut Object) {
    let meta = object.metadata_mut();
    meta.uid = None;
    meta.resource_version = None;
    meta.creation_timestamp = None;
}
