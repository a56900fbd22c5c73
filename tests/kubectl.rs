//! Real `kubectl` through the seed tutorial (StatefulSet basics) against `stsconform serve`.
//!
//! Each test starts `stsconform serve` on a free loopback port with a short pod start
//! time, writes its kubeconfig into a temporary folder and drives one real kubectl
//! release through the tutorial: apply, `get pods -w`, ordered creation, stable network
//! identity, pod deletion with stable names and claims, scaling with `kubectl scale` and
//! `kubectl patch`, rolling update with `rollout status`, partitioned staging, canary and
//! phased roll out, OnDelete, orphaning delete with adoption, cascading delete and the
//! Parallel manifest.
//!
//! The tutorial's `kubectl exec` and `kubectl run` need a container runtime, which the
//! reference cluster does not have: the same facts (hostnames, DNS subdomain) are checked
//! through the API with `-o jsonpath` instead.
//!
//! kubectl releases are the versioned binaries next to the `kubectl` on PATH
//! (`kubectl.1.32`, …). Without them the tests are skipped with a message, unless `CI`
//! is set (to anything non-empty), where a missing kubectl is a failure.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
const WAIT: Duration = Duration::from_secs(30);

/// The kubectl binary of a release, or None (with the reason) when it is not installed.
fn kubectl_binary(version: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .ok_or("no kubectl on PATH")?;
    let real = std::fs::canonicalize(&on_path).map_err(|e| e.to_string())?;
    let dir = real.parent().ok_or("kubectl has no folder")?;
    let versioned = dir.join(format!("kubectl.{version}"));
    if versioned.is_file() {
        Ok(versioned)
    } else {
        Err(format!("{} is not installed", versioned.display()))
    }
}

/// The binary, or None when the test should be skipped (never under CI=true).
fn kubectl_or_skip(version: &str) -> Option<PathBuf> {
    match kubectl_binary(version) {
        Ok(p) => Some(p),
        Err(why) => {
            // Any non-empty CI counts, as for the snapshot checks.
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!("kubectl {version} is required under CI: {why}");
            }
            eprintln!("skipping the kubectl {version} tutorial: {why}");
            None
        }
    }
}

