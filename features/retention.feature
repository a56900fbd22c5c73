Feature: PersistentVolumeClaim retention policy
  The tutorial says the volumes of a StatefulSet are never deleted. That is
  still the default, but since Kubernetes 1.23 (on by default from 1.27, GA in
  1.32) .spec.persistentVolumeClaimRetentionPolicy can have claims deleted:
  whenDeleted applies when the StatefulSet is deleted, whenScaled when a pod is
  removed by scaling down. Each is Retain (the default for either side left
  out) or Delete.

  The controller expresses the policy with controller owner references on the
  claims and lets the garbage collector do the deleting: Retain/Retain gives no
  reference; whenDeleted=Delete gives every claim a reference to the set;
  whenScaled=Delete gives the claims of a pod being scaled away a reference to
  that pod (set just before the pod is deleted). A claim still owned by an
  earlier pod of the same name blocks that pod's re-creation until the claim
  is gone. A claim controlled by some other object is left alone, with a
  ConflictingController warning. The policy can be changed on a live set and
  the references follow. Deleting a pod for any other reason never deletes
  its claims.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @RET-07 @since-1.27
  Scenario: A missing policy defaults to Retain on both sides
    When I create the StatefulSet "web" with 1 replica
    Then the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenDeleted" set to "Retain"
    And the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenScaled" set to "Retain"
    And pods web-0 become Running and Ready
    And claim "www-web-0" has no owner
    When I note the uid of claim "www-web-0"
    And I scale "web" to 0 replicas
    Then eventually there are no pods
    And claim "www-web-0" has no owner
    When I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And claim "www-web-0" keeps its uid for 30 seconds

  @RET-07 @since-1.27
  Scenario: A half-set policy gets Retain for the other side
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenScaled: Delete
      """
    Then the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenDeleted" set to "Retain"
    And the StatefulSet "web" has the field "spec.persistentVolumeClaimRetentionPolicy.whenScaled" set to "Delete"
    And pods web-0 become Running and Ready
    And claim "www-web-0" has no owner
    When I note the uid of claim "www-web-0"
    And I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And eventually there are no pods
    And claim "www-web-0" keeps its uid for 30 seconds

  @RET-01 @PVC-05
  Scenario: Retain on both sides leaves claims without owners, through scale down and deletion
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Retain
          whenScaled: Retain
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And claim "www-web-0" has no owner
    And claim "www-web-2" has no owner
    When I delete the StatefulSet "web"
    Then eventually there are no pods
    And the claims are www-web-0, www-web-1 and www-web-2

  @RET-01 @RET-03 @since-1.27
  Scenario: whenDeleted Delete gives every claim to the set and removes them with it
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
          whenScaled: Retain
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    Then claim "www-web-0" is owned by the StatefulSet "web" only
    And claim "www-web-2" is owned by the StatefulSet "web" only
    When I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And the claims are www-web-0, www-web-1 and www-web-2
    And claim "www-web-2" is owned by the StatefulSet "web" only
    When I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And eventually there are no claims

  @RET-01 @RET-02 @since-1.27
  Scenario: whenScaled Delete removes only the claims of scaled-down pods
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Retain
          whenScaled: Delete
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    Then claim "www-web-0" has no owner
    And claim "www-web-2" has no owner
    When I scale "web" to 1 replica
    Then claim "www-web-2" is owned by its pod only
    And eventually the claims are www-web-0
    And eventually the pods are web-0, all Running and Ready
    And claim "www-web-0" has no owner
    When I delete the StatefulSet "web"
    Then eventually there are no pods
    And the claims are www-web-0

  @RET-01 @RET-02 @RET-03 @since-1.27
  Scenario: Delete on both sides moves condemned claims from the set to their pod
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
          whenScaled: Delete
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    Then claim "www-web-1" is owned by the StatefulSet "web" only
    When I scale "web" to 2 replicas
    Then claim "www-web-2" is owned by its pod only
    And eventually the claims are www-web-0 and www-web-1
    And claim "www-web-1" is owned by the StatefulSet "web" only
    When I delete the StatefulSet "web"
    Then eventually there are no claims

  @RET-02 @since-1.27
  Scenario: Deleting a pod does not delete its claim even with whenScaled Delete
    Given the StatefulSet "web" with 2 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
          whenScaled: Delete
      """
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of claim "www-web-1"
    And I delete the pod "web-1"
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And claim "www-web-1" keeps its uid for 30 seconds
    And claim "www-web-1" is owned by the StatefulSet "web" only

  @RET-04 @since-1.27
  Scenario: A claim still owned by an earlier pod blocks that pod's re-creation
    The claim of web-1 is held by a finalizer (on a real cluster the
    pvc-protection finalizer does the same for a while), so after scaling down
    it still carries an owner reference to the old web-1 when the set is
    scaled up again. The controller waits, without an error, until it is gone.
    It does not watch claims, so the pod is created by the next sync after
    that (here, caused by the next scale-up), with a fresh claim.

    Given the StatefulSet "web" with 2 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Retain
          whenScaled: Delete
      """
    And pods web-0 and web-1 are Running and Ready
    When a finalizer holds the claim "www-web-1"
    And I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And claim "www-web-1" is terminating
    When I note the uid of claim "www-web-1"
    And I scale "web" to 2 replicas
    Then the pods stay web-0 for 60 seconds
    And no event FailedCreate is recorded for "web"
    When the finalizer on the claim "www-web-1" is removed
    Then eventually the claims are www-web-0
    When I scale "web" to 3 replicas
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And claim "www-web-1" has a new uid
    And claims www-web-0, www-web-1 and www-web-2 are Bound
    And claim "www-web-1" has no owner

  @RET-05 @unverified @since-1.27
  Scenario: A claim controlled by another object is left alone
    Given a claim "www-web-0" controlled by a ConfigMap "keeper"
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
          whenScaled: Delete
      """
    Then pods web-0 and web-1 become Running and Ready
    And claim "www-web-0" keeps only its foreign owner "keeper"
    And claim "www-web-1" is owned by the StatefulSet "web" only
    And an event ConflictingController "www-web-0" is recorded for "web"

  @RET-06 @since-1.27
  Scenario: Changing the policy on a live set updates the claims' owners
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then claim "www-web-0" has no owner
    When I patch "web" with:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
      """
    Then claim "www-web-0" is owned by the StatefulSet "web" only
    And claim "www-web-1" is owned by the StatefulSet "web" only
    When I patch "web" with:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Retain
      """
    Then claim "www-web-0" has no owner
    And claim "www-web-1" has no owner
