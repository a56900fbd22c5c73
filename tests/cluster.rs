//! The cluster target end to end: the built binary runs the features through kube-rs
//! against `stsconform serve` (HTTPS, bearer token) started in-process on a loopback port.
//! The whole suite passes or skips with a reason, and each scenario's timelines agree in
//! their timing-free normal form whatever the pods' start and stop times; Ctrl-C leaves no namespace behind; a
//! token without rights, an unreachable or untrusted server and a wrong token each end
//! the run at once with exit 2 and a message saying what is wrong, creating nothing.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, Namespace, Pod};
use kube::api::{Api, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use stsconform::api::{self, ControllerMode, ServeArgs, Server};
use stsconform::timeline::normal::{agrees, normal_form};

/// The serve clock's speed in these tests, and the run's: slow enough that a pod's
/// termination (1 s) outlasts how late a watch event may arrive on a loaded CI machine.
const TIME_SCALE: &str = "5";

struct Serve {
    server: Server,
    dir: tempfile::TempDir,
}

impl Serve {
    async fn start(args: ServeArgs) -> Serve {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = api::start(&ServeArgs {
            kubeconfig: Some(dir.path().join("kubeconfig")),
            time_scale: TIME_SCALE.parse().expect("scale"),
            ..args
        })
        .await
        .expect("serve starts");
        assert!(
            server.url.starts_with("https://127.0.0.1:"),
            "{}",
            server.url
        );
        Serve { server, dir }
    }

    fn kubeconfig(&self) -> &Path {
        &self.server.kubeconfig
    }

    /// A copy of the kubeconfig with `from` replaced by `to`.
    fn kubeconfig_with(&self, name: &str, from: &str, to: &str) -> PathBuf {
        let text = std::fs::read_to_string(self.kubeconfig()).expect("kubeconfig");
        assert!(text.contains(from), "{from} is not in the kubeconfig");
        let path = self.dir.path().join(name);
        std::fs::write(&path, text.replace(from, to)).expect("write kubeconfig");
        path
    }

    async fn client(&self) -> Client {
        let kubeconfig = Kubeconfig::read_from(self.kubeconfig()).expect("read kubeconfig");
        let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("config");
        Client::try_from(config).expect("client")
    }

    /// Namespaces carrying the harness's label, whatever their phase.
    async fn labelled_namespaces(&self) -> Vec<String> {
        let namespaces: Api<Namespace> = Api::all(self.client().await);
        namespaces
            .list(&ListParams::default().labels("app.kubernetes.io/managed-by=stsconform"))
            .await
            .expect("list namespaces")
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect()
    }
}

fn stsconform() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stsconform"));
    cmd.env_remove("INSTA_UPDATE")
        .env_remove("KUBECONFIG")
        .env("CI", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the binary to the end off the async runtime (serve answers on it meanwhile).
async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `(passed, failed, skipped)` from the closing line.
fn closing_line(stdout: &str) -> (usize, usize, usize) {
    let re = Regex::new(r"(?m)^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$").expect("regex");
    let caps = re
        .captures_iter(stdout)
        .last()
        .unwrap_or_else(|| panic!("no closing line in:\n{stdout}"));
    let n = |i: usize| {
        caps.get(i)
            .map_or(0, |m| m.as_str().parse().expect("count"))
    };
    (n(1), n(2), n(3))
}

fn run_on(kubeconfig: &Path) -> Command {
    let mut cmd = stsconform();
    cmd.args(["run", "--kubeconfig"]).arg(kubeconfig).args([
        "--time-scale",
        TIME_SCALE,
        "--concurrency",
        "16",
    ]);
    cmd
}

/// Acceptance 1: every scenario passes or is skipped with its reason, and the skips of the
/// two gate settings together stay within 5 % of the suite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_serve_through_the_cluster_target() {
    let total = {
        let out = output({
            let mut cmd = stsconform();
            cmd.args(["run", "--list"]);
            cmd
        })
        .await;
        text(&out.stdout)
            .lines()
            .filter(|l| l.contains(".feature:"))
            .count()
    };
    assert!(total > 150, "the suite lists {total} scenarios");

    // Three pod start and stop times, gates off; and the gate's scenarios with it on.
    let timings = [(2000, 1000), (1000, 1000), (3000, 2000)];
    let mut gates_off = Vec::new();
    for (start, stop) in timings {
        gates_off.push(
            Serve::start(ServeArgs {
                pod_start: Duration::from_millis(start),
                pod_stop: Duration::from_millis(stop),
                ..ServeArgs::default()
            })
            .await,
        );
    }
    let gates_on = Serve::start(ServeArgs {
        feature_gates: vec![("MaxUnavailableStatefulSet".into(), true)],
        ..ServeArgs::default()
    })
    .await;
    let timelines = tempfile::tempdir().expect("temp dir");
    let runs = gates_off.iter().enumerate().map(|(i, serve)| {
        let mut cmd = run_on(serve.kubeconfig());
        cmd.arg("--timelines")
            .arg(timelines.path().join(i.to_string()));
        output(cmd)
    });
    let gate_run = output({
        let mut cmd = run_on(gates_on.kubeconfig());
        cmd.args(["--tags", "@gate-MaxUnavailableStatefulSet"]);
        cmd
    });
    let (off_runs, on) = tokio::join!(futures::future::join_all(runs), gate_run);
    let on_out = text(&on.stdout);
    assert_eq!(
        on.status.code(),
        Some(0),
        "gate on:\n{on_out}\n{}",
        text(&on.stderr)
    );
    for (off, timing) in off_runs.iter().zip(timings).skip(1) {
        let out = text(&off.stdout);
        assert_eq!(
            off.status.code(),
            Some(0),
            "{timing:?}:\n{out}\n{}",
            text(&off.stderr)
        );
        assert_eq!(closing_line(&out).1, 0, "{out}");
    }
    let off = &off_runs[0];
    let off_out = text(&off.stdout);
    assert_eq!(
        off.status.code(),
        Some(0),
        "gates off:\n{off_out}\n{}",
        text(&off.stderr)
    );
    assert!(
        off_out.contains("stsconform"),
        "the target is described:\n{off_out}"
    );

    // Whatever the pods' timing, every scenario's timelines agree in their timing-free
    // normal form: each pod goes through the same states; where one timeline goes further
    // (a scenario that ends while a pod is still starting), the other is its beginning.
    let timelines_of = |i: usize| -> std::collections::BTreeMap<String, String> {
        std::fs::read_dir(timelines.path().join(i.to_string()))
            .expect("timelines written")
            .map(|e| e.expect("entry").path())
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("timeline");
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, text)
            })
            .collect()
    };
    let first = timelines_of(0);
    assert!(first.len() > 150, "{} timelines written", first.len());
    for (i, timing) in timings.iter().enumerate().skip(1) {
        let other = timelines_of(i);
        assert_eq!(other.len(), first.len(), "{timing:?}");
        for (name, text) in &first {
            let theirs = other.get(name).map(String::as_str).unwrap_or_default();
            assert!(
                agrees(text, theirs) || agrees(theirs, text),
                "{name}: pod start and stop {timing:?} ms give another normal form:\n{}\nagainst\n{}",
                normal_form(text),
                normal_form(theirs)
            );
        }
    }

    let (passed, failed, skipped) = closing_line(&off_out);
    assert_eq!((failed, passed + skipped), (0, total), "{off_out}");
    let (gate_passed, gate_failed, _) = closing_line(&on_out);
    assert_eq!(gate_failed, 0, "{on_out}");
    assert!(
        gate_passed >= 8,
        "the gate-on run passed {gate_passed}:\n{on_out}"
    );

    // Every skip names its scenario and a reason. A scenario skipped for want of the gate
    // is covered when the gate-on run (which selects those and failed none) did not skip it.
    let skip = Regex::new(r"(?m)^skipped: (features/[\w.-]+:\d+): .+: (.+)$").expect("regex");
    let skipped_off: Vec<(String, String)> = skip
        .captures_iter(&off_out)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    assert_eq!(skipped_off.len(), skipped, "{off_out}");
    let skipped_on: Vec<String> = skip
        .captures_iter(&on_out)
        .map(|c| c[1].to_owned())
        .collect();
    let skipped_in_both: Vec<&(String, String)> = skipped_off
        .iter()
        .filter(|(at, reason)| {
            !reason.contains("needs the feature gate") || skipped_on.contains(at)
        })
        .collect();
    assert!(
        skipped_in_both.len() * 20 <= total,
        "{} of {total} scenarios skipped: {skipped_in_both:#?}",
        skipped_in_both.len()
    );
    for (_, reason) in &skipped_in_both {
        assert!(
            reason.contains("models Kubernetes 1.")
                || reason.contains("describes Kubernetes up to"),
            "only other releases' scenarios stay skipped, not: {reason}"
        );
    }
    for serve in gates_off.into_iter().chain([gates_on]) {
        assert!(serve.labelled_namespaces().await.is_empty());
        serve.server.stop().await;
    }
}

