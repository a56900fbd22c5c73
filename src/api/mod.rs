//! `stsconform serve`: the reference cluster behind the real Kubernetes HTTP API, so real
//! `kubectl`, kube-rs and any controller written against the API can use it.
//!
//! The cluster runs on the wall clock: pods become Running and Ready `--pod-start` after
//! creation and take `--pod-stop` to terminate. It listens on loopback, over HTTPS with a
//! CA and serving certificate generated at start and a random bearer token, both written
//! into a kubeconfig (mode 0600). `--plain-http` (loopback only) drops TLS and
//! authentication, because kubectl sends no credentials over plain HTTP.
//!
//! Outside harnesses control readiness and faults through pod annotations the built-in
//! kubelet honours: `stsconform.io/ready: "false"` fails the readiness check while set,
//! `stsconform.io/fail: "true"` makes the containers exit with an error (`"evicted"`: a
//! node-pressure eviction), and images on a
//! registry ending in `.invalid` never pull (`ErrImagePull`, then `ImagePullBackOff`).
//! `--controller none` runs everything but the StatefulSet controller.
//!
//! One concept a module: [`server`] (accept loop, TLS, authentication, body cap),
//! [`tls`], [`kubeconfig`], [`state`] (the cluster and its clock), [`routes`],
//! [`discovery`], [`openapi`], [`objects`] (the verbs), [`list`], [`watch`], [`table`],
//! [`patch`], [`body`] (decoding and field validation), [`protobuf`] (kubectl 1.32+'s
//! protobuf create bodies), [`request`] (query and content
//! negotiation), [`reply`], [`status`] (errors) and [`resources`].

pub mod access;
pub mod body;
pub mod discovery;
pub mod kubeconfig;
pub mod list;
pub mod monitor;
pub mod objects;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod reply;
pub mod request;
pub mod resources;
pub mod routes;
pub mod server;
pub mod state;
pub mod status;
pub mod table;
pub mod tls;
pub mod watch;

use crate::commands::{exit, parse_duration};
use crate::model::behaviour::Behaviour;
use crate::sim::ClusterConfig;
use crate::sim::kubelet::KubeletConfig;
use crate::sim::store::LogRetention;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch as channel;

/// Parses a time scale: a finite number from 0.01 to 1000.
///
/// # Errors
/// A message for clap when it is not.
pub fn parse_time_scale(s: &str) -> Result<f64, String> {
    let scale: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number (e.g. 1, 10, 0.5)"))?;
    if scale.is_finite() && (0.01..=1000.0).contains(&scale) {
        Ok(scale)
    } else {
        Err(format!(
            "{s} is out of range: the time scale runs from 0.01 to 1000"
        ))
    }
}

/// Changes kept in the log for watches (older resourceVersions get 410 Expired).
pub const LOG_WINDOW: usize = 25_000;

/// Which StatefulSet controller runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ControllerMode {
    /// The reference StatefulSet controller.
    Builtin,
    /// None: an external controller is expected to manage StatefulSets.
    None,
}

