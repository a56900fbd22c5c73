//! One connection to a cluster for a whole run: the kube-rs client from a kubeconfig, the
//! server's release, what it can do (faults through `serve`'s annotations or not), the
//! permission check before anything is created, and the register of namespaces the run
//! created so that every one of them is removed, also after Ctrl-C.

use super::KubeTarget;
use crate::model::object::Kind;
use crate::targets::TargetError;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The label every namespace the harness creates carries.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value.
pub const MANAGED_BY: &str = "stsconform";
/// The label naming the run that created a namespace: an interrupted run deletes by it,
/// so a namespace whose create answer never arrived goes too.
pub const RUN_LABEL: &str = "stsconform.io/run";

/// How to reach the cluster and how to run on it.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// The kubeconfig file; None reads `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; None uses the current one.
    pub context: Option<String>,
    /// Target seconds per wall-clock second (match `serve --time-scale`; 1 on real clusters).
    pub time_scale: f64,
    /// Multiplies every timeout (slow clusters).
    pub timeout_scale: f64,
    /// How long connecting and each request may take.
    pub connect_timeout: Duration,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            time_scale: 1.0,
            timeout_scale: 1.0,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Why the run could not start on the cluster.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig could not be read or used.
    #[error("failed to load the kubeconfig{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Kubeconfig {
        path: Option<PathBuf>,
        message: String,
    },
    /// The server did not answer, or not as an API server.
    #[error("failed to reach the API server {server}: {message}")]
    Unreachable { server: String, message: String },
    /// The credentials lack rights the harness needs.
    #[error(
        "the credentials for {server} lack permissions the harness needs:\n{}\n(the README lists the minimal ClusterRole)",
        missing.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n")
    )]
    Forbidden {
        server: String,
        missing: Vec<String>,
    },
}

impl From<crate::kubeclient::ConnectError> for ConnectError {
    fn from(e: crate::kubeclient::ConnectError) -> Self {
        match e {
            crate::kubeclient::ConnectError::Kubeconfig { path, message } => {
                ConnectError::Kubeconfig { path, message }
            }
            crate::kubeclient::ConnectError::Unreachable { server, message } => {
                ConnectError::Unreachable { server, message }
            }
        }
    }
}

/// What the harness does, as (verb, group, resource): checked before anything is created.
pub const REQUIRED: &[(&str, &str, &str)] = &[
    ("create", "", "namespaces"),
    ("delete", "", "namespaces"),
    ("list", "", "namespaces"),
    ("create", "apps", "statefulsets"),
    ("update", "apps", "statefulsets"),
    ("patch", "apps", "statefulsets"),
    ("delete", "apps", "statefulsets"),
    ("watch", "apps", "statefulsets"),
    ("patch", "apps", "statefulsets/scale"),
    ("patch", "apps", "statefulsets/status"),
    ("create", "", "services"),
    ("delete", "", "services"),
    ("watch", "", "services"),
    ("create", "", "pods"),
    ("patch", "", "pods"),
    ("delete", "", "pods"),
    ("watch", "", "pods"),
    ("patch", "", "pods/status"),
    ("patch", "", "persistentvolumeclaims"),
    ("delete", "", "persistentvolumeclaims"),
    ("watch", "", "persistentvolumeclaims"),
    ("create", "apps", "controllerrevisions"),
    ("update", "apps", "controllerrevisions"),
    ("delete", "apps", "controllerrevisions"),
    ("watch", "apps", "controllerrevisions"),
    ("watch", "", "events"),
    ("watch", "discovery.k8s.io", "endpointslices"),
];

