//! Benchmarks of `stsconform serve` (a bench target, not a test: it prints figures):
//!
//! ```text
//! cargo bench --bench serve
//! ```
//!
//! * start → first answered request (the binary as a child process, HTTPS + token);
//! * a list of 10,000 pods as JSON and as a Table;
//! * watch fan-out: events delivered per second to 100 watchers.

use futures::StreamExt as _;
use http_body_util::BodyExt as _;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use stsconform::api::{self, ServeArgs, Server};

async fn client_for(server: &Server) -> Client {
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config");
    Client::try_from(config).expect("client")
}

fn pod(name: &str) -> Pod {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9"}]},
    }))
    .expect("pod")
}

async fn start_to_first_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let kubeconfig = dir.path().join("kubeconfig");
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_stsconform"))
            .args(["serve", "--listen", "127.0.0.1:0", "--kubeconfig"])
            .arg(&kubeconfig)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        let config = Config::from_custom_kubeconfig(
            Kubeconfig::read_from(&kubeconfig).expect("kubeconfig"),
            &KubeConfigOptions::default(),
        )
        .await
        .expect("config");
        let client = Client::try_from(config).expect("client");
        client.apiserver_version().await.expect("/version answered");
        let elapsed = started.elapsed();
        best = best.min(elapsed);
        println!("start → first answered request (GET /version over HTTPS): {elapsed:?}");
        let _ = child.kill();
        let _ = child.wait();
    }
    println!("best: {best:?}");
}

async fn list_ten_thousand_pods() {
    let dir = tempfile::tempdir().expect("dir");
    let server = api::start(&ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        ..ServeArgs::default()
    })
    .await
    .expect("start");
    let client = client_for(&server).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|w| {
            let api: Api<Pod> = Api::namespaced(client.clone(), "default");
            tokio::spawn(async move {
                for i in (w..10_000).step_by(16) {
                    api.create(&PostParams::default(), &pod(&format!("bench-{i:05}")))
                        .await
                        .expect("create");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    println!(
        "created 10,000 pods through the API in {:?}",
        started.elapsed()
    );
    for (label, accept) in [
        ("JSON", "application/json"),
        (
            "Table",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        ),
    ] {
        for _ in 0..3 {
            let request = axum::http::Request::get("/api/v1/namespaces/default/pods")
                .header("accept", accept)
                .body(kube::client::Body::empty())
                .expect("request");
            let started = Instant::now();
            let response = client.send(request).await.expect("list");
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            println!(
                "list 10,000 pods as {label}: {:?} ({} bytes)",
                started.elapsed(),
                bytes.len()
            );
        }
    }
    server.stop().await;
}

async fn watch_fan_out() {
    const WATCHERS: usize = 100;
    const OBJECTS: usize = 1_000;
    let dir = tempfile::tempdir().expect("dir");
    let server = api::start(&ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        controller: api::ControllerMode::None,
        ..ServeArgs::default()
    })
    .await
    .expect("start");
    let client = client_for(&server).await;
    let api: Api<Pod> = Api::namespaced(client.clone(), "default");
    let rv = api
        .list(&Default::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let watchers: Vec<_> = (0..WATCHERS)
        .map(|_| {
            let api = api.clone();
            let rv = rv.clone();
            tokio::spawn(async move {
                let mut stream = api
                    .watch(
                        &WatchParams::default().labels("app=bench").timeout(120),
                        &rv,
                    )
                    .await
                    .expect("watch")
                    .boxed();
                let mut added = 0;
                while added < OBJECTS {
                    match stream.next().await {
                        Some(Ok(WatchEvent::Added(_))) => added += 1,
                        Some(Ok(_)) => {}
                        other => panic!("watch ended: {other:?}"),
                    }
                }
                Instant::now()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    for i in 0..OBJECTS {
        api.create(&PostParams::default(), &pod(&format!("bench-{i:05}")))
            .await
            .expect("create");
    }
    let written = started.elapsed();
    let mut last = started;
    for w in watchers {
        last = last.max(w.await.expect("watcher"));
    }
    let total = last - started;
    let delivered = WATCHERS * OBJECTS;
    println!(
        "watch fan-out: {OBJECTS} creates ({written:?}) to {WATCHERS} watchers: {delivered} ADDED events (plus kubelet MODIFIED events) in {total:?} = {:.0} events/s",
        delivered as f64 / total.as_secs_f64()
    );
    server.stop().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(start_to_first_answer());
    runtime.block_on(list_ten_thousand_pods());
    runtime.block_on(watch_fan_out());
}