/// Acceptance 3: SIGINT mid-scenario ends the run with 130 and deletes its namespaces.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_deletes_its_namespaces_and_exits_130() {
    let serve = Serve::start(ServeArgs::default()).await;
    // Real time on a fast clock is still long enough to be caught in the middle.
    let mut cmd = stsconform();
    cmd.args(["run", "--kubeconfig"])
        .arg(serve.kubeconfig())
        .args(["--concurrency", "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    let pid = i32::try_from(child.id()).expect("pid");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while seen.len() < 2 && Instant::now() < deadline {
        seen = serve.labelled_namespaces().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.len() >= 2,
        "the run created no namespaces to interrupt"
    );
    // SAFETY: sends a signal to the child this test spawned.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait")),
    )
    .await
    .expect("the run ends after SIGINT")
    .expect("join");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let left = serve.labelled_namespaces().await;
    assert!(
        left.is_empty(),
        "namespaces left behind: {left:?}\n{stderr}"
    );
    serve.server.stop().await;
}

/// Acceptance 4: a read-only token is refused before anything is created, naming what it
/// lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_rights_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().expect("temp dir");
    let serve = Serve::start(ServeArgs {
        read_only_kubeconfig: Some(dir.path().join("read-only")),
        ..ServeArgs::default()
    })
    .await;
    let read_only = serve
        .server
        .read_only_kubeconfig
        .clone()
        .expect("a read-only kubeconfig");
    let mut cmd = stsconform();
    cmd.args(["run", "--tags", "@ORD-01", "--kubeconfig"])
        .arg(&read_only);
    let out = output(cmd).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for missing in [
        "create namespaces (group core)",
        "create statefulsets (group apps)",
        "patch statefulsets/scale (group apps)",
        "delete pods (group core)",
    ] {
        assert!(stderr.contains(missing), "{missing} not named:\n{stderr}");
    }
    assert!(
        !stderr.contains("list namespaces"),
        "a granted verb named:\n{stderr}"
    );
    assert!(
        !text(&out.stdout).contains("passed"),
        "{}",
        text(&out.stdout)
    );
    let namespaces: Api<Namespace> = Api::all(serve.client().await);
    let all = namespaces.list(&ListParams::default()).await.expect("list");
    let names: Vec<String> = all
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with("stsconform-")),
        "created: {names:?}"
    );
    serve.server.stop().await;
}

