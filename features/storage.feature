Feature: Stable storage from volumeClaimTemplates
  For every volumeClaimTemplate and every pod the controller creates one
  PersistentVolumeClaim named <template>-<set>-<ordinal> in the set's namespace,
  before it creates the pod. The tutorial says "Kubernetes creates one
  PersistentVolume for each VolumeClaimTemplate"; that is not so: it is one
  claim (and so one volume) per template per pod, e.g. two templates and two
  replicas make four claims.

  A claim gets the template's labels with the selector's matchLabels written
  over them. A claim that already exists is used as it is, never resized or
  relabelled. While the claim a pod needs is being deleted, the pod is not
  created (FailedCreate "pvc … is being deleted") until the claim is gone. A
  pod that is Pending because its claim was deleted gets the claim recreated.

  With the default retention policy claims are never deleted: not on scale
  down, pod deletion or StatefulSet deletion, and they carry no owner
  reference. A pod that comes back with the same ordinal mounts the same claim.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @PVC-01 @PVC-03
  Scenario: Each pod gets its own claim, created before the pod
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And the claims are www-web-0 and www-web-1
    And claims www-web-0 and www-web-1 are Bound
    And pod "web-0" uses the claim "www-web-0" as volume "www"
    And pod "web-1" uses the claim "www-web-1" as volume "www"
    And on "web" the event "create Claim www-web-0 Pod web-0 in StatefulSet web success" comes before the event "create Pod web-0 in StatefulSet web successful"
    And on "web" the event "create Claim www-web-1 Pod web-1 in StatefulSet web success" comes before the event "create Pod web-1 in StatefulSet web successful"

  @PVC-01
  Scenario: Two templates and two replicas make four claims, not two volumes
    The tutorial's "one PersistentVolume for each VolumeClaimTemplate" would
    mean two volumes here; each pod gets one claim per template instead.

    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        template:
          spec:
            containers:
            - name: nginx
              volumeMounts:
              - name: logs
                mountPath: /var/log/nginx
        volumeClaimTemplates:
        - metadata:
            name: www
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
        - metadata:
            name: logs
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
      """
    Then pods web-0 and web-1 become Running and Ready
    And the claims are logs-web-0, logs-web-1, www-web-0 and www-web-1
    And pod "web-1" uses the claim "logs-web-1" as volume "logs"
    And pod "web-1" uses the claim "www-web-1" as volume "www"

  @PVC-02
  Scenario: Claim labels are the template's labels overwritten by the selector
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        volumeClaimTemplates:
        - metadata:
            name: www
            labels:
              app: from-template
              tier: storage
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
      """
    Then pods web-0 become Running and Ready
    And claim "www-web-0" has the labels "app=nginx,tier=storage"

  @PVC-03
  Scenario: An existing claim is used as it is
    Given I apply the manifest:
      """
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: www-web-0
        labels:
          origin: admin
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 5Gi
      """
    Then claims www-web-0 are Bound
    When I note the uid of claim "www-web-0"
    And I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-0" uses the claim "www-web-0" as volume "www"
    And claim "www-web-0" has the labels "origin=admin"
    And claim "www-web-0" keeps its uid for 30 seconds
    And claim "www-web-1" has the labels "app=nginx"

  @PVC-04
  Scenario: A claim that is being deleted blocks the creation of its pod
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When a finalizer holds the claim "www-web-1"
    And I delete the claim "www-web-1"
    And I delete the pod "web-1"
    Then claim "www-web-1" is terminating
    And eventually the pods are web-0
    And the pods stay web-0 for 60 seconds
    And an event FailedCreate "pvc www-web-1 is being deleted" is recorded for "web"
    When the finalizer on the claim "www-web-1" is removed
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And claims www-web-0 and www-web-1 are Bound

  @PVC-05
  Scenario: Claims survive scale down and StatefulSet deletion
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And the claims are www-web-0, www-web-1 and www-web-2
    And claim "www-web-1" has no owner
    And claim "www-web-2" has no owner
    When I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And eventually there are no pods
    And the claims are www-web-0, www-web-1 and www-web-2
    And claim "www-web-0" has no owner

  @PVC-06
  Scenario: A pod recreated after deletion mounts the same claim
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-1"
    And I note the uid of claim "www-web-1"
    And I delete the pod "web-1"
    Then pod "web-1" has a new uid
    And pods web-1 become Running and Ready
    And pod "web-1" uses the claim "www-web-1" as volume "www"
    And claim "www-web-1" keeps its uid for 30 seconds

  @PVC-06 @PVC-05
  Scenario: A re-created StatefulSet mounts the claims of its predecessor
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of claim "www-web-0"
    And I note the uid of claim "www-web-1"
    And I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And eventually there are no pods
    When I create the StatefulSet "web" with 2 replicas
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pod "web-0" uses the claim "www-web-0" as volume "www"
    And pod "web-1" uses the claim "www-web-1" as volume "www"
    And claim "www-web-0" keeps its uid for 10 seconds
    And claim "www-web-1" keeps its uid for 10 seconds

  @PVC-07 @unverified
  Scenario: The missing claim of a Pending pod is recreated
    The pod's image cannot be pulled, so it stays Pending; its claim is
    deleted underneath it and the controller creates it again.

    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          spec:
            containers:
            - name: nginx
              image: registry.invalid/nginx:1.0
      """
    Then pod "web-0" has the status "ErrImagePull"
    When I note the uid of claim "www-web-0"
    And I delete the claim "www-web-0"
    Then claim "www-web-0" has a new uid
    And claims www-web-0 are Bound
    And pod "web-0" uses the claim "www-web-0" as volume "www"
