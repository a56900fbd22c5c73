//! kube-rs against `stsconform serve`, over HTTPS with the generated CA and bearer token:
//! lists, watches, every patch type, subresources and deletes; a request without the
//! token gets 401; malformed bodies, unknown resources, wrong content types and stale
//! resourceVersions get the right `Status` and leave the server answering.
//!
//! Every test starts its own server in-process on a free loopback port.

use futures::{StreamExt as _, TryStreamExt as _};
use http_body_util::BodyExt as _;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy, WatchEvent,
    WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Value, json};
use std::time::Duration;
use stsconform::api::{self, ServeArgs, Server};
use stsconform::sim::fixtures;

/// Bounds every test.
const LIMIT: Duration = Duration::from_secs(60);

struct Fixture {
    server: Server,
    client: Client,
    _dir: tempfile::TempDir,
}

async fn config_for(server: &Server) -> Config {
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("read kubeconfig");
    Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig config")
}

async fn start(args: ServeArgs) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ServeArgs {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        pod_start: Duration::from_millis(100),
        pod_stop: Duration::from_millis(50),
        ..args
    };
    let server = api::start(&args).await.expect("serve starts");
    assert!(server.url.starts_with("https://127.0.0.1:"));
    let client = Client::try_from(config_for(&server).await).expect("client");
    Fixture {
        server,
        client,
        _dir: dir,
    }
}

fn status_of(e: kube::Error) -> (u16, String, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API Status, got {other:?}"),
    }
}

