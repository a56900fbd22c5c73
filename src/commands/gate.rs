//! `stsconform gate [run options] -- CMD ARGS…`: the CI gate for a StatefulSet controller.
//! Starts `serve --controller none` in-process on a free loopback port, starts `CMD` with
//! `KUBECONFIG` pointing at it (its output prefixed `[controller] ` on standard error),
//! runs the selected scenarios through the cluster target, then stops the controller and
//! the server. Exits as `run` does; 2 when the controller cannot start or exits before
//! the run ends (its last lines shown).

use super::controller::TIME_SCALE_ENV;
use super::exit;
use crate::api::{self, ServeArgs};
use crate::runner::{self, RunOptions, choice::ClusterRun};
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// How many of the controller's last lines an early exit shows.
const LAST_LINES: usize = 20;
/// How long the controller may take to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// What `gate` runs.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// The scenarios and how to run them; `cluster` is completed with the server's
    /// kubeconfig.
    pub run: RunOptions,
    /// The cluster target's settings (its kubeconfig is the server's).
    pub cluster: ClusterRun,
    /// The server (`controller` is forced to none, `listen` to a free loopback port).
    pub serve: ServeArgs,
    /// The controller's command line.
    pub command: Vec<String>,
}

/// The controller's output lines, the last few kept.
#[derive(Debug, Default)]
struct Tail(Mutex<VecDeque<String>>);

impl Tail {
    fn push(&self, line: String) {
        let mut lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() == LAST_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// Copies one of the controller's streams to standard error, prefixed, keeping the tail.
fn relay(
    stream: impl AsyncRead + Unpin + Send + 'static,
    tail: Arc<Tail>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[controller] {line}");
            tail.push(line);
        }
    })
}

/// Runs the gate; returns the exit code.
pub fn run(options: GateOptions) -> i32 {
    let runtime = match super::runtime(true) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    runtime.block_on(gate(options))
}

async fn gate(options: GateOptions) -> i32 {
    let Some((program, arguments)) = options.command.split_first() else {
        eprintln!("error: no controller command given (stsconform gate [options] -- CMD ARGS…)");
        return exit::ERROR;
    };
    // The controller gets its own token, so serve's invariant monitor knows its writes.
    let controller_kubeconfig = std::env::temp_dir().join(format!(
        "stsconform-gate-{}.controller.kubeconfig",
        std::process::id()
    ));
    let serve = ServeArgs {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        controller: api::ControllerMode::None,
        controller_kubeconfig: Some(controller_kubeconfig.clone()),
        ..options.serve.clone()
    };
    let server = match api::start(&serve).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: failed to start the API server: {e}");
            return exit::ERROR;
        }
    };
    let kubeconfig = server.kubeconfig.clone();
    eprintln!(
        "stsconform gate: serve --controller none on {} (time scale {}); controller: {}",
        server.url,
        serve.time_scale,
        options.command.join(" ")
    );
    let code = with_server(
        &options,
        program,
        arguments,
        &kubeconfig,
        &controller_kubeconfig,
    )
    .await;
    server.stop().await;
    let _ = std::fs::remove_file(&kubeconfig);
    let _ = std::fs::remove_file(&controller_kubeconfig);
    code
}

async fn with_server(
    options: &GateOptions,
    program: &str,
    arguments: &[String],
    kubeconfig: &std::path::Path,
    controller_kubeconfig: &std::path::Path,
) -> i32 {
    let spawned = Command::new(program)
        .args(arguments)
        .env("KUBECONFIG", controller_kubeconfig)
        .env(TIME_SCALE_ENV, options.serve.time_scale.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: Ctrl-C reaches the run, which stops it in order.
        .process_group(0)
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            eprintln!("error: failed to start the controller {program:?}: {e}");
            return exit::ERROR;
        }
    };
    let tail = Arc::new(Tail::default());
    let relays: Vec<_> = [
        child.stdout.take().map(|s| relay(s, Arc::clone(&tail))),
        child.stderr.take().map(|s| relay(s, Arc::clone(&tail))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut run_options = options.run.clone();
    let mut cluster = options.cluster.clone();
    cluster.options.kubeconfig = Some(kubeconfig.to_owned());
    cluster.options.time_scale = options.serve.time_scale;
    run_options.cluster = Some(cluster);
    let code = tokio::select! {
        outcome = runner::run(&run_options) => match outcome {
            Ok(outcome) => {
                if outcome.selected == 0 {
                    eprintln!("error: no scenario matches the selection (check --tags and --name)");
                }
                println!("{}", outcome.summary());
                outcome.exit_code()
            }
            Err(e) => {
                eprintln!("error: {e}");
                println!("0 passed, 0 failed");
                exit::ERROR
            }
        },
        status = child.wait() => {
            for relay in relays {
                let _ = relay.await;
            }
            let how = match status {
                Ok(status) => status.to_string(),
                Err(e) => e.to_string(),
            };
            eprintln!("error: the controller exited before the run ended ({how}); its last lines:");
            for line in tail.lines() {
                eprintln!("  {line}");
            }
            println!("0 passed, 0 failed");
            return exit::ERROR;
        }
    };
    stop(&mut child).await;
    for relay in relays {
        let _ = relay.await;
    }
    code
}

/// SIGTERM, then SIGKILL after the grace period.
async fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: signals the child process this command spawned (still running: not reaped).
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        eprintln!("stsconform gate: the controller did not stop within {STOP_GRACE:?}; killing it");
        let _ = child.kill().await;
    }
}