/// Arguments of `stsconform serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; a non-loopback address needs --allow-remote. Port 0 picks a
    /// free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Where to write the kubeconfig (default: stsconform-PORT.kubeconfig in the temp dir).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Also issue a read-only token (get, list, watch) and write a kubeconfig with it here,
    /// to see how a client meets missing permissions.
    #[arg(long, value_name = "PATH")]
    pub read_only_kubeconfig: Option<PathBuf>,
    /// Also issue a token for the StatefulSet controller under test and write its kubeconfig
    /// here: with --controller none, its writes are checked against upstream's invariants
    /// and each violation is recorded as a Warning Event InvariantViolated.
    #[arg(long, value_name = "PATH")]
    pub controller_kubeconfig: Option<PathBuf>,
    /// How long pods take from creation to Running and Ready (e.g. 500ms, 2s).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub pod_start: Duration,
    /// How long pod termination takes.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub pod_stop: Duration,
    /// Which StatefulSet controller runs.
    #[arg(long, value_enum, default_value_t = ControllerMode::Builtin)]
    pub controller: ControllerMode,
    /// Serve plain HTTP without authentication (loopback only).
    #[arg(long)]
    pub plain_http: bool,
    /// Allow listening on a non-loopback address (HTTPS only).
    #[arg(long)]
    pub allow_remote: bool,
    /// Kubernetes minor release whose behaviour to model and report in /version (1.NN).
    #[arg(long, value_name = "MINOR", default_value_t = 36)]
    pub kube_minor: u32,
    /// Feature gates on or off, as kube-apiserver takes them
    /// (`MaxUnavailableStatefulSet=true`); reported on /metrics. Default: the release's.
    #[arg(long, value_name = "NAME=BOOL,…", value_delimiter = ',', value_parser = crate::model::behaviour::parse_gate)]
    pub feature_gates: Vec<(String, bool)>,
    /// Most watches open at once; more get 429 TooManyRequests.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_watches: usize,
    /// Run the cluster's clock this many times faster than the wall clock (pod start and
    /// stop, minReadySeconds, requeues, timestamps); pair with `run --time-scale`.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_time_scale)]
    pub time_scale: f64,
    /// Changes kept for watches; a watch from an older resourceVersion gets 410 Expired.
    #[arg(long, value_name = "N", default_value_t = LOG_WINDOW, hide = true)]
    pub log_window: usize,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            kubeconfig: None,
            read_only_kubeconfig: None,
            controller_kubeconfig: None,
            pod_start: Duration::from_secs(2),
            pod_stop: Duration::from_secs(1),
            controller: ControllerMode::Builtin,
            plain_http: false,
            allow_remote: false,
            kube_minor: 36,
            feature_gates: Vec::new(),
            max_watches: 1000,
            log_window: LOG_WINDOW,
            time_scale: 1.0,
        }
    }
}

