//! The HTTP side of `serve`: the accept loop (HTTPS with the generated certificate, or
//! plain HTTP), bearer-token authentication, the 3 MiB body cap, panic containment per
//! request, and graceful shutdown that ends watches and drains connections.

use super::access::{self, Access};
use super::reply::{self, Reply};
use super::routes;
use super::state::{self, State};
use super::status::StatusError;
use crate::sim::store::Actor;
use axum::http::{Request, header};
use bytes::Bytes;
use futures::FutureExt as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// The largest request body accepted, as the API server's limit.
pub const MAX_BODY: usize = 3 * 1024 * 1024;
/// How much of an oversized body is read before the 413 (beyond it the stream is reset).
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;
/// How long reading an oversized body may take before the 413.
const DRAIN_TIME: Duration = Duration::from_secs(5);
/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for open connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// What every connection shares.
#[derive(Debug, Clone)]
pub struct App {
    /// The cluster.
    pub state: Arc<State>,
    /// The bearer token every request must carry (None: no authentication).
    pub token: Option<Arc<str>>,
    /// A second token that may only read (`--read-only-kubeconfig`).
    pub read_only_token: Option<Arc<str>>,
    /// The token of the controller under test (`--controller-kubeconfig`).
    pub controller_token: Option<Arc<str>>,
}

/// Compares without an early exit, so the token cannot be guessed byte by byte by timing.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl App {
    /// What the request's bearer token allows; None when it authenticates nobody.
    fn access(&self, request: &Request<Incoming>) -> Option<Access> {
        let Some(token) = &self.token else {
            return Some(Access::Full);
        };
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))?
            .trim()
            .as_bytes();
        if same_secret(given, token.as_bytes()) {
            Some(Access::Full)
        } else if self
            .read_only_token
            .as_ref()
            .is_some_and(|t| same_secret(given, t.as_bytes()))
        {
            Some(Access::ReadOnly)
        } else if self
            .controller_token
            .as_ref()
            .is_some_and(|t| same_secret(given, t.as_bytes()))
        {
            Some(Access::Controller)
        } else {
            None
        }
    }

    /// Serves one request; never fails and never lets a panic drop the connection.
    pub async fn serve(self, request: Request<Incoming>) -> Result<Reply, Infallible> {
        let handled = AssertUnwindSafe(self.handle(request)).catch_unwind().await;
        Ok(handled.unwrap_or_else(|_| {
            reply::error(&StatusError::internal("the server failed on this request"))
        }))
    }

    async fn handle(self, request: Request<Incoming>) -> Reply {
        let Some(access) = self.access(&request) else {
            return reply::error(&StatusError::unauthorized());
        };
        if let Err(e) = access::check(access, request.method(), request.uri().path()) {
            return reply::error(&e);
        }
        let (parts, body) = request.into_parts();
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_BODY as u64) {
            return too_large(body).await;
        }
        let mut body = body;
        let mut collected = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        if collected.len() + data.len() > MAX_BODY {
                            return too_large(body).await;
                        }
                        collected.extend_from_slice(&data);
                    }
                }
                Err(e) => {
                    return reply::error(&StatusError::bad_request(format!(
                        "failed to read the request body: {e}"
                    )));
                }
            }
        }
        let body = Bytes::from(collected);
        if parts.method == axum::http::Method::POST && parts.uri.path() == access::REVIEW_PATH {
            return access::review(access, &body);
        }
        let writer = if access == Access::Controller {
            Actor::StatefulSetController
        } else {
            Actor::User
        };
        state::WRITER
            .scope(
                writer,
                routes::handle(
                    &self.state,
                    &parts.method,
                    parts.uri.path(),
                    parts.uri.query(),
                    &parts.headers,
                    body,
                ),
            )
            .await
    }
}

/// The 413 for a body over the cap, sent after reading (and dropping) the rest of the
/// body, up to [`DRAIN_LIMIT`] bytes and [`DRAIN_TIME`]: a reply while the client is still
/// sending makes HTTP/2 reset the stream, and clients such as curl then report the reset
/// instead of the Status.
async fn too_large(mut body: Incoming) -> Reply {
    let drain = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                seen += data.len();
                if seen > DRAIN_LIMIT {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    reply::error(&StatusError::too_large(MAX_BODY))
}

/// Accepts connections until `shutdown` turns true, then drains them (bounded).
pub async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: App,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or a reset during accept: back off briefly.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request| app.clone().serve(request));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        match tls.clone() {
            None => {
                tokio::spawn(async move {
                    let conn = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .into_owned();
                    let _ = watcher.watch(conn).await;
                });
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let conn = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .into_owned();
                    let _ = watcher.watch(conn).await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }
}