/// A `stsconform serve` child process.
struct Serve {
    child: Child,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Serve {
    fn start() -> Serve {
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let mut child = Command::new(env!("CARGO_BIN_EXE_stsconform"))
            .args(["serve", "--listen", "127.0.0.1:0", "--kubeconfig"])
            .arg(&kubeconfig)
            .args(["--pod-start", "200ms", "--pod-stop", "100ms"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start stsconform serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("serve printed its ready line");
        assert!(
            line.contains("https://127.0.0.1:") && line.contains(&*kubeconfig.to_string_lossy()),
            "ready line: {line}"
        );
        Serve {
            child,
            kubeconfig,
            _dir: dir,
        }
    }

    /// Stops with SIGTERM and checks the exit is clean.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "serve exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs kubectl commands against one server.
struct Kubectl {
    binary: PathBuf,
    kubeconfig: PathBuf,
    cache: tempfile::TempDir,
    manifests: PathBuf,
}

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Kubectl {
    fn new(binary: PathBuf, serve: &Serve) -> Kubectl {
        Kubectl {
            binary,
            kubeconfig: serve.kubeconfig.clone(),
            cache: tempfile::tempdir().expect("cache dir"),
            manifests: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.cache.path())
            .args(args)
            .current_dir(&self.manifests)
            .stdin(Stdio::null());
        cmd
    }

    fn try_run(&self, args: &[&str]) -> Output {
        let dir = tempfile::tempdir().expect("output dir");
        let out_path = dir.path().join("out");
        let err_path = dir.path().join("err");
        let mut child = self
            .command(args)
            .stdout(std::fs::File::create(&out_path).expect("out file"))
            .stderr(std::fs::File::create(&err_path).expect("err file"))
            .spawn()
            .expect("run kubectl");
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait kubectl") {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Output {
            ok: status.is_some_and(|s| s.success()),
            stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&err_path).unwrap_or_default()
                + if status.is_none() {
                    "\n(timed out)"
                } else {
                    ""
                },
        }
    }

    /// Runs a command that must succeed; returns its standard output.
    fn run(&self, args: &[&str]) -> String {
        let out = self.try_run(args);
        assert!(
            out.ok,
            "kubectl {} failed:\n{}\n{}",
            args.join(" "),
            out.stdout,
            out.stderr
        );
        out.stdout
    }

    /// Polls `kubectl args` until `check` accepts the output.
    fn wait_for(&self, what: &str, args: &[&str], check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let out = self.try_run(args);
            if out.ok && check(&out.stdout) {
                return out.stdout;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last output of kubectl {}:\n{}\n{}",
                args.join(" "),
                out.stdout,
                out.stderr
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `name value` lines of the nginx pods for a jsonpath expression.
    fn pods(&self, expr: &str) -> String {
        let template = format!("{{range .items[*]}}{{.metadata.name}} {expr}{{\"\\n\"}}{{end}}");
        self.run(&[
            "get",
            "pods",
            "-l",
            "app=nginx",
            "-o",
            &format!("jsonpath={template}"),
        ])
    }

    fn wait_pods(&self, what: &str, expr: &str, check: impl Fn(&str) -> bool) -> String {
        let template = format!("{{range .items[*]}}{{.metadata.name}} {expr}{{\"\\n\"}}{{end}}");
        let arg = format!("jsonpath={template}");
        self.wait_for(what, &["get", "pods", "-l", "app=nginx", "-o", &arg], check)
    }

    /// Starts `kubectl get pods -w -l app=nginx`, writing into a file.
    fn watch_pods(&self, file: &Path) -> Child {
        self.command(&["get", "pods", "-w", "-l", "app=nginx"])
            .stdout(std::fs::File::create(file).expect("watch file"))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kubectl get -w")
    }
}

const READY: &str = "{.status.containerStatuses[0].ready}";
const IMAGE: &str = "{.spec.containers[0].image}";

fn lines(s: &str) -> Vec<&str> {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Waits until exactly `names` are the nginx pods and all are ready.
fn wait_ready(k: &Kubectl, names: &[&str]) {
    let expected: Vec<String> = names.iter().map(|n| format!("{n} true")).collect();
    k.wait_pods(&format!("pods {names:?} ready"), READY, |out| {
        lines(out) == expected.iter().map(String::as_str).collect::<Vec<_>>()
    });
}

fn stop_watch(mut watch: Child, file: &Path) -> String {
    let _ = watch.kill();
    let _ = watch.wait();
    std::fs::read_to_string(file).unwrap_or_default()
}

fn first_line(output: &str, needle: impl Fn(&str) -> bool) -> Option<usize> {
    output.lines().position(needle)
}

fn tutorial(version: &str) {
    let Some(binary) = kubectl_or_skip(version) else {
        return;
    };
    let serve = Serve::start();
    let k = Kubectl::new(binary, &serve);
    let scratch = tempfile::tempdir().expect("scratch dir");

    // Creating a StatefulSet, watched with `get pods -w`.
    let watch_file = scratch.path().join("watch-1.txt");
    let watch = k.watch_pods(&watch_file);
    std::thread::sleep(Duration::from_millis(500));
    let applied = k.run(&["apply", "-f", "web.yaml"]);
    assert!(applied.contains("service/nginx created"), "{applied}");
    assert!(
        applied.contains("statefulset.apps/web created"),
        "{applied}"
    );
    let status = k.run(&["rollout", "status", "sts/web", "--timeout=60s"]);
    // kubectl's StatefulSet status viewer: waiting lines while pods come up, then the
    // partitioned (partition defaults to 0) completion line.
    let mut status_lines: Vec<&str> = status.lines().collect();
    assert_eq!(
        status_lines.pop(),
        Some("partitioned roll out complete: 2 new pods have been updated..."),
        "{status}"
    );
    for line in status_lines {
        assert!(
            matches!(
                line,
                "Waiting for 2 pods to be ready..."
                    | "Waiting for 1 pods to be ready..."
                    | "Waiting for statefulset spec update to be observed..."
            ),
            "unexpected rollout status line {line:?}:\n{status}"
        );
    }
    wait_ready(&k, &["web-0", "web-1"]);
    std::thread::sleep(Duration::from_millis(300));
    let watched = stop_watch(watch, &watch_file);
    let header = watched.lines().next().unwrap_or("");
    for column in ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] {
        assert!(header.contains(column), "watch header: {watched}");
    }
    // Ordered creation: web-1 appears only once web-0 is Running and Ready.
    let web0_ready = first_line(&watched, |l| {
        l.starts_with("web-0 ") && l.contains("1/1") && l.contains("Running")
    })
    .unwrap_or_else(|| panic!("web-0 never shown Running and Ready:\n{watched}"));
    let web1_first = first_line(&watched, |l| l.starts_with("web-1 "))
        .unwrap_or_else(|| panic!("web-1 never shown:\n{watched}"));
    assert!(web0_ready < web1_first, "not ordered:\n{watched}");
    // web-0 goes Pending, ContainerCreating, Running, as a kubelet reports it.
    let web0 = |state: &str| {
        first_line(&watched, |l| l.starts_with("web-0 ") && l.contains(state))
            .unwrap_or_else(|| panic!("web-0 never shown {state}:\n{watched}"))
    };
    assert!(
        web0("Pending") < web0("ContainerCreating") && web0("ContainerCreating") < web0_ready,
        "web-0's states out of order:\n{watched}"
    );

    let get = k.run(&["get", "service", "nginx"]);
    assert!(get.contains("None") && get.contains("80/TCP"), "{get}");
    let get = k.run(&["get", "statefulset", "web"]);
    assert!(get.contains("2/2"), "{get}");

    // Stable network identity: what `kubectl exec web-N -- hostname` and `nslookup` show
    // on a real cluster, checked through the API (no container runtime here).
    let identity = k.pods("{.spec.hostname}.{.spec.subdomain}");
    assert_eq!(lines(&identity), ["web-0 web-0.nginx", "web-1 web-1.nginx"]);
    let slices = k.run(&[
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=nginx",
        "-o",
        "jsonpath={range .items[*].endpoints[*]}{.hostname}{\"\\n\"}{end}",
    ]);
    assert_eq!(lines(&slices), ["web-0", "web-1"], "{slices}");

    // Deleting the pods: they come back with the same names and claims.
    let uids_before = k.pods("{.metadata.uid}");
    let deleted = k.run(&["delete", "pod", "-l", "app=nginx"]);
    assert!(deleted.contains("pod \"web-0\" deleted"), "{deleted}");
    wait_ready(&k, &["web-0", "web-1"]);
    let uids_after = k.pods("{.metadata.uid}");
    assert_ne!(uids_before, uids_after, "pods were not recreated");
    let claims = k.pods("{.spec.volumes[?(@.name==\"www\")].persistentVolumeClaim.claimName}");
    assert_eq!(lines(&claims), ["web-0 www-web-0", "web-1 www-web-1"]);
    let pvcs = k.run(&["get", "pvc", "-l", "app=nginx"]);
    assert!(
        pvcs.contains("www-web-0") && pvcs.contains("Bound") && pvcs.contains("RWO"),
        "{pvcs}"
    );

    // Scaling up with `kubectl scale`, down with `kubectl patch`; claims are kept.
    let scaled = k.run(&["scale", "sts", "web", "--replicas=5"]);
    assert!(scaled.contains("scaled"), "{scaled}");
    wait_ready(&k, &["web-0", "web-1", "web-2", "web-3", "web-4"]);
    let patched = k.run(&["patch", "sts", "web", "-p", r#"{"spec":{"replicas":3}}"#]);
    assert!(patched.contains("patched"), "{patched}");
    wait_ready(&k, &["web-0", "web-1", "web-2"]);
    let unchanged = k.run(&["patch", "sts", "web", "-p", r#"{"spec":{"replicas":3}}"#]);
    assert!(unchanged.contains("(no change)"), "{unchanged}");
    let pvcs = k.run(&[
        "get",
        "pvc",
        "-l",
        "app=nginx",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
    ]);
    assert_eq!(
        lines(&pvcs),
        [
            "www-web-0",
            "www-web-1",
            "www-web-2",
            "www-web-3",
            "www-web-4"
        ]
    );

    // Rolling update with a JSON patch, followed by `rollout status`.
    let image = |tag: &str| format!("registry.k8s.io/nginx-slim:{tag}");
    let set_image = |tag: &str| {
        let patch = format!(
            r#"[{{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"{}"}}]"#,
            image(tag)
        );
        let out = k.run(&["patch", "statefulset", "web", "--type=json", "-p", &patch]);
        assert!(out.contains("patched"), "{out}");
    };
    set_image("0.24");
    let status = k.run(&["rollout", "status", "sts/web", "--timeout=60s"]);
    assert!(status.contains("roll out complete"), "{status}");
    let images = k.pods(IMAGE);
    assert_eq!(
        lines(&images),
        [0, 1, 2].map(|i| format!("web-{i} {}", image("0.24")))
    );
    let template = k.run(&[
        "get",
        "po",
        "web-2",
        "--template",
        "{{range $i, $c := .spec.containers}}{{$c.image}}{{end}}",
    ]);
    assert_eq!(template.trim(), image("0.24"));

    // Staging an update with a partition: nothing changes.
    let out = k.run(&[
        "patch",
        "statefulset",
        "web",
        "-p",
        r#"{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":3}}}}"#,
    ]);
    assert!(out.contains("patched"), "{out}");
    set_image("0.21");
    std::thread::sleep(Duration::from_secs(1));
    let images = k.pods(IMAGE);
    assert!(
        !images.contains("0.21"),
        "partition 3 let pods update:\n{images}"
    );

    // Canary: partition 2 updates web-2 only.
    k.run(&[
        "patch",
        "statefulset",
        "web",
        "-p",
        r#"{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}"#,
    ]);
    let expected_canary = vec![
        format!("web-0 {}", image("0.24")),
        format!("web-1 {}", image("0.24")),
        format!("web-2 {}", image("0.21")),
    ];
    k.wait_pods("the canary", IMAGE, |out| lines(out) == expected_canary);
    wait_ready(&k, &["web-0", "web-1", "web-2"]);

    // Phased roll out: partition 0 updates the rest.
    k.run(&[
        "patch",
        "statefulset",
        "web",
        "-p",
        r#"{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}}}}"#,
    ]);
    let status = k.run(&["rollout", "status", "sts/web", "--timeout=60s"]);
    assert!(status.contains("roll out complete"), "{status}");
    let all_new = [0, 1, 2].map(|i| format!("web-{i} {}", image("0.21")));
    k.wait_pods("the phased roll out", IMAGE, |out| lines(out) == all_new);

    // OnDelete: a new template reaches a pod only when it is deleted.
    k.run(&[
        "patch",
        "statefulset",
        "web",
        "-p",
        r#"{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}"#,
    ]);
    set_image("0.20");
    std::thread::sleep(Duration::from_secs(1));
    assert!(!k.pods(IMAGE).contains("0.20"), "OnDelete updated pods");
    k.run(&["delete", "pod", "web-0"]);
    let expected_ondelete = vec![
        format!("web-0 {}", image("0.20")),
        format!("web-1 {}", image("0.21")),
        format!("web-2 {}", image("0.21")),
    ];
    k.wait_pods("web-0 recreated from the new template", IMAGE, |out| {
        lines(out) == expected_ondelete
    });
    wait_ready(&k, &["web-0", "web-1", "web-2"]);

    // Non-cascading delete: the pods stay, orphaned; re-applying adopts them.
    let out = k.run(&["delete", "statefulset", "web", "--cascade=orphan"]);
    assert!(out.contains("deleted"), "{out}");
    let owners = k.pods("{.metadata.ownerReferences[0].name}");
    assert_eq!(lines(&owners), ["web-0", "web-1", "web-2"], "still owned");
    k.run(&["delete", "pod", "web-0"]);
    k.wait_pods("web-0 gone for good", READY, |out| {
        !out.contains("web-0") && lines(out).len() == 2
    });
    let applied = k.run(&["apply", "-f", "web.yaml"]);
    assert!(
        applied.contains("statefulset.apps/web created"),
        "{applied}"
    );
    // web.yaml asks for 2 replicas: web-0 comes back, web-2 goes, web-1 is adopted.
    wait_ready(&k, &["web-0", "web-1"]);
    let uid = k.run(&["get", "sts", "web", "-o", "jsonpath={.metadata.uid}"]);
    let owners = k.pods("{.metadata.ownerReferences[0].uid}");
    assert_eq!(
        lines(&owners),
        [format!("web-0 {uid}"), format!("web-1 {uid}")]
    );
    let reapplied = k.run(&["apply", "-f", "web.yaml"]);
    assert!(reapplied.contains("unchanged"), "{reapplied}");

    // Cascading delete: the pods go, the claims stay.
    let out = k.run(&["delete", "statefulset", "web"]);
    assert!(out.contains("deleted"), "{out}");
    k.wait_pods("all pods gone", READY, |out| out.trim().is_empty());
    let pvcs = k.run(&["get", "pvc", "-l", "app=nginx", "-o", "name"]);
    assert_eq!(lines(&pvcs).len(), 5, "{pvcs}");
    k.run(&["delete", "service", "nginx"]);

    // Parallel pod management: both pods start without waiting for each other.
    let watch_file = scratch.path().join("watch-2.txt");
    let watch = k.watch_pods(&watch_file);
    std::thread::sleep(Duration::from_millis(500));
    let applied = k.run(&["apply", "-f", "web-parallel.yaml"]);
    assert!(
        applied.contains("statefulset.apps/web created"),
        "{applied}"
    );
    wait_ready(&k, &["web-0", "web-1"]);
    std::thread::sleep(Duration::from_millis(300));
    let watched = stop_watch(watch, &watch_file);
    let web0_ready = first_line(&watched, |l| l.starts_with("web-0 ") && l.contains("1/1"))
        .unwrap_or_else(|| panic!("web-0 never ready:\n{watched}"));
    let web1_first = first_line(&watched, |l| l.starts_with("web-1 "))
        .unwrap_or_else(|| panic!("web-1 never shown:\n{watched}"));
    assert!(web1_first < web0_ready, "Parallel waited:\n{watched}");
    k.run(&["scale", "sts", "web", "--replicas=4"]);
    wait_ready(&k, &["web-0", "web-1", "web-2", "web-3"]);
    k.run(&["delete", "sts", "web"]);
    k.wait_pods("all pods gone", READY, |out| out.trim().is_empty());
    k.run(&["delete", "svc", "nginx"]);
    k.run(&["delete", "pvc", "-l", "app=nginx"]);
    k.wait_for("claims deleted", &["get", "pvc", "-o", "name"], |out| {
        out.trim().is_empty()
    });

    serve.stop();
}

#[test]
fn tutorial_with_kubectl_1_32() {
    tutorial("1.32");
}

#[test]
fn tutorial_with_kubectl_1_27() {
    tutorial("1.27");
}

#[test]
fn tutorial_with_kubectl_1_33() {
    tutorial("1.33");
}

/// kubectl 1.32+ sends `create namespace|service|configmap|secret` as protobuf; `serve`
/// decodes them and stores ConfigMaps and Secrets as plain objects; the simulated node
/// is a Node.
fn create_with_protobuf(version: &str) {
    let Some(binary) = kubectl_or_skip(version) else {
        return;
    };
    let serve = Serve::start();
    let k = Kubectl::new(binary, &serve);
    assert!(
        k.run(&["create", "namespace", "foo"])
            .contains("namespace/foo created")
    );
    assert_eq!(
        k.run(&["get", "namespace", "foo", "-o", "jsonpath={.metadata.name}"]),
        "foo"
    );
    assert!(
        k.run(&[
            "create",
            "service",
            "clusterip",
            "nginx",
            "--tcp=80:8080",
            "-n",
            "foo"
        ])
        .contains("service/nginx created")
    );
    assert_eq!(
        k.run(&[
            "get",
            "service",
            "nginx",
            "-n",
            "foo",
            "-o",
            "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}"
        ]),
        "80 8080 nginx"
    );
    assert!(
        k.run(&[
            "create",
            "configmap",
            "settings",
            "--from-literal=a=b",
            "-n",
            "foo"
        ])
        .contains("configmap/settings created")
    );
    assert_eq!(
        k.run(&[
            "get",
            "configmap",
            "settings",
            "-n",
            "foo",
            "-o",
            "jsonpath={.data.a}"
        ]),
        "b"
    );
    let table = k.run(&["get", "configmaps", "-n", "foo"]);
    assert!(
        table.contains("NAME") && table.contains("DATA") && table.contains("settings"),
        "{table}"
    );
    assert!(
        k.run(&[
            "create",
            "secret",
            "generic",
            "token",
            "--from-literal=t=s3cr3t",
            "-n",
            "foo"
        ])
        .contains("secret/token created")
    );
    assert_eq!(
        k.run(&[
            "get",
            "secret",
            "token",
            "-n",
            "foo",
            "-o",
            "jsonpath={.data.t}"
        ]),
        "czNjcjN0"
    );
    let nodes = k.run(&["get", "nodes"]);
    assert!(
        nodes.contains("sim-node-1") && nodes.contains("Ready"),
        "{nodes}"
    );
    serve.stop();
}

#[test]
fn create_with_protobuf_bodies_with_kubectl_1_33() {
    create_with_protobuf("1.33");
}

#[test]
fn create_with_protobuf_bodies_with_kubectl_1_32() {
    create_with_protobuf("1.32");
}