/// Why `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address without --allow-remote.
    #[error(
        "refusing to listen on {0}: it is not a loopback address (pass --allow-remote to serve other machines)"
    )]
    NotLoopback(SocketAddr),
    /// --plain-http on a non-loopback address.
    #[error("refusing to serve unauthenticated plain HTTP on {0}: --plain-http is loopback only")]
    PlainHttpRemote(SocketAddr),
    /// The address could not be bound.
    #[error("failed to listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// No randomness for the token.
    #[error("failed to generate a token: {0}")]
    Random(String),
    /// The kubeconfig could not be written.
    #[error("failed to write the kubeconfig {path}: {source}")]
    Kubeconfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The async runtime or signal handling failed.
    #[error("failed to start: {0}")]
    Runtime(#[source] std::io::Error),
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT` (or `http://…`).
    pub url: String,
    /// The kubeconfig written for it.
    pub kubeconfig: PathBuf,
    /// The bearer token (None with --plain-http).
    pub token: Option<String>,
    /// The kubeconfig with the read-only token, when one was asked for.
    pub read_only_kubeconfig: Option<PathBuf>,
    /// The kubeconfig of the controller under test, when one was asked for.
    pub controller_kubeconfig: Option<PathBuf>,
    shutdown: channel::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Stops accepting, ends watches, drains connections (bounded) and stops the clock.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

fn random_token() -> Result<String, ServeError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServeError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `serve` runs with `name` on: as --feature-gates says, else the release default.
fn gate(args: &ServeArgs, name: &str) -> bool {
    args.feature_gates
        .iter()
        .rev()
        .find(|(g, _)| g == name)
        .map_or_else(
            || crate::model::behaviour::gate_default(name, args.kube_minor),
            |(_, on)| *on,
        )
}

/// The cluster configuration `serve` runs with.
pub fn cluster_config(args: &ServeArgs) -> ClusterConfig {
    ClusterConfig {
        behaviour: Behaviour {
            minor: args.kube_minor,
            max_unavailable_stateful_set: gate(args, "MaxUnavailableStatefulSet"),
        },
        kubelet: KubeletConfig {
            start_delay: args.pod_start,
            stop_delay: args.pod_stop,
            ..KubeletConfig::default()
        },
        retention: LogRetention::Window(args.log_window.max(1)),
        statefulset_controller: args.controller == ControllerMode::Builtin,
        ..ClusterConfig::default()
    }
}

/// Starts serving (within a Tokio runtime) and returns once requests are answered.
///
/// # Errors
/// [`ServeError`] for refused addresses, bind failures, TLS or kubeconfig problems.
pub async fn start(args: &ServeArgs) -> Result<Server, ServeError> {
    let loopback = args.listen.ip().is_loopback();
    if args.plain_http && !loopback {
        return Err(ServeError::PlainHttpRemote(args.listen));
    }
    if !loopback && !args.allow_remote {
        return Err(ServeError::NotLoopback(args.listen));
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: args.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::Runtime)?;
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let (tls, token, ca_pem, scheme) = if args.plain_http {
        (None, None, None, "http")
    } else {
        let certs = tls::generate(Some(addr.ip()))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&certs.config));
        (
            Some(acceptor),
            Some(random_token()?),
            Some(certs.ca_pem),
            "https",
        )
    };
    let url = format!("{scheme}://{host}:{}", addr.port());
    let path = args.kubeconfig.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("stsconform-{}.kubeconfig", addr.port()))
    });
    let read_only_token = match (&args.read_only_kubeconfig, &token) {
        (Some(_), Some(_)) => Some(random_token()?),
        _ => None,
    };
    let controller_token = match (&args.controller_kubeconfig, &token) {
        (Some(_), Some(_)) => Some(random_token()?),
        _ => None,
    };
    kubeconfig::Kubeconfig {
        server: url.clone(),
        ca_pem: ca_pem.clone(),
        token: token.clone(),
    }
    .write(&path)
    .map_err(|source| ServeError::Kubeconfig {
        path: path.clone(),
        source,
    })?;
    if let (Some(read_only_path), Some(read_only)) = (&args.read_only_kubeconfig, &read_only_token)
    {
        kubeconfig::Kubeconfig {
            server: url.clone(),
            ca_pem: ca_pem.clone(),
            token: Some(read_only.clone()),
        }
        .write(read_only_path)
        .map_err(|source| ServeError::Kubeconfig {
            path: read_only_path.clone(),
            source,
        })?;
    }
    if let (Some(path), Some(controller)) = (&args.controller_kubeconfig, &controller_token) {
        kubeconfig::Kubeconfig {
            server: url.clone(),
            ca_pem: ca_pem.clone(),
            token: Some(controller.clone()),
        }
        .write(path)
        .map_err(|source| ServeError::Kubeconfig {
            path: path.clone(),
            source,
        })?;
    }
    let (shutdown_tx, shutdown_rx) = channel::channel(false);
    let mut state = state::State::new(
        cluster_config(args),
        args.max_watches,
        args.time_scale,
        shutdown_rx.clone(),
    );
    if controller_token.is_some() && args.controller == ControllerMode::None {
        state = state.with_monitor();
    }
    let state = Arc::new(state);
    let ticker = state.spawn_ticker();
    let app = server::App {
        state,
        token: token.as_deref().map(Arc::from),
        read_only_token: read_only_token.as_deref().map(Arc::from),
        controller_token: controller_token.as_deref().map(Arc::from),
    };
    let accept = tokio::spawn(server::accept_loop(listener, tls, app, shutdown_rx));
    Ok(Server {
        addr,
        url,
        kubeconfig: path,
        token,
        read_only_kubeconfig: read_only_token.and(args.read_only_kubeconfig.clone()),
        controller_kubeconfig: controller_token.and(args.controller_kubeconfig.clone()),
        shutdown: shutdown_tx,
        tasks: vec![accept, ticker],
    })
}

async fn wait_for_signal() -> Result<(), std::io::Error> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// `stsconform serve`: runs until Ctrl-C or SIGTERM; returns the exit code.
pub fn run(args: &ServeArgs) -> i32 {
    let runtime = match crate::commands::runtime(true) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    runtime.block_on(async {
        let server = match start(args).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::ERROR;
            }
        };
        if args.plain_http {
            eprintln!(
                "WARNING: --plain-http: this API is UNAUTHENTICATED and UNENCRYPTED; any process on this machine can change the cluster"
            );
        }
        println!(
            "stsconform serve: {} ready; KUBECONFIG={}",
            server.url,
            server.kubeconfig.display()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let signal = wait_for_signal().await;
        eprintln!("stsconform serve: shutting down");
        server.stop().await;
        match signal {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: signal handling failed: {e}");
                exit::ERROR
            }
        }
    })
}
