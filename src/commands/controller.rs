//! `stsconform controller`: runs the reference StatefulSet controller against a cluster
//! until SIGINT or SIGTERM (exit 0); exit 2 when it cannot start.

use super::exit;
use crate::controller::{self, Options};
use tokio::sync::watch;

/// The environment variable `gate` sets for the controller it starts: the server's
/// `--time-scale`, the default of `controller --time-scale`.
pub const TIME_SCALE_ENV: &str = "STSCONFORM_TIME_SCALE";

/// Runs the controller; returns the exit code.
pub fn run(options: Options) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return exit::ERROR;
        }
    };
    runtime.block_on(async move {
        let (stop, stopped) = watch::channel(false);
        let signals = tokio::spawn(async move {
            if let Err(e) = wait_for_signal().await {
                eprintln!("error: {e}");
            }
            let _ = stop.send(true);
        });
        let result = controller::run(options, stopped).await;
        signals.abort();
        match result {
            Ok(()) => {
                eprintln!("stsconform controller: stopped");
                exit::OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::ERROR
            }
        }
    })
}

async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}