/// Runs `run` on `kubeconfig` with a 3 s connect timeout; returns exit code, stderr and
/// how long it took.
async fn refused(kubeconfig: &Path) -> (Option<i32>, String, Duration) {
    let mut cmd = stsconform();
    cmd.args([
        "run",
        "--tags",
        "@ORD-01",
        "--connect-timeout",
        "3s",
        "--kubeconfig",
    ])
    .arg(kubeconfig);
    let started = Instant::now();
    let out = output(cmd).await;
    (out.status.code(), text(&out.stderr), started.elapsed())
}

/// Acceptance 5: unreachable, silent, untrusted and wrongly authenticated servers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_untrusted_and_unauthenticated_servers_end_the_run_at_once() {
    let serve = Serve::start(ServeArgs::default()).await;
    let other = Serve::start(ServeArgs::default()).await;
    let url = serve.server.url.clone();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_url = format!("https://{}", closed.local_addr().expect("addr"));
    drop(closed);
    // A port that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_url = format!("https://{}", silent.local_addr().expect("addr"));

    let token = serve.server.token.clone().expect("a token");
    let cases = [
        (
            "unreachable",
            serve.kubeconfig_with("closed", &url, &closed_url),
            "failed to reach the API server",
        ),
        (
            "silent",
            serve.kubeconfig_with("silent", &url, &silent_url),
            "no answer within 3s",
        ),
        (
            "untrusted",
            // The other server's CA does not sign this server's certificate.
            other.kubeconfig_with("untrusted", &other.server.url, &url),
            "certificate",
        ),
        (
            "wrong token",
            serve.kubeconfig_with("token", &token, "not-the-token"),
            "401",
        ),
    ];
    for (case, kubeconfig, expected) in cases {
        let (code, stderr, took) = refused(&kubeconfig).await;
        assert_eq!(code, Some(2), "{case}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{case}: {expected:?} not in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
        // The connect timeout (3 s) bounds it; the rest is the process starting.
        assert!(took < Duration::from_secs(10), "{case} took {took:?}");
    }
    drop(silent);
    assert!(serve.labelled_namespaces().await.is_empty());
    serve.server.stop().await;
    other.server.stop().await;
}