/// Sends a raw request; returns code, content type and the body as JSON (Null if not JSON).
async fn raw(
    client: &Client,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, String, Value) {
    let mut request = axum::http::Request::builder().method(method).uri(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(kube::client::Body::from(body))
        .expect("request");
    let response = client.send(request).await.expect("response");
    let code = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        code,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn wait_ready(pods: &Api<Pod>, names: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let list = pods
            .list(&ListParams::default().labels("app=nginx"))
            .await
            .expect("list pods");
        let ready: Vec<String> = list
            .items
            .iter()
            .filter(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        if ready == names {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "pods {names:?} not ready; ready: {ready:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn create_web(client: &Client, replicas: i32) -> (Api<StatefulSet>, Api<Pod>) {
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    services
        .create(&PostParams::default(), &fixtures::nginx_service())
        .await
        .expect("create service");
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "default");
    let set = fixtures::web(replicas, json!({}));
    let created = sets
        .create(&PostParams::default(), &set)
        .await
        .expect("create statefulset");
    assert_eq!(created.metadata.generation, Some(1));
    assert_eq!(
        created
            .spec
            .as_ref()
            .and_then(|s| s.update_strategy.as_ref())
            .and_then(|u| u.type_.as_deref()),
        Some("RollingUpdate"),
        "the server defaults updateStrategy"
    );
    (sets, Api::namespaced(client.clone(), "default"))
}

#[tokio::test]
async fn kube_rs_lists_watches_patches_and_deletes() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs::default()).await;
        let pods: Api<Pod> = Api::namespaced(f.client.clone(), "default");
        let initial = pods.list(&ListParams::default()).await.expect("list");
        let rv = initial.metadata.resource_version.clone().expect("list rv");

        let (sets, pods) = create_web(&f.client, 2).await;
        // Watch from the list's version: web-0 then web-1 are added and become ready.
        let mut stream = pods
            .watch(&WatchParams::default().labels("app=nginx").timeout(20), &rv)
            .await
            .expect("watch")
            .boxed();
        let mut added = Vec::new();
        let mut ready = Vec::new();
        while ready.len() < 2 {
            let event = stream
                .try_next()
                .await
                .expect("event")
                .expect("stream open");
            match event {
                WatchEvent::Added(p) => added.push(p.metadata.name.unwrap_or_default()),
                WatchEvent::Modified(p) => {
                    let name = p.metadata.name.clone().unwrap_or_default();
                    let is_ready = p
                        .status
                        .and_then(|s| s.container_statuses)
                        .is_some_and(|cs| cs.iter().all(|c| c.ready));
                    if is_ready && !ready.contains(&name) {
                        ready.push(name);
                    }
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
        assert_eq!(added, ["web-0", "web-1"]);
        assert_eq!(ready, ["web-0", "web-1"]);
        drop(stream);

        // Label and field selectors, sorted lists, paging.
        let list = pods
            .list(&ListParams::default().labels("app in (nginx),!nope"))
            .await
            .expect("list");
        let names: Vec<_> = list
            .items
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        assert_eq!(names, ["web-0", "web-1"]);
        let list = pods
            .list(&ListParams::default().fields("metadata.name=web-1"))
            .await
            .expect("field selector");
        let selected: Vec<_> = list
            .items
            .iter()
            .filter_map(|p| p.metadata.name.as_deref())
            .collect();
        assert_eq!(selected, ["web-1"]);
        let page = pods
            .list(&ListParams::default().limit(1))
            .await
            .expect("page 1");
        assert_eq!(page.items.len(), 1);
        let token = page.metadata.continue_.clone().expect("continue token");
        assert_eq!(page.metadata.remaining_item_count, Some(1));
        let page2 = pods
            .list(&ListParams::default().limit(1).continue_token(&token))
            .await
            .expect("page 2");
        assert_eq!(page2.items[0].metadata.name.as_deref(), Some("web-1"));
        assert!(page2.metadata.continue_.is_none());

        // Merge patch.
        let pp = PatchParams::default();
        let set = sets
            .patch("web", &pp, &Patch::Merge(json!({"spec": {"replicas": 3}})))
            .await
            .expect("merge patch");
        assert_eq!(set.spec.as_ref().and_then(|s| s.replicas), Some(3));
        assert_eq!(set.metadata.generation, Some(2));
        // Strategic merge patch: containers merge by name.
        let set = sets
            .patch(
                "web",
                &pp,
                &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [
                    {"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24"}
                ]}}}})),
            )
            .await
            .expect("strategic patch");
        let containers = &set
            .spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers;
        assert_eq!(containers.len(), 1);
        assert_eq!(
            containers[0].image.as_deref(),
            Some("registry.k8s.io/nginx-slim:0.24")
        );
        assert!(
            containers[0].ports.is_some(),
            "strategic merge kept the ports"
        );
        // JSON patch.
        let ops: json_patch::Patch = serde_json::from_value(json!([
            {"op": "replace", "path": "/spec/replicas", "value": 2}
        ]))
        .expect("ops");
        let set = sets
            .patch("web", &pp, &Patch::<()>::Json(ops))
            .await
            .expect("json patch");
        assert_eq!(set.spec.as_ref().and_then(|s| s.replicas), Some(2));
        // Server-side apply of a whole object: merges into the existing one.
        let applied = sets
            .patch(
                "web",
                &PatchParams::apply("stsconform-test"),
                &Patch::Apply(json!({
                    "apiVersion": "apps/v1", "kind": "StatefulSet",
                    "metadata": {"name": "web", "labels": {"tier": "web"}},
                })),
            )
            .await
            .expect("apply patch");
        assert_eq!(
            applied
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("tier"))
                .map(String::as_str),
            Some("web")
        );
        // …and creates a missing one.
        let services: Api<Service> = Api::namespaced(f.client.clone(), "default");
        let svc = services
            .patch(
                "other",
                &PatchParams::apply("stsconform-test"),
                &Patch::Apply(json!({
                    "apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "other"},
                    "spec": {"ports": [{"port": 81}], "selector": {"app": "other"}},
                })),
            )
            .await
            .expect("apply creates");
        assert!(svc.metadata.uid.is_some());
        // A no-op patch writes nothing.
        let before = sets.get("web").await.expect("get");
        let after = sets
            .patch("web", &pp, &Patch::Merge(json!({"spec": {"replicas": 2}})))
            .await
            .expect("no-op patch");
        assert_eq!(
            before.metadata.resource_version,
            after.metadata.resource_version
        );

        // The scale subresource.
        let scale = sets
            .patch_scale("web", &pp, &Patch::Merge(json!({"spec": {"replicas": 3}})))
            .await
            .expect("patch scale");
        assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(3));
        let scale = sets.get_scale("web").await.expect("get scale");
        assert_eq!(
            scale.status.as_ref().and_then(|s| s.selector.as_deref()),
            Some("app=nginx")
        );
        wait_ready(&pods, &["web-0", "web-1", "web-2"]).await;

        // The status subresource changes only status.
        let patched = pods
            .patch_status(
                "web-0",
                &pp,
                &Patch::Merge(json!({"status": {"message": "hello"}, "spec": {"hostname": "x"}})),
            )
            .await
            .expect("patch status");
        assert_eq!(
            patched.status.as_ref().and_then(|s| s.message.as_deref()),
            Some("hello")
        );
        assert_eq!(
            patched.spec.as_ref().and_then(|s| s.hostname.as_deref()),
            Some("web-0")
        );

        // Orphaning delete: the pods stay, without owner.
        let dp = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Orphan),
            ..DeleteParams::default()
        };
        sets.delete("web", &dp).await.expect("delete orphan");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let gone = sets.get_opt("web").await.expect("get").is_none();
            let list = pods
                .list(&ListParams::default().labels("app=nginx"))
                .await
                .expect("list");
            let orphans = list.items.iter().all(|p| {
                p.metadata
                    .owner_references
                    .as_ref()
                    .is_none_or(Vec::is_empty)
            });
            if gone && orphans && list.items.len() == 3 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "orphaning did not finish"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Deleting a pod (graceful): it is gone after the stop delay.
        let deleted = pods
            .delete("web-2", &DeleteParams::default())
            .await
            .expect("delete pod");
        assert!(deleted.is_left(), "a graceful delete returns the pod");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while pods.get_opt("web-2").await.expect("get").is_some() {
            assert!(tokio::time::Instant::now() < deadline, "web-2 never went");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        f.server.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn requests_without_the_token_get_401() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs::default()).await;
        let mut config = config_for(&f.server).await;
        config.auth_info.token = None;
        let anonymous = Client::try_from(config.clone()).expect("client");
        let pods: Api<Pod> = Api::namespaced(anonymous.clone(), "default");
        let (code, reason, _) = status_of(pods.list(&ListParams::default()).await.unwrap_err());
        assert_eq!((code, reason.as_str()), (401, "Unauthorized"));
        let (code, _, _) = raw(&anonymous, "GET", "/version", &[], Vec::new()).await;
        assert_eq!(code, 401);
        config.auth_info.token = Some("wrong".to_owned().into());
        let wrong = Client::try_from(config).expect("client");
        let pods: Api<Pod> = Api::namespaced(wrong, "default");
        assert_eq!(
            status_of(pods.list(&ListParams::default()).await.unwrap_err()).0,
            401
        );
        // The right token still works.
        let pods: Api<Pod> = Api::namespaced(f.client.clone(), "default");
        pods.list(&ListParams::default())
            .await
            .expect("authorized list");
        // The kubeconfig is private.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&f.server.kubeconfig)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        f.server.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn bad_requests_get_the_right_status() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs::default()).await;
        let c = &f.client;
        let json_ct = [("content-type", "application/json")];
        let sts = "/apis/apps/v1/namespaces/default/statefulsets";

        // Malformed JSON.
        let (code, _, body) = raw(c, "POST", sts, &json_ct, b"{not json".to_vec()).await;
        assert_eq!((code, body["reason"].as_str()), (400, Some("BadRequest")));
        assert_eq!(body["kind"], "Status");
        // A body of the wrong kind.
        let (code, _, _) = raw(
            c,
            "POST",
            sts,
            &json_ct,
            br#"{"apiVersion":"v1","kind":"Pod"}"#.to_vec(),
        )
        .await;
        assert_eq!(code, 400);
        // A field of the wrong type.
        let (code, _, body) = raw(
            c,
            "POST",
            sts,
            &json_ct,
            br#"{"metadata":{"name":"x"},"spec":{"replicas":"three"}}"#.to_vec(),
        )
        .await;
        assert_eq!(code, 400, "{body}");
        // Unknown fields under fieldValidation=Strict.
        let mut doc = serde_json::to_value(fixtures::web(1, json!({}))).unwrap();
        doc["spec"]["bogusField"] = json!(true);
        let (code, _, body) = raw(
            c,
            "POST",
            &format!("{sts}?fieldValidation=Strict"),
            &json_ct,
            serde_json::to_vec(&doc).unwrap(),
        )
        .await;
        assert_eq!(code, 400);
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("unknown field \"spec.bogusField\""),
            "{body}"
        );
        // Invalid objects: 422 with field causes.
        let (code, _, body) = raw(
            c,
            "POST",
            sts,
            &json_ct,
            serde_json::to_vec(&fixtures::web(-1, json!({}))).unwrap(),
        )
        .await;
        assert_eq!((code, body["reason"].as_str()), (422, Some("Invalid")));
        assert_eq!(body["details"]["causes"][0]["field"], "spec.replicas");
        // Wrong content types.
        let (code, _, body) = raw(
            c,
            "POST",
            sts,
            &[("content-type", "application/xml")],
            b"<x/>".to_vec(),
        )
        .await;
        assert_eq!(
            (code, body["reason"].as_str()),
            (415, Some("UnsupportedMediaType"))
        );
        let sets: Api<StatefulSet> = Api::namespaced(c.clone(), "default");
        let created = sets
            .create(&PostParams::default(), &fixtures::web(1, json!({})))
            .await
            .expect("create");
        let (code, _, _) = raw(
            c,
            "PATCH",
            &format!("{sts}/web"),
            &json_ct,
            br#"{"spec":{"replicas":2}}"#.to_vec(),
        )
        .await;
        assert_eq!(code, 415);
        // Malformed patches.
        let (code, _, _) = raw(
            c,
            "PATCH",
            &format!("{sts}/web"),
            &[("content-type", "application/json-patch+json")],
            br#"{"op":"replace"}"#.to_vec(),
        )
        .await;
        assert_eq!(code, 400);
        let (code, _, body) = raw(
            c,
            "PATCH",
            &format!("{sts}/web"),
            &[("content-type", "application/json-patch+json")],
            br#"[{"op":"remove","path":"/spec/nope"}]"#.to_vec(),
        )
        .await;
        assert_eq!(code, 422, "{body}");
        // Already exists.
        let (code, reason, _) = status_of(
            sets.create(&PostParams::default(), &fixtures::web(1, json!({})))
                .await
                .unwrap_err(),
        );
        assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
        // A stale resourceVersion: 409 Conflict.
        sets.patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .expect("patch");
        let (code, reason, _) = status_of(
            sets.replace("web", &PostParams::default(), &created)
                .await
                .unwrap_err(),
        );
        assert_eq!((code, reason.as_str()), (409, "Conflict"));
        // Unknown resources, groups, names and subresources.
        for path in [
            "/api/v1/widgets",
            "/apis/nope/v1/things",
            "/apis/apps/v2/statefulsets",
            "/api/v1/namespaces/default/pods/none",
            "/api/v1/namespaces/default/pods/none/scale",
            "/nothing/here",
        ] {
            let (code, _, body) = raw(c, "GET", path, &[], Vec::new()).await;
            assert_eq!(
                (code, body["reason"].as_str()),
                (404, Some("NotFound")),
                "{path}"
            );
        }
        // Unsupported verbs and representations.
        let (code, _, _) = raw(c, "POST", &format!("{sts}/web"), &json_ct, b"{}".to_vec()).await;
        assert_eq!(code, 405);
        let (code, _, _) = raw(
            c,
            "GET",
            sts,
            &[("accept", "application/vnd.kubernetes.protobuf")],
            Vec::new(),
        )
        .await;
        assert_eq!(code, 406);
        // Bodies over 3 MiB.
        let (code, _, body) = raw(c, "POST", sts, &json_ct, vec![b' '; 3 * 1024 * 1024 + 1]).await;
        assert_eq!(
            (code, body["reason"].as_str()),
            (413, Some("RequestEntityTooLarge"))
        );
        // Bad selectors and parameters.
        for query in [
            "labelSelector=a%20in%20(",
            "fieldSelector=spec.bogus%3D1",
            "continue=garbage",
            "limit=x",
        ] {
            let (code, _, _) = raw(c, "GET", &format!("{sts}?{query}"), &[], Vec::new()).await;
            assert_eq!(code, 400, "?{query}");
        }
        let (code, _, _) = raw(
            c,
            "DELETE",
            &format!("{sts}/web"),
            &json_ct,
            br#"{"propagationPolicy":"Sideways"}"#.to_vec(),
        )
        .await;
        assert_eq!(code, 400);
        // The server still answers.
        sets.get("web").await.expect("still serving");
        f.server.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn stale_resource_versions_expire() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs {
            log_window: 20,
            ..ServeArgs::default()
        })
        .await;
        let services: Api<Service> = Api::namespaced(f.client.clone(), "default");
        let first = services
            .list(&ListParams::default().limit(1))
            .await
            .expect("list");
        let old_rv = first.metadata.resource_version.clone().expect("rv");
        for i in 0..40 {
            let mut svc = fixtures::nginx_service();
            svc.metadata.name = Some(format!("svc-{i:02}"));
            services
                .create(&PostParams::default(), &svc)
                .await
                .expect("create");
        }
        let page = services
            .list(&ListParams::default().limit(5))
            .await
            .expect("page");
        let token = page.metadata.continue_.clone().expect("token");
        for i in 0..40 {
            services
                .patch(
                    &format!("svc-{i:02}"),
                    &PatchParams::default(),
                    &Patch::Merge(json!({"metadata": {"labels": {"n": i.to_string()}}})),
                )
                .await
                .expect("patch");
        }
        // A watch from a version the log no longer holds: an ERROR event with 410.
        let mut stream = services
            .watch(&WatchParams::default().timeout(5), &old_rv)
            .await
            .expect("watch opens")
            .boxed();
        match stream.next().await {
            Some(Ok(WatchEvent::Error(status))) => assert_eq!(status.code, 410),
            Some(Err(kube::Error::Api(status))) => assert_eq!(status.code, 410),
            other => panic!("expected 410, got {other:?}"),
        }
        // A continue token from a version the log no longer holds: 410 Expired.
        let (code, reason, _) = status_of(
            services
                .list(&ListParams::default().limit(5).continue_token(&token))
                .await
                .unwrap_err(),
        );
        assert_eq!((code, reason.as_str()), (410, "Expired"));
        // A fresh list and watch work.
        let list = services.list(&ListParams::default()).await.expect("list");
        assert_eq!(list.items.len(), 40);
        let rv = list.metadata.resource_version.clone().expect("rv");
        let events: Vec<_> = services
            .watch(&WatchParams::default().timeout(1), &rv)
            .await
            .expect("watch")
            .collect()
            .await;
        // Nothing changed: at most the bookmark sent as the watch times out.
        assert!(
            events
                .iter()
                .all(|e| matches!(e, Ok(WatchEvent::Bookmark(_)))),
            "{events:?}"
        );
        f.server.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn discovery_tables_and_bookmarks() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs::default()).await;
        let c = &f.client;
        let aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        let (code, ct, body) = raw(c, "GET", "/apis", &[("accept", aggregated)], Vec::new()).await;
        assert_eq!(code, 200);
        assert_eq!(ct, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        assert_eq!(body["items"][0]["metadata"]["name"], "apps");
        let old = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        let (_, ct, _) = raw(c, "GET", "/api", &[("accept", old)], Vec::new()).await;
        assert!(ct.contains("v=v2beta1"), "{ct}");
        let (_, ct, body) = raw(c, "GET", "/api", &[], Vec::new()).await;
        assert_eq!((ct.as_str(), body["kind"].as_str()), ("application/json", Some("APIVersions")));
        let (code, _, body) = raw(c, "GET", "/apis/apps/v1", &[], Vec::new()).await;
        assert_eq!(code, 200);
        assert!(body["resources"].as_array().unwrap().iter().any(|r| r["name"] == "statefulsets/scale"));
        let (code, _, body) = raw(c, "GET", "/openapi/v3", &[], Vec::new()).await;
        assert_eq!(code, 200);
        assert!(body["paths"]["api/v1"]["serverRelativeURL"].is_string());
        let (code, ct, _) = raw(c, "GET", "/openapi/v2", &[("accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")], Vec::new()).await;
        assert_eq!(code, 200);
        assert!(!ct.contains('@'));
        let (_, _, version) = raw(c, "GET", "/version", &[], Vec::new()).await;
        assert_eq!(version["major"], "1");

        let (_, pods) = create_web(c, 1).await;
        wait_ready(&pods, &["web-0"]).await;
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        let (code, _, body) = raw(
            c,
            "GET",
            "/api/v1/namespaces/default/pods?labelSelector=app%3Dnginx&limit=500",
            &[("accept", table)],
            Vec::new(),
        )
        .await;
        assert_eq!(code, 200);
        assert_eq!(body["kind"], "Table");
        assert_eq!(body["columnDefinitions"][2]["name"], "Status");
        assert_eq!(body["rows"][0]["cells"][0], "web-0");
        assert_eq!(body["rows"][0]["cells"][1], "1/1");
        assert_eq!(body["rows"][0]["cells"][2], "Running");
        assert_eq!(body["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert!(body["metadata"]["resourceVersion"].is_string());
        let (_, _, body) = raw(
            c,
            "GET",
            "/apis/apps/v1/namespaces/default/statefulsets/web",
            &[("accept", table)],
            Vec::new(),
        )
        .await;
        assert_eq!(body["rows"][0]["cells"][1], "1/1");

        // Bookmarks and timeoutSeconds.
        let rv = pods.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
        let events: Vec<_> = pods
            .watch(
                &WatchParams {
                    bookmarks: true,
                    ..WatchParams::default().timeout(1)
                },
                &rv,
            )
            .await
            .expect("watch")
            .collect()
            .await;
        assert!(
            !events.is_empty() && events.iter().all(|e| matches!(e, Ok(WatchEvent::Bookmark(_)))),
            "a bookmark before the timeout: {events:?}"
        );
        f.server.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn refuses_remote_and_plain_remote_addresses() {
    let remote = ServeArgs {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..ServeArgs::default()
    };
    assert!(matches!(
        api::start(&remote).await,
        Err(api::ServeError::NotLoopback(_))
    ));
    let plain = ServeArgs {
        listen: "0.0.0.0:0".parse().unwrap(),
        plain_http: true,
        allow_remote: true,
        ..ServeArgs::default()
    };
    assert!(matches!(
        api::start(&plain).await,
        Err(api::ServeError::PlainHttpRemote(_))
    ));
}

/// Scaling to the current size is a no-op write: the API server keeps the resourceVersion
/// (the same front answers the in-process reference target; see `sim::front`).
#[tokio::test]
async fn scaling_to_the_current_size_keeps_the_resource_version() {
    tokio::time::timeout(LIMIT, async {
        let f = start(ServeArgs::default()).await;
        let (sets, _) = create_web(&f.client, 2).await;
        let before = sets
            .get("web")
            .await
            .expect("get")
            .metadata
            .resource_version;
        let patch = Patch::Merge(json!({"spec": {"replicas": 2}}));
        let scale = sets
            .patch_scale("web", &PatchParams::default(), &patch)
            .await
            .expect("scale");
        assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
        let after = sets
            .get("web")
            .await
            .expect("get")
            .metadata
            .resource_version;
        let scaled = sets
            .patch_scale(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 3}})),
            )
            .await
            .expect("scale to 3");
        assert_eq!(scaled.spec.and_then(|s| s.replicas), Some(3));
        let changed = sets
            .get("web")
            .await
            .expect("get")
            .metadata
            .resource_version;
        f.server.stop().await;
        assert_eq!(before, after, "a no-op scale wrote a new version");
        assert_ne!(after, changed, "a real scale was not written");
    })
    .await
    .expect("within the limit");
}

