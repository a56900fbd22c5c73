//! kubectl's pod columns: READY, STATUS and RESTARTS computed as the API server's table
//! printer does (`pkg/printers/internalversion/printers.go printPod`), so timelines and
//! `serve`'s Tables show what `kubectl get pods` shows.

use k8s_openapi::api::core::v1::Pod;

/// READY: ready containers / containers.
pub fn ready_column(pod: &Pod) -> String {
    let total = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().filter(|c| c.ready).count());
    format!("{ready}/{total}")
}

/// RESTARTS: the sum of container restart counts.
pub fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum())
}

/// STATUS as kubectl prints it: the phase, refined by the pod's reason, container waiting
/// and terminated reasons, and `Terminating` once a deletion started.
// upstream: pkg/printers/internalversion/printers.go printPod
pub fn pod_status(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let mut reason = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    if let Some(r) = status
        .and_then(|s| s.reason.clone())
        .filter(|r| !r.is_empty())
    {
        reason = r;
    }
    let mut has_running = false;
    let statuses = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or(&[]);
    for c in statuses.iter().rev() {
        let state = c.state.as_ref();
        if let Some(w) = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty())
        {
            reason = w;
        } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            reason = match t.reason.clone().filter(|r| !r.is_empty()) {
                Some(r) => r,
                None if t.signal.is_some_and(|s| s != 0) => {
                    format!("Signal:{}", t.signal.unwrap_or(0))
                }
                None => format!("ExitCode:{}", t.exit_code),
            };
        } else if c.ready && state.is_some_and(|s| s.running.is_some()) {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        reason = if ready { "Running" } else { "NotReady" }.into();
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    reason
}
