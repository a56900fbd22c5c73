//! Connecting to a Kubernetes API server through kube-rs, shared by the cluster target and
//! `stsconform controller`: the kubeconfig and its context, a client bounded by the
//! connect timeout, the server's release from `/version`, the feature gates it reports on
//! `/metrics`, and kube-rs errors in a user's words.

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why no connection could be made.
#[derive(Debug, Clone, thiserror::Error)]
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
}

/// A client that reached an API server, and what the server said of itself.
pub struct Connection {
    pub client: Client,
    /// The server URL.
    pub server: String,
    /// The kubeconfig context used (empty when the kubeconfig names none).
    pub context: String,
    /// The server's minor release (`/version`).
    pub minor: u32,
    /// The server's `gitVersion`.
    pub git_version: String,
}

/// Reads the kubeconfig (`path`, else `KUBECONFIG` or `~/.kube/config`), builds a client
/// for `context` (else the current one) and asks `/version`, all within `timeout`.
///
/// # Errors
/// [`ConnectError`] for a bad kubeconfig, or an unreachable, silent, untrusted or
/// refusing server, each saying what to check.
pub async fn connect(
    path: Option<&Path>,
    context: Option<&str>,
    timeout: Duration,
) -> Result<Connection, ConnectError> {
    let bad_kubeconfig = |message: String| ConnectError::Kubeconfig {
        path: path.map(Path::to_path_buf),
        message,
    };
    let kubeconfig = match path {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| bad_kubeconfig(e.to_string()))?;
    let context_name = context
        .map(str::to_owned)
        .or_else(|| kubeconfig.current_context.clone())
        .unwrap_or_default();
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..KubeConfigOptions::default()
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| bad_kubeconfig(e.to_string()))?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout.max(Duration::from_secs(300)));
    let server = config.cluster_url.to_string();
    let unreachable = |message: String| ConnectError::Unreachable {
        server: server.clone(),
        message,
    };
    let client = Client::try_from(config).map_err(|e| unreachable(e.to_string()))?;
    let info = tokio::time::timeout(timeout, client.apiserver_version())
        .await
        .map_err(|_| {
            unreachable(format!(
                "no answer within {timeout:?} (is the server running, and the address right?)"
            ))
        })?
        .map_err(|e| unreachable(explain_connect_failure(&e, timeout)))?;
    let minor = info
        .minor
        .trim_end_matches('+')
        .parse()
        .map_err(|_| unreachable(format!("it reports minor version {:?}", info.minor)))?;
    Ok(Connection {
        client,
        server,
        context: context_name,
        minor,
        git_version: info.git_version,
    })
}

/// The feature gates the server reports on `/metrics` (`kubernetes_feature_enabled`,
/// kube-apiserver 1.26+ and `serve`). Reading metrics needs a non-resource permission many
/// accounts lack; then the map is empty and release defaults (and `--gate`) decide.
pub async fn reported_gates(client: &Client, timeout: Duration) -> BTreeMap<String, bool> {
    let Ok(request) = http::Request::get("/metrics").body(Vec::new()) else {
        return BTreeMap::new();
    };
    match tokio::time::timeout(timeout, client.request_text(request)).await {
        Ok(Ok(text)) => crate::model::behaviour::gates_from_metrics(&text)
            .into_iter()
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Why the first request failed, with what to check.
fn explain_connect_failure(e: &kube::Error, timeout: Duration) -> String {
    let described = describe(e);
    if described.contains("deadline has elapsed") {
        format!(
            "no answer within {timeout:?} (is the server running, and the address right?): {described}"
        )
    } else if matches!(e, kube::Error::Api(s) if s.code == 401) {
        format!(
            "{described}: the server rejected the credentials (check the kubeconfig's token or client certificate)"
        )
    } else if described.contains("certificate") || described.contains("UnknownIssuer") {
        format!(
            "{described}: the server's certificate is not signed by the kubeconfig's certificate authority"
        )
    } else {
        described
    }
}

/// A kube-rs error in a user's words.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{} ({} {})", s.message, s.code, s.reason),
        kube::Error::HyperError(h) => format!("connection failed: {h}"),
        kube::Error::Service(s) => {
            let text = s.to_string();
            let mut source = std::error::Error::source(s.as_ref());
            let mut detail = String::new();
            while let Some(inner) = source {
                detail = inner.to_string();
                source = inner.source();
            }
            if detail.is_empty() || text.contains(&detail) {
                format!("connection failed: {text}")
            } else {
                format!("connection failed: {text}: {detail}")
            }
        }
        other => other.to_string(),
    }
}