/// A connected cluster.
pub struct Session {
    pub(super) client: Client,
    /// The server URL.
    pub server: String,
    /// The context name, for reports.
    pub context: String,
    /// The server's minor release (`/version`).
    pub minor: u32,
    /// The server's `gitVersion`.
    pub git_version: String,
    /// Whether the server is `stsconform serve` (faults through pod annotations).
    pub is_serve: bool,
    /// Feature gates the server reports on its `/metrics` (`kubernetes_feature_enabled`,
    /// kube-apiserver 1.26+); empty when it does not let us read them.
    pub gates: BTreeMap<String, bool>,
    pub(super) options: ClusterOptions,
    /// This run's id, the value of [`RUN_LABEL`] on its namespaces.
    pub run_id: String,
    created: Mutex<BTreeSet<String>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.server)
            .field("context", &self.context)
            .field("git_version", &self.git_version)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Connects: reads the kubeconfig, asks `/version` within the connect timeout.
    ///
    /// # Errors
    /// [`ConnectError`] for a bad kubeconfig, an unreachable or untrusted server, or a
    /// rejected token.
    pub async fn connect(options: ClusterOptions) -> Result<Arc<Session>, ConnectError> {
        let connection = crate::kubeclient::connect(
            options.kubeconfig.as_deref(),
            options.context.as_deref(),
            options.connect_timeout,
        )
        .await?;
        let gates =
            crate::kubeclient::reported_gates(&connection.client, options.connect_timeout).await;
        let session = Session {
            client: connection.client,
            server: connection.server,
            context: connection.context,
            minor: connection.minor,
            is_serve: connection.git_version.ends_with("-stsconform"),
            git_version: connection.git_version,
            gates,
            options,
            run_id: run_id(),
            created: Mutex::new(BTreeSet::new()),
        };
        session.check_permissions().await?;
        Ok(Arc::new(session))
    }

    /// Asks the server, with one SelfSubjectAccessReview a verb and resource, whether the
    /// credentials may do what the harness does.
    async fn check_permissions(&self) -> Result<(), ConnectError> {
        let reviews: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let mut missing = Vec::new();
        for (verb, group, resource) in REQUIRED {
            let (resource, subresource) = match resource.split_once('/') {
                Some((r, s)) => (r, Some(s.to_string())),
                None => (*resource, None),
            };
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        verb: Some((*verb).into()),
                        group: Some((*group).into()),
                        resource: Some(resource.into()),
                        subresource: subresource.clone(),
                        ..ResourceAttributes::default()
                    }),
                    ..SelfSubjectAccessReviewSpec::default()
                },
                ..SelfSubjectAccessReview::default()
            };
            let answer = reviews
                .create(&PostParams::default(), &review)
                .await
                .map_err(|e| ConnectError::Unreachable {
                    server: self.server.clone(),
                    message: format!("the permission check failed: {}", describe(&e)),
                })?;
            if !answer.status.is_some_and(|s| s.allowed) {
                let group = if group.is_empty() { "core" } else { group };
                let sub = subresource.map(|s| format!("/{s}")).unwrap_or_default();
                missing.push(format!("{verb} {resource}{sub} (group {group})"));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ConnectError::Forbidden {
                server: self.server.clone(),
                missing,
            })
        }
    }

    /// How a real-time duration on the target maps to wall-clock time.
    pub fn wall(&self, target: Duration) -> Duration {
        target.div_f64(self.options.time_scale)
    }

    /// A wait's wall-clock bound for a timeout in target time.
    pub fn wall_timeout(&self, target: Duration) -> Duration {
        self.wall(target).mul_f64(self.options.timeout_scale)
    }

    /// Target seconds per wall-clock second.
    pub fn time_scale(&self) -> f64 {
        self.options.time_scale
    }

    /// Opens a scenario: its own labelled namespace, watched from before the first step.
    ///
    /// # Errors
    /// When the namespace cannot be created or its watches do not start.
    pub async fn open(self: &Arc<Self>, scenario: &str) -> Result<KubeTarget, TargetError> {
        let name = namespace_name(scenario);
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let namespace: Namespace = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": name,
                "labels": {MANAGED_BY_LABEL: MANAGED_BY, RUN_LABEL: self.run_id},
                "annotations": {"stsconform.io/scenario": scenario},
            }
        }))
        .map_err(|e| TargetError::Other(e.to_string()))?;
        namespaces
            .create(&PostParams::default(), &namespace)
            .await
            .map_err(|e| {
                TargetError::Other(format!(
                    "failed to create namespace {name}: {}",
                    describe(&e)
                ))
            })?;
        self.remember(&name);
        KubeTarget::start(Arc::clone(self), name).await
    }

    fn remember(&self, namespace: &str) {
        self.created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(namespace.to_owned());
    }

    /// Forgets a namespace (deleted, or kept on purpose with `--keep-failed`).
    pub fn forget(&self, namespace: &str) {
        self.created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(namespace);
    }

    /// Deletes a namespace the run created and waits (at most `limit`) until it is gone.
    ///
    /// # Errors
    /// When the delete is refused or the namespace outlives `limit`.
    pub async fn delete_namespace(&self, name: &str, limit: Duration) -> Result<(), TargetError> {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        match namespaces.delete(name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {
                self.forget(name);
                return Ok(());
            }
            Err(e) => {
                return Err(TargetError::Other(format!(
                    "failed to delete namespace {name}: {}",
                    describe(&e)
                )));
            }
        }
        let gone = async {
            loop {
                match namespaces.get_opt(name).await {
                    Ok(None) => return Ok(()),
                    Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(50)).await,
                    Err(e) => return Err(describe(&e)),
                }
            }
        };
        match tokio::time::timeout(limit, gone).await {
            Ok(Ok(())) => {
                self.forget(name);
                Ok(())
            }
            Ok(Err(e)) => Err(TargetError::Other(format!(
                "failed to watch namespace {name} go: {e}"
            ))),
            Err(_) => Err(TargetError::Other(format!(
                "namespace {name} was still terminating after {limit:?}"
            ))),
        }
    }

    /// Deletes every namespace this run created and has not yet removed (Ctrl-C): those it
    /// knows of and those the server lists under this run's label.
    pub async fn delete_all(&self, limit: Duration) -> Vec<String> {
        let mut names: BTreeSet<String> = self
            .created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let mut failures = Vec::new();
        let selector = format!("{RUN_LABEL}={}", self.run_id);
        match namespaces
            .list(&ListParams::default().labels(&selector))
            .await
        {
            Ok(list) => names.extend(list.items.into_iter().filter_map(|n| n.metadata.name)),
            Err(e) => failures.push(format!("listing this run's namespaces: {}", describe(&e))),
        }
        let deletions = names.iter().map(|n| self.delete_namespace(n, limit));
        for (name, result) in names.iter().zip(futures::future::join_all(deletions).await) {
            if let Err(e) = result {
                failures.push(format!("{name}: {e}"));
            }
        }
        failures
    }

    /// Namespaces on the cluster that carry the harness's label (for tests and reports).
    ///
    /// # Errors
    /// When the list fails.
    pub async fn labelled_namespaces(&self) -> Result<Vec<String>, TargetError> {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let list = namespaces
            .list(&ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY}")))
            .await
            .map_err(|e| TargetError::Other(describe(&e)))?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect())
    }

    /// The kinds the harness reads and writes.
    pub fn kinds() -> &'static [Kind] {
        &super::cache::WATCHED
    }
}

pub use crate::kubeclient::describe;

/// A random id for one run (a label value).
fn run_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `stsconform-<slug>-<random>`, at most 63 characters (a DNS label).
fn namespace_name(scenario: &str) -> String {
    let mut slug = String::new();
    for c in scenario.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(40);
    let slug = slug.trim_end_matches('-');
    let mut bytes = [0u8; 3];
    let _ = getrandom::fill(&mut bytes);
    let random: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if slug.is_empty() {
        format!("stsconform-{random}")
    } else {
        format!("stsconform-{slug}-{random}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels() {
        let name = namespace_name(
            "Pods are created in order, each after its predecessor is Ready (ORD-01) and more words",
        );
        assert!(name.len() <= 63, "{name}");
        assert!(
            name.starts_with("stsconform-pods-are-created-in-order"),
            "{name}"
        );
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert_ne!(
            namespace_name("x"),
            namespace_name("x"),
            "names must not repeat"
        );
    }
}