/// A pod of `set` named `name`, with the set as its controller, as a controller writes it.
fn owned_pod(name: &str, set: &StatefulSet) -> Pod {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"app": "nginx", "statefulset.kubernetes.io/pod-name": name},
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "name": set.metadata.name, "uid": set.metadata.uid,
                "controller": true, "blockOwnerDeletion": true,
            }],
        },
        "spec": {
            "hostname": name,
            "subdomain": "nginx",
            "containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}],
        },
    }))
    .expect("a pod")
}

async fn client_of(kubeconfig: &Path) -> Client {
    let kubeconfig = Kubeconfig::read_from(kubeconfig).expect("read kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config");
    Client::try_from(config).expect("client")
}

async fn violations(client: &Client) -> Vec<String> {
    let events: Api<Event> = Api::namespaced(client.clone(), "default");
    events
        .list(&ListParams::default())
        .await
        .expect("list events")
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("InvariantViolated"))
        .filter_map(|e| e.message)
        .collect()
}

/// `serve --controller none` with a token for the controller under test, and clients for a
/// user and for that controller.
async fn monitored_serve() -> (Serve, Client, Client) {
    let dir = tempfile::tempdir().expect("temp dir");
    let serve = Serve::start(ServeArgs {
        controller: ControllerMode::None,
        controller_kubeconfig: Some(dir.path().join("controller")),
        ..ServeArgs::default()
    })
    .await;
    let user = serve.client().await;
    let controller = client_of(
        serve
            .server
            .controller_kubeconfig
            .as_deref()
            .expect("a controller kubeconfig"),
    )
    .await;
    // The kubeconfig was read; the folder may go.
    drop(dir);
    (serve, user, controller)
}

/// With `--controller none`, the controller under test's writes (its own token) are judged
/// against upstream's invariants; a violation becomes a Warning Event naming the invariant
/// and the write. The same write by anyone else is not the controller's and is not judged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invariant_monitor_records_a_controller_write_that_breaks_ordered_ready() {
    let (serve, user, controller) = monitored_serve().await;
    let sets: Api<StatefulSet> = Api::namespaced(user.clone(), "default");
    let set = sets
        .create(
            &PostParams::default(),
            &stsconform::model::fixtures::web(3, serde_json::json!({})),
        )
        .await
        .expect("create the set");

    // A user creating web-2 out of order is no controller's doing.
    Api::<Pod>::namespaced(user.clone(), "default")
        .create(&PostParams::default(), &owned_pod("web-2", &set))
        .await
        .expect("the user's pod");
    assert_eq!(violations(&user).await, Vec::<String>::new());

    // The controller creating web-1 before web-0 exists breaks OrderedReady.
    Api::<Pod>::namespaced(controller, "default")
        .create(&PostParams::default(), &owned_pod("web-1", &set))
        .await
        .expect("the controller's pod");
    let found = violations(&user).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("assertMonotonicInvariants: "),
        "{found:?}"
    );
    assert!(
        found[0].contains("the controller's create of Pod web-1"),
        "{found:?}"
    );
    serve.server.stop().await;
}

/// A scenario whose controller breaks an invariant fails at its next step, saying which
/// invariant and which write: here the test plays a controller that creates web-1 first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_fails_when_the_controller_under_test_breaks_an_invariant() {
    let (serve, user, controller) = monitored_serve().await;
    let mut cmd = run_on(serve.kubeconfig());
    cmd.args(["--tags", "@ORD-01", "--name", "^Pods are created in order"]);
    let run = tokio::spawn(output(cmd));
    let sets: Api<StatefulSet> = Api::all(user);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !run.is_finished() && Instant::now() < deadline {
        for set in sets.list(&ListParams::default()).await.expect("list").items {
            let namespace = set.metadata.namespace.clone().unwrap_or_default();
            let pods: Api<Pod> = Api::namespaced(controller.clone(), &namespace);
            if pods.get_opt("web-1").await.expect("get").is_none() {
                pods.create(&PostParams::default(), &owned_pod("web-1", &set))
                    .await
                    .expect("the wrong write");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = run.await.expect("join");
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert_eq!(closing_line(&stdout), (0, 1, 0), "{stdout}");
    assert!(
        stdout.contains("InvariantViolated") && stdout.contains("assertMonotonicInvariants"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the controller's create of Pod web-1"),
        "{stdout}"
    );
    serve.server.stop().await;
}
