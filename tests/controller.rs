//! `stsconform controller`: the reference StatefulSet controller as an external controller
//! over kube-rs, against `serve --controller none` started in-process on a loopback port.
//! The scenarios run through the cluster target (the built binary's `run --kubeconfig`),
//! so the only StatefulSet controller in play is the one under test; `stsconform gate`
//! does the same in one command.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use stsconform::api::{self, ControllerMode, ServeArgs, Server};
use stsconform::controller::{self, ControllerError, Options};
use stsconform::kubeclient::ConnectError;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::sync::watch;

const TIME_SCALE: f64 = 10.0;

struct Fixture {
    server: Server,
    stop: watch::Sender<bool>,
    controller: tokio::task::JoinHandle<Result<(), ControllerError>>,
    _dir: tempfile::TempDir,
}

/// Starts `serve --controller none --time-scale 10` and, unless `with_controller` is false,
/// the kube-rs controller against it.
async fn start(with_controller: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        controller: ControllerMode::None,
        time_scale: TIME_SCALE,
        ..ServeArgs::default()
    };
    let server = api::start(&args).await.expect("serve starts");
    let (stop, stopped) = watch::channel(false);
    let options = Options {
        kubeconfig: Some(server.kubeconfig.clone()),
        time_scale: TIME_SCALE,
        ..Options::default()
    };
    let controller = tokio::spawn(async move {
        if with_controller {
            controller::run(options, stopped).await
        } else {
            Ok(())
        }
    });
    Fixture {
        server,
        stop,
        controller,
        _dir: dir,
    }
}

impl Fixture {
    async fn client(&self) -> Client {
        let kubeconfig = Kubeconfig::read_from(&self.server.kubeconfig).expect("kubeconfig");
        let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("config");
        Client::try_from(config).expect("client")
    }

    /// Stops the controller (it must end cleanly) and the server.
    async fn stop(self) {
        let _ = self.stop.send(true);
        let ended = tokio::time::timeout(Duration::from_secs(10), self.controller)
            .await
            .expect("the controller stops when told");
        ended.expect("controller task").expect("the controller ran");
        self.server.stop().await;
    }
}

/// Runs the built binary's `run` through the cluster target; returns its exit code and
/// the closing `N passed, N failed[, N skipped]` line, with the whole output for failures.
async fn run_scenarios(kubeconfig: &Path, tags: &str) -> (i32, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_stsconform"))
        .args(["run", "--kubeconfig"])
        .arg(kubeconfig)
        .args(["--time-scale", "10", "--concurrency", "8", "--tags", tags])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), output)
        .await
        .expect("the run ends")
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stdout.lines().last().unwrap_or_default().to_owned();
    (
        output.status.code().unwrap_or(-1),
        last,
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

/// `(passed, failed, skipped)` from the closing line.
fn counts(line: &str) -> (u32, u32, u32) {
    let number = |word: &str| {
        line.split(", ")
            .find_map(|part| part.strip_suffix(word)?.trim().parse().ok())
            .unwrap_or(0)
    };
    (number(" passed"), number(" failed"), number(" skipped"))
}

#[test]
fn the_closing_line_is_read() {
    assert_eq!(counts("12 passed, 0 failed"), (12, 0, 0));
    assert_eq!(counts("190 passed, 2 failed, 13 skipped"), (190, 2, 13));
}

/// Ordering, rolling update, partitions, scaling, retention, adoption, availability and
/// events, each through the external controller.
const REPRESENTATIVE: &str = "@ORD-01 or @ORD-02 or @UPD-01 or @UPD-03 or @SC-01 or @RET-01 or @ADP-01 or @AVL-02 or @OND-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn representative_scenarios_pass_through_the_external_controller() {
    let fixture = start(true).await;
    let (code, last, output) = run_scenarios(&fixture.server.kubeconfig, REPRESENTATIVE).await;
    let (passed, failed, _) = counts(&last);
    assert!(
        code == 0 && passed > 0 && failed == 0,
        "exit {code}, closing line {last:?}:\n{output}"
    );
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_controller_the_scenarios_fail() {
    // The same server with no StatefulSet controller at all: no pod ever appears, so the
    // harness cannot pass by itself (what the test above shows is the controller's work).
    let fixture = start(false).await;
    let (code, last, output) =
        run_scenarios(&fixture.server.kubeconfig, "@ORD-01 and @tutorial").await;
    let (passed, failed, _) = counts(&last);
    assert!(
        code == 1 && passed == 0 && failed > 0,
        "exit {code}, closing line {last:?}:\n{output}"
    );
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controller_creates_pods_writes_status_and_records_events() {
    let fixture = start(true).await;
    let client = fixture.client().await;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "default");
    let set: StatefulSet = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}]}
            }
        }
    }))
    .expect("set");
    sets.create(&PostParams::default(), &set)
        .await
        .expect("create");
    // The controller brings both pods up, in order, and reports them in status.
    let ready = async {
        loop {
            let status = sets
                .get("web")
                .await
                .expect("get")
                .status
                .unwrap_or_default();
            if status.ready_replicas == Some(2) && status.observed_generation == Some(1) {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let status = tokio::time::timeout(Duration::from_secs(30), ready)
        .await
        .expect("status reports 2 ready replicas");
    assert_eq!(status.replicas, 2);
    assert_eq!(status.current_revision, status.update_revision);
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let mut names: Vec<String> = pods
        .list(&ListParams::default())
        .await
        .expect("pods")
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    assert_eq!(names, ["web-0", "web-1"]);
    let events: Api<Event> = Api::namespaced(client, "default");
    let created: Vec<String> = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| {
            e.source.as_ref().and_then(|s| s.component.as_deref()) == Some("statefulset-controller")
        })
        .filter_map(|e| e.message)
        .collect();
    for pod in ["web-0", "web-1"] {
        let message = format!("create Pod {pod} in StatefulSet web successful");
        assert!(created.contains(&message), "no {message:?} in {created:?}");
    }
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_namespace_the_controller_manages_only_that_namespace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        controller: ControllerMode::None,
        time_scale: TIME_SCALE,
        ..ServeArgs::default()
    };
    let server = api::start(&args).await.expect("serve starts");
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config");
    let client = Client::try_from(config).expect("client");
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let managed: k8s_openapi::api::core::v1::Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "managed"}}))
            .expect("namespace");
    namespaces
        .create(&PostParams::default(), &managed)
        .await
        .expect("create namespace");
    let (stop, stopped) = watch::channel(false);
    let options = Options {
        kubeconfig: Some(server.kubeconfig.clone()),
        namespace: Some("managed".into()),
        time_scale: TIME_SCALE,
        ..Options::default()
    };
    let controller = tokio::spawn(controller::run(options, stopped));
    let set = |name: &str| -> StatefulSet {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {
                "replicas": 1,
                "serviceName": name,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/nginx-slim:0.8"}]}
                }
            }
        }))
        .expect("set")
    };
    for namespace in ["default", "managed"] {
        Api::<StatefulSet>::namespaced(client.clone(), namespace)
            .create(&PostParams::default(), &set("web"))
            .await
            .expect("create set");
    }
    let managed_pods: Api<Pod> = Api::namespaced(client.clone(), "managed");
    let created = async {
        while managed_pods.get_opt("web-0").await.expect("get").is_none() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), created)
        .await
        .expect("the managed namespace's set gets its pod");
    // Two seconds of wall time (20 s of the server's): still nothing in the other one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let other: Api<Pod> = Api::namespaced(client, "default");
    assert!(
        other.get_opt("web-0").await.expect("get").is_none(),
        "the controller created a pod outside --namespace"
    );
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), controller)
        .await
        .expect("stops")
        .expect("task")
        .expect("ran");
    server.stop().await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A free loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {{}}\ncurrent-context: c\n"
        ),
    )
    .expect("write");
    let (_stop, stopped) = watch::channel(false);
    let options = Options {
        kubeconfig: Some(kubeconfig.clone()),
        connect_timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let error = controller::run(options, stopped)
        .await
        .expect_err("no server");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(
            error,
            ControllerError::Connect(ConnectError::Unreachable { .. })
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );

    // The command says so and exits 2.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_stsconform"))
        .args(["controller", "--connect-timeout", "2s", "--kubeconfig"])
        .arg(&kubeconfig)
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: failed to reach the API server"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_runs_until_sigterm_and_exits_0() {
    let fixture = start(false).await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_stsconform"))
        .args(["controller", "--kubeconfig"])
        .arg(&fixture.server.kubeconfig)
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawns");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let watching = async {
        while let Some(line) = lines.next_line().await.expect("reads") {
            if line.contains("stsconform controller: watching all namespaces") {
                return true;
            }
        }
        false
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(30), watching)
            .await
            .expect("starts watching"),
        "the controller ended before watching"
    );
    let pid = i32::try_from(child.id().expect("pid")).expect("pid fits");
    // SAFETY: signals the child this test spawned.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits after SIGTERM")
        .expect("status");
    assert_eq!(status.code(), Some(0));
    fixture.stop().await;
}