/// Sends one request over HTTP/2 (prior knowledge, plain HTTP) the way curl and Go do:
/// the whole body, as fast as flow control allows, whatever the server answers meanwhile.
/// Returns code and body; a stream the server resets is an error naming the reason.
async fn h2_request(
    addr: std::net::SocketAddr,
    path: &str,
    body: &[u8],
    declare_length: bool,
) -> Result<(u16, Value), String> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (client, connection) = h2::client::handshake(stream).await.expect("h2 handshake");
    tokio::spawn(connection);
    let mut client = client.ready().await.expect("h2 ready");
    let mut request = axum::http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/json");
    if declare_length {
        request = request.header("content-length", body.len().to_string());
    }
    let (response, mut send) = client
        .send_request(request.body(()).expect("request"), false)
        .map_err(|e| format!("send_request: {e}"))?;
    for chunk in body.chunks(16 * 1024) {
        send.reserve_capacity(chunk.len());
        let mut granted = 0;
        while granted < chunk.len() {
            match std::future::poll_fn(|cx| send.poll_capacity(cx)).await {
                Some(Ok(n)) => granted = n,
                Some(Err(e)) => return Err(format!("the server reset the stream: {e}")),
                None => return Err("the stream closed while sending".into()),
            }
        }
        send.send_data(bytes::Bytes::copy_from_slice(chunk), false)
            .map_err(|e| format!("the server reset the stream: {e}"))?;
    }
    send.send_data(bytes::Bytes::new(), true)
        .map_err(|e| format!("the server reset the stream: {e}"))?;
    let response = response.await.map_err(|e| format!("no response: {e}"))?;
    let code = response.status().as_u16();
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| format!("the response body broke: {e}"))?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    Ok((code, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
}

#[tokio::test]
async fn bodies_over_the_cap_get_413_over_http2_too() {
    tokio::time::timeout(LIMIT, async {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = api::start(&ServeArgs {
            listen: "127.0.0.1:0".parse().expect("addr"),
            kubeconfig: Some(dir.path().join("kubeconfig")),
            plain_http: true,
            ..ServeArgs::default()
        })
        .await
        .expect("serve starts");
        let path = "/api/v1/namespaces/default/configmaps";
        let big = vec![b' '; 4 * 1024 * 1024];
        for declare_length in [true, false] {
            let (code, body) = h2_request(server.addr, path, &big, declare_length)
                .await
                .unwrap_or_else(|e| panic!("content-length declared: {declare_length}: {e}"));
            assert_eq!(
                (code, body["reason"].as_str()),
                (413, Some("RequestEntityTooLarge")),
                "content-length declared: {declare_length}; {body}"
            );
        }
        let (code, body) = h2_request(server.addr, path, br#"{"metadata":{"name":"small"}}"#, true)
            .await
            .expect("a small body");
        assert_eq!(code, 201, "{body}");
        server.stop().await;
    })
    .await
    .expect("test finished in time");
}
