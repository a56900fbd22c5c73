Feature: Defaulting of StatefulSet fields
  The API server fills in what a StatefulSet leaves out: replicas becomes 1,
  podManagementPolicy OrderedReady, revisionHistoryLimit 10, and the claim retention
  policy Retain on both sides (a half-set policy gets Retain for the missing side).
  ordinals, minReadySeconds (0) and serviceName get no default. The pod template gets
  the core pod defaults (restartPolicy Always, terminationGracePeriodSeconds 30,
  dnsPolicy ClusterFirst), which therefore show in the pods and in the revision data.

  updateStrategy is defaulted asymmetrically. Left out, it becomes type RollingUpdate
  with rollingUpdate.partition 0 (and maxUnavailable 1 when the
  MaxUnavailableStatefulSet gate is on). Given as type RollingUpdate without a
  rollingUpdate block, it stays without one; OnDelete never gets one. The difference
  matters: with a rollingUpdate block a pod recreated in the middle of a rollout gets
  the new revision (partition 0), without one it gets the current revision if its
  ordinal is below status.currentReplicas.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @DEF-01
  Scenario: replicas defaults to 1
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.replicas" set to "1"
    And eventually the pods are minimal-0, all Running and Ready
    And the pods stay minimal-0 for 30 seconds

  @DEF-02 @ORD-01
  Scenario: podManagementPolicy defaults to OrderedReady
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.podManagementPolicy" set to "OrderedReady"
    When I scale "minimal" to 2 replicas
    Then pods minimal-0 and minimal-1 become Running and Ready in that order
    And pod "minimal-1" is not created before "minimal-0" is Running and Ready

  @DEF-03 @no-gate-MaxUnavailableStatefulSet
  Scenario: An omitted updateStrategy becomes RollingUpdate with partition 0
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.updateStrategy.type" set to "RollingUpdate"
    And the StatefulSet "minimal" has the field "spec.updateStrategy.rollingUpdate.partition" set to "0"
    And the StatefulSet "minimal" has no field "spec.updateStrategy.rollingUpdate.maxUnavailable"

  @DEF-03
  Scenario: type RollingUpdate without a rollingUpdate block stays without one
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
      """
    Then the StatefulSet "web" has the field "spec.updateStrategy.type" set to "RollingUpdate"
    And the StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate"

  @DEF-03
  Scenario: OnDelete gets no rollingUpdate block
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        updateStrategy:
          type: OnDelete
      """
    Then the StatefulSet "web" has the field "spec.updateStrategy.type" set to "OnDelete"
    And the StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate"

  @DEF-03 @MU-01 @gate-MaxUnavailableStatefulSet
  Scenario: With the MaxUnavailableStatefulSet gate on, maxUnavailable defaults to 1
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.updateStrategy.rollingUpdate.partition" set to "0"
    And the StatefulSet "minimal" has the field "spec.updateStrategy.rollingUpdate.maxUnavailable" set to "1"

  @DEF-03 @UPD-08 @unverified
  Scenario: Without a rollingUpdate block a pod deleted before the rollout reaches it returns at the current revision
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When pod "web-2" fails its readiness check
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then currentRevision and updateRevision of "web" differ
    When I delete the pod "web-0"
    Then pods web-0 and web-1 become Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev1
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.8"

  @DEF-04
  Scenario: revisionHistoryLimit defaults to 10
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.revisionHistoryLimit" set to "10"

  @DEF-05 @RET-07
  Scenario: The claim retention policy defaults to Retain on both sides
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.persistentVolumeClaimRetentionPolicy.whenDeleted" set to "Retain"
    And the StatefulSet "minimal" has the field "spec.persistentVolumeClaimRetentionPolicy.whenScaled" set to "Retain"

  @DEF-05 @RET-07
  Scenario: A half-set retention policy gets Retain for the missing side
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
      """
    Then the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenDeleted" set to "Delete"
    And the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenScaled" set to "Retain"
    And pods web-0 become Running and Ready
    And claim "www-web-0" is owned by the StatefulSet "web" only
    When I note the uid of claim "www-web-0"
    And I scale "web" to 0 replicas
    Then eventually there are no pods
    And claim "www-web-0" keeps its uid for 30 seconds
    And claim "www-web-0" is owned by the StatefulSet "web" only

  @DEF-06
  Scenario: ordinals, minReadySeconds and serviceName get no default
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has no field "spec.ordinals"
    And the StatefulSet "minimal" has no field "spec.minReadySeconds"
    And the StatefulSet "minimal" has the field "spec.serviceName" set to "nginx"
    And eventually the pods are minimal-0, all Running and Ready
    And pod "minimal-0" has the hostname "minimal-0" and the subdomain "nginx"

  @DEF-06
  Scenario: Core pod defaults fill the template and show in pods and revisions
    Given the StatefulSet "minimal" with only the required fields
    Then the StatefulSet "minimal" has the field "spec.template.spec.restartPolicy" set to "Always"
    And the StatefulSet "minimal" has the field "spec.template.spec.terminationGracePeriodSeconds" set to "30"
    And the StatefulSet "minimal" has the field "spec.template.spec.dnsPolicy" set to "ClusterFirst"
    And eventually the pods are minimal-0, all Running and Ready
    And pod "minimal-0" has the field "spec.restartPolicy" set to "Always"
    And pod "minimal-0" has the field "spec.terminationGracePeriodSeconds" set to "30"
    And pod "minimal-0" has the field "spec.dnsPolicy" set to "ClusterFirst"
    And revision rev1 has the field "data.spec.template.spec.restartPolicy" set to "Always"
    And revision rev1 has the field "data.spec.template.spec.terminationGracePeriodSeconds" set to "30"
    And revision rev1 has the field "data.spec.template.spec.dnsPolicy" set to "ClusterFirst"