/// Runs `stsconform gate` with these arguments; returns exit code, closing line, stderr.
async fn gate(arguments: &[&str]) -> (i32, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_stsconform"))
        .arg("gate")
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), output)
        .await
        .expect("the gate ends")
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let last = stdout.lines().last().unwrap_or_default().to_owned();
    (
        output.status.code().unwrap_or(-1),
        last,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn gate_passes_the_reference_controller() {
    let binary = env!("CARGO_BIN_EXE_stsconform");
    let (code, last, stderr) = gate(&[
        "--time-scale",
        "10",
        "--tags",
        "@ORD-01 or @UPD-03 or @ADP-01",
        "--",
        binary,
        "controller",
    ])
    .await;
    let (passed, failed, _) = counts(&last);
    assert!(
        code == 0 && passed > 0 && failed == 0,
        "exit {code}, closing line {last:?}:\n{stderr}"
    );
    // The controller's output is kept, prefixed; it was told the time scale, and stopped.
    assert!(
        stderr.contains("[controller] stsconform controller: watching all namespaces")
            && stderr.contains("time scale 10)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[controller] stsconform controller: stopped"),
        "{stderr}"
    );
}

#[tokio::test]
async fn gate_fails_a_controller_that_does_nothing() {
    let (code, last, stderr) = gate(&[
        "--time-scale",
        "10",
        "--tags",
        "@ORD-01 and @tutorial",
        "--",
        "sleep",
        "600",
    ])
    .await;
    let (passed, failed, _) = counts(&last);
    assert!(
        code == 1 && passed == 0 && failed > 0,
        "exit {code}, closing line {last:?}:\n{stderr}"
    );
}

#[tokio::test]
async fn gate_exits_2_with_the_last_lines_of_a_controller_that_exits_early() {
    let (code, last, stderr) = gate(&[
        "--tags",
        "@ORD-01",
        "--",
        "sh",
        "-c",
        "echo starting; echo cannot watch pods >&2; exit 3",
    ])
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(last, "0 passed, 0 failed");
    assert!(
        stderr.contains("[controller] cannot watch pods"),
        "{stderr}"
    );
    let (_, tail) = stderr
        .split_once("error: the controller exited before the run ended (exit status: 3)")
        .unwrap_or_else(|| panic!("no early-exit message in:\n{stderr}"));
    assert!(
        tail.contains("  starting") && tail.contains("  cannot watch pods"),
        "{stderr}"
    );
}
