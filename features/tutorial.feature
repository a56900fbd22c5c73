@tutorial
Feature: The StatefulSet basics tutorial
  The seed's "basic StatefulSet" tutorial, section by section: create the nginx
  Service and the web StatefulSet from web.yaml, watch the pods come up in order, look
  at their names, hostnames, DNS records and claims, scale up and down, update with
  RollingUpdate, partitions and OnDelete, delete without and with cascading, and
  finally do it all again with Parallel pod management.

  Where the tutorial is wrong, the scenario checks what Kubernetes really does and
  says so:
  * 1.3 calls the headless Service's name a CNAME pointing to SRV records. The Service
    name has A records, one per ready pod; the SRV records live under
    _<port>._<proto>.<service>, one per ready pod, and point at the pods' own names.
  * 3.1 says a pod that has not yet received the update is "restored to the previous
    version" when it fails. Not with the defaulted partition 0: every pod recreated
    during the rollout gets the new revision.
  * 3.5 selects OnDelete through .spec.template.updateStrategy.type. The field is
    .spec.updateStrategy.type.
  * 4.1 uses --cascade=false, the deprecated spelling of --cascade=orphan.
  * 4.2 shows (and 5 describes) the pods being terminated one at a time in reverse
    order after a cascading delete. The garbage collector deletes them all at once, in
    no guaranteed order; only scaling to 0 first gives ordered termination.

  Rule: Sections 1 to 4 use the web StatefulSet of web.yaml

    Background:
      Given I apply the manifest:
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels:
            app: nginx
        spec:
          ports:
          - port: 80
            name: web
          clusterIP: None
          selector:
            app: nginx
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: "nginx"
          replicas: 2
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: k8s.gcr.io/nginx-slim:0.8
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ "ReadWriteOnce" ]
              resources:
                requests:
                  storage: 1Gi
        """

    @ORD-01 @DEL-04
    Scenario: 1 - Creating a StatefulSet
      Then the Service "nginx" still exists
      And the scale of "web" reports 2 desired and 1 current replica with selector "app=nginx"
      And eventually the pods are web-0 and web-1, all Running and Ready
      And the scale of "web" reports 2 desired and 2 current replicas with selector "app=nginx"

    @ORD-01
    Scenario: 1.1 - Ordered pod creation
      Then pods web-0 and web-1 become Running and Ready in that order
      And pod "web-1" is not created before "web-0" is Running and Ready

    @ID-01 @LBL-01 @LBL-02 @LBL-05
    Scenario: 1.2 - Examining the pods' ordinal index
      Then eventually the pods are web-0 and web-1, all Running and Ready
      And every pod of "web" carries its own name in the pod-name label and its ordinal in the pod-index label
      And pod "web-0" is controlled by the StatefulSet "web"
      And pod "web-1" is controlled by the StatefulSet "web"

    @ID-04 @DNS-01 @DNS-02 @DNS-04 @ORD-09
    Scenario: 1.3 - Using stable network identities
      Given pods web-0 and web-1 are Running and Ready
      Then pod "web-0" has the hostname "web-0" and the subdomain "nginx"
      And pod "web-1" has the hostname "web-1" and the subdomain "nginx"
      And "web-0.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-0"
      And "web-1.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-1"
      And "nginx.<namespace>.svc.cluster.local" resolves to 2 addresses
      And the SRV records of "_web._tcp.nginx.<namespace>.svc.cluster.local" are:
        """
        web-0.nginx.<namespace>.svc.cluster.local:80
        web-1.nginx.<namespace>.svc.cluster.local:80
        """
      When I delete the pods web-0 and web-1
      Then eventually the pods are web-0 and web-1, all Running and Ready
      And pod "web-0" has the hostname "web-0" and the subdomain "nginx"
      And pod "web-1" has the hostname "web-1" and the subdomain "nginx"
      And "web-0.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-0"
      And "web-1.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-1"
      When pod "web-1" fails its readiness check
      Then pod "web-1" becomes not ready
      And "web-1.nginx.<namespace>.svc.cluster.local" does not resolve
      And "nginx.<namespace>.svc.cluster.local" resolves to 1 address
      And the SRV records of "_web._tcp.nginx.<namespace>.svc.cluster.local" are:
        """
        web-0.nginx.<namespace>.svc.cluster.local:80
        """

    @PVC-01 @PVC-06 @ORD-09
    Scenario: 1.4 - Writing to stable storage
      Given pods web-0 and web-1 are Running and Ready
      Then the claims are www-web-0 and www-web-1
      And claims www-web-0 and www-web-1 are Bound
      And pod "web-0" uses the claim "www-web-0" as volume "www"
      And pod "web-1" uses the claim "www-web-1" as volume "www"
      When I note the volume of claim "www-web-0"
      And I note the volume of claim "www-web-1"
      And I note the uid of pod "web-0"
      And I delete the pods web-0 and web-1
      Then pod "web-0" has a new uid
      And eventually the pods are web-0 and web-1, all Running and Ready
      And the claims are www-web-0 and www-web-1
      And pod "web-0" uses the claim "www-web-0" as volume "www"
      And pod "web-1" uses the claim "www-web-1" as volume "www"
      And claim "www-web-0" is still bound to the same volume
      And claim "www-web-1" is still bound to the same volume

    @ORD-01 @SC-01
    Scenario: 2.1 - Scaling up with kubectl scale
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 5 replicas
      Then pods web-2, web-3 and web-4 become Running and Ready in that order
      And pod "web-3" is not created before "web-2" is Running and Ready
      And pod "web-4" is not created before "web-3" is Running and Ready

    @ORD-06 @PVC-05
    Scenario: 2.2 to 2.4 - Scaling down terminates pods in reverse order and keeps their claims
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 5 replicas
      Then eventually the pods are web-0, web-1, web-2, web-3 and web-4, all Running and Ready
      When I patch "web" with:
        """
        {"spec":{"replicas":3}}
        """
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      And pods were deleted in the order web-4 and web-3
      And pod "web-3" does not start terminating before "web-4" is gone
      And the claims are www-web-0, www-web-1, www-web-2, www-web-3 and www-web-4

    @UPD-02 @UPD-03 @UPD-09 @UPD-13
    Scenario: 3.1 - Rolling update in reverse ordinal order
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate"}}}
        """
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"gcr.io/google_containers/nginx-slim:0.8"}]
        """
      Then eventually pods web-0, web-1 and web-2 run the image "gcr.io/google_containers/nginx-slim:0.8" and are Running and Ready
      And pods were deleted in the order web-2, web-1 and web-0
      And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
      And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds
      And at most 1 pod of "web" is unavailable at any time
      And pods web-0, web-1 and web-2 are at revision rev2
      And eventually the status of "web" is:
        | field           | value |
        | currentRevision | rev2  |
        | updateRevision  | rev2  |
        | currentReplicas | 3     |
        | updatedReplicas | 3     |

    @UPD-08 @ORD-03 @unverified
    Scenario: 3.1 erratum - A pod deleted before the rollout reaches it comes back at the new revision
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When pod "web-2" fails its readiness check
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"gcr.io/google_containers/nginx-slim:0.8"}]
        """
      Then currentRevision and updateRevision of "web" differ
      And pods web-0, web-1 and web-2 are at revision rev1
      When I delete the pod "web-0"
      Then eventually pods web-0 run the image "gcr.io/google_containers/nginx-slim:0.8" and are Running and Ready
      And pods web-0 are at revision rev2
      And pods web-1 and web-2 are at revision rev1
      When pod "web-2" passes its readiness check again
      Then eventually pods web-0, web-1 and web-2 run the image "gcr.io/google_containers/nginx-slim:0.8" and are Running and Ready
      And eventually currentRevision and updateRevision of "web" are equal

    @UPD-04 @UPD-05 @UPD-10
    Scenario: 3.2 - Staging an update with a partition
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I note the uid of pod "web-2"
      And I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":3}}}}
        """
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"k8s.gcr.io/nginx-slim:0.7"}]
        """
      Then pod "web-2" keeps its uid for 30 seconds
      And the status of "web" is:
        | field           | value |
        | currentRevision | rev1  |
        | updateRevision  | rev2  |
      When I delete the pod "web-2"
      Then pod "web-2" has a new uid
      And eventually the pods are web-0, web-1 and web-2, all Running and Ready
      And pods web-0, web-1 and web-2 run the image "k8s.gcr.io/nginx-slim:0.8"
      And pods web-0, web-1 and web-2 are at revision rev1

    @UPD-04 @UPD-06
    Scenario: 3.3 - Rolling out a canary
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":3}}}}
        """
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"k8s.gcr.io/nginx-slim:0.7"}]
        """
      And I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}
        """
      Then eventually pods web-2 run the image "k8s.gcr.io/nginx-slim:0.7" and are Running and Ready
      And pods web-0 and web-1 run the image "k8s.gcr.io/nginx-slim:0.8"
      When I delete the pod "web-1"
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      And pods web-0 and web-1 run the image "k8s.gcr.io/nginx-slim:0.8"
      And pods web-0 and web-1 are at revision rev1
      And pods web-2 are at revision rev2

    @UPD-06 @UPD-09
    Scenario: 3.4 - Phased roll out
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}
        """
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"k8s.gcr.io/nginx-slim:0.7"}]
        """
      Then eventually pods web-2 run the image "k8s.gcr.io/nginx-slim:0.7" and are Running and Ready
      When I patch "web" with:
        """
        {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}}}}
        """
      Then eventually pods web-0, web-1 and web-2 run the image "k8s.gcr.io/nginx-slim:0.7" and are Running and Ready
      And pods were deleted in the order web-2, web-1 and web-0
      And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
      And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds
      And at most 1 pod of "web" is unavailable at any time
      And eventually the status of "web" is:
        | field           | value |
        | currentRevision | rev2  |
        | updateRevision  | rev2  |

    @OND-01
    Scenario: 3.5 - On Delete, selected through .spec.updateStrategy.type
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I set the update strategy of "web" to OnDelete
      Then the StatefulSet "web" has the field "spec.updateStrategy.type" set to "OnDelete"
      When I note the uid of pod "web-0"
      And I patch "web" with the JSON patch:
        """
        [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"k8s.gcr.io/nginx-slim:0.7"}]
        """
      Then pod "web-0" keeps its uid for 60 seconds
      And pods web-0, web-1 and web-2 run the image "k8s.gcr.io/nginx-slim:0.8"
      And the status of "web" is:
        | field           | value |
        | currentRevision | rev1  |
        | updateRevision  | rev2  |
      When I delete the pod "web-1"
      Then eventually pods web-1 run the image "k8s.gcr.io/nginx-slim:0.7" and are Running and Ready
      And pods web-0 and web-2 run the image "k8s.gcr.io/nginx-slim:0.8"
      And pods web-1 are at revision rev2

    @DEL-03 @ADP-01 @ADP-03 @REV-06 @PVC-06
    Scenario: 4.1 - Non-cascading delete, then re-creating the StatefulSet adopts the pods
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 3 replicas
      Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
      When I note the volume of claim "www-web-0"
      And I delete the StatefulSet "web" with propagation Orphan
      Then the StatefulSet "web" is gone
      And eventually the pods are web-0, web-1 and web-2, all Running and Ready
      And pod "web-0" has no owner
      And pod "web-1" has no owner
      And pod "web-2" has no owner
      When I delete the pod "web-0"
      Then eventually the pods are web-1 and web-2
      And the pods stay web-1 and web-2 for 30 seconds
      When I note the uid of pod "web-1"
      And I apply the manifest:
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels:
            app: nginx
        spec:
          ports:
          - port: 80
            name: web
          clusterIP: None
          selector:
            app: nginx
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: "nginx"
          replicas: 2
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: k8s.gcr.io/nginx-slim:0.8
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ "ReadWriteOnce" ]
              resources:
                requests:
                  storage: 1Gi
        """
      Then eventually the pods are web-0 and web-1, all Running and Ready
      And pod "web-1" keeps its uid for 10 seconds
      And pod "web-1" is controlled by the StatefulSet "web"
      And pod "web-0" is controlled by the StatefulSet "web"
      And pod "web-2" does not start terminating before "web-0" is Running and Ready
      And pod "web-0" uses the claim "www-web-0" as volume "www"
      And claim "www-web-0" is still bound to the same volume

    @DEL-01 @DEL-04 @PVC-05 @PVC-06
    Scenario: 4.2 - Cascading delete removes the pods all at once, but not the Service or the claims
      Given pods web-0 and web-1 are Running and Ready
      When I note the volume of claim "www-web-0"
      And I note the volume of claim "www-web-1"
      And I delete the StatefulSet "web"
      Then pods web-0 and web-1 are terminating at the same time
      And eventually there are no pods
      And the StatefulSet "web" is gone
      And the Service "nginx" still exists
      And the claims are www-web-0 and www-web-1
      When I delete the Service "nginx"
      And I apply the manifest:
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels:
            app: nginx
        spec:
          ports:
          - port: 80
            name: web
          clusterIP: None
          selector:
            app: nginx
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: "nginx"
          replicas: 2
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: k8s.gcr.io/nginx-slim:0.8
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ "ReadWriteOnce" ]
              resources:
                requests:
                  storage: 1Gi
        """
      Then eventually the pods are web-0 and web-1, all Running and Ready
      And pod "web-0" uses the claim "www-web-0" as volume "www"
      And pod "web-1" uses the claim "www-web-1" as volume "www"
      And claim "www-web-0" is still bound to the same volume
      And claim "www-web-1" is still bound to the same volume

  Rule: Section 5 uses web-parallel.yaml, with Parallel pod management

    Background:
      Given I apply the manifest:
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels:
            app: nginx
        spec:
          ports:
          - port: 80
            name: web
          clusterIP: None
          selector:
            app: nginx
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: "nginx"
          podManagementPolicy: "Parallel"
          replicas: 2
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: k8s.gcr.io/nginx-slim:0.8
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ "ReadWriteOnce" ]
              resources:
                requests:
                  storage: 1Gi
        """

    @PAR-01
    Scenario: 5.1 - Parallel pod management launches pods without waiting
      Then eventually the pods are web-0 and web-1, all Running and Ready
      And pods web-0 and web-1 were all created before any of them was Running and Ready

    @PAR-01
    Scenario: 5.1 - Parallel scaling up launches the new pods together
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 4 replicas
      Then eventually the pods are web-0, web-1, web-2 and web-3, all Running and Ready
      And pods web-2 and web-3 were all created before any of them was Running and Ready

    @PAR-01 @DEL-01
    Scenario: 5.1 - Deleting the Parallel StatefulSet terminates all pods at once
      Given pods web-0 and web-1 are Running and Ready
      When I scale "web" to 4 replicas
      Then eventually the pods are web-0, web-1, web-2 and web-3, all Running and Ready
      When I delete the StatefulSet "web"
      Then pods web-0, web-1, web-2 and web-3 are terminating at the same time
      And eventually there are no pods
      And the Service "nginx" still exists
