Feature: Ordered, graceful deployment and scaling
  With the default OrderedReady pod management policy a StatefulSet changes one
  pod at a time and never moves past a pod that is not healthy:

  * Pods are created one at a time in ascending ordinal order; each is created
    only after every lower pod is Running and Ready (ORD-01).
  * The first unhealthy pod halts everything above it: no creation, no
    scale-down deletion and no update of a higher ordinal until it is healthy
    again (ORD-02). A missing lower pod is still recreated, because the scan
    reaches the gap before the unhealthy pod (ORD-03).
  * A pod that fails or completes (phase Failed or Succeeded, e.g. evicted) is
    deleted, and its replacement, with the same name and a new uid, is created
    only once the old pod is gone (ORD-04). A terminating pod is waited for and
    blocks the next step (ORD-05).
  * Scale-down removes the highest ordinal first, one pod at a time, the next
    only once the previous one is gone (ORD-06), and only while every remaining
    pod is healthy. One exception keeps a broken set from being stuck forever:
    the lowest unhealthy pod being removed may go while unhealthy. With two
    unhealthy pods to remove, the higher one is never deleted and scale-down
    stalls (ORD-07).
  * Scaling takes precedence over updating: surplus pods are removed before the
    remaining ones are rolled to a new template (ORD-08).
  * Deleted pods come back with the same names, lowest ordinal first (ORD-09).
  * Zero replicas is valid: all pods go, claims and revisions stay (ORD-10).

  The scale-up and scale-down scenarios follow the upstream conformance test
  "Scaling should happen in predictable order and halt if any stateful pod is
  unhealthy".

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @ORD-01
  Scenario: Pods are created in order, each after its predecessor is Ready
    When I create the StatefulSet "web" with 3 replicas
    Then pods web-0, web-1 and web-2 become Running and Ready in that order
    And pod "web-1" is not created before "web-0" is Running and Ready
    And pod "web-2" is not created before "web-1" is Running and Ready

  @ORD-01 @ORD-02
  Scenario: An unready pod halts scale-up until it is Ready again
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When pod "web-0" fails its readiness check
    And I scale "web" to 3 replicas
    Then the pods stay web-0 for 10 seconds
    When pod "web-0" passes its readiness check again
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pods web-0, web-1 and web-2 become Running and Ready in that order

  @ORD-02
  Scenario: An unready pod in the middle blocks the pods above it
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When pod "web-1" fails its readiness check
    And I scale "web" to 4 replicas
    Then the pods stay web-0 and web-1 for 30 seconds
    When pod "web-1" passes its readiness check again
    Then eventually the pods are web-0, web-1, web-2 and web-3, all Running and Ready
    And pod "web-2" is created only after "web-1" has been Ready for 0 seconds

  @ORD-03
  Scenario: A deleted lower pod is recreated even while a higher pod is unready
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I note the uids of pods web-0, web-1 and web-2
    And pod "web-2" fails its readiness check
    And I delete the pod "web-0"
    Then within 10 seconds pods web-0 are Running and Ready
    And pods web-0 have new uids
    And pods web-1 and web-2 keep their uids for 30 seconds

  @ORD-04
  Scenario: A failed pod is deleted and then recreated with the same name
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I note the uid of pod "web-1"
    And pod "web-1" fails
    Then pod "web-1" has a new uid
    And eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pods were deleted in the order web-1
    And pods web-1 were recreated in that order

  @ORD-04
  Scenario: An evicted pod is replaced
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-0"
    And pod "web-0" is evicted
    Then pod "web-0" has a new uid
    And eventually the pods are web-0 and web-1, all Running and Ready

  @ORD-04
  Scenario: A pod that completes (phase Succeeded) is replaced too
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-1"
    And pod "web-1" completes
    Then pod "web-1" has a new uid
    And eventually the pods are web-0 and web-1, all Running and Ready

  @ORD-04 @ORD-05
  Scenario: The replacement of a failed pod waits until the old pod is gone, and so does everything above it
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When a finalizer holds the pod "web-0"
    And I note the uids of pods web-0, web-1 and web-2
    And pod "web-0" fails
    And I scale "web" to 4 replicas
    Then pod "web-0" has the status "Terminating"
    And pods web-0, web-1 and web-2 keep their uids for 30 seconds
    And the pods are web-0, web-1 and web-2
    When the finalizer on the pod "web-0" is removed
    Then eventually the pods are web-0, web-1, web-2 and web-3, all Running and Ready
    And pods web-0 have new uids
    And pod "web-3" is created only after "web-0" has been Ready for 0 seconds

  @ORD-06
  Scenario: Scale-down removes the highest ordinal first, one pod at a time
    Given the StatefulSet "web" with 5 replicas
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I scale "web" to 3 replicas
    Then at most 1 pod is terminating at any time for 30 seconds
    And the pods are web-0, web-1 and web-2
    And pods were deleted in the order web-4 and web-3
    And pod "web-3" does not start terminating before "web-4" is gone

  @ORD-05 @ORD-06
  Scenario: Scale-down waits for a terminating pod to be gone
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When a finalizer holds the pod "web-2"
    And I scale "web" to 1 replica
    Then pod "web-2" has the status "Terminating"
    And the pods stay web-0, web-1 and web-2 for 30 seconds
    When the finalizer on the pod "web-2" is removed
    Then eventually the pods are web-0
    And pods were deleted in the order web-2 and web-1

  @ORD-02 @ORD-07
  Scenario: Scale-down halts while a remaining pod is unready
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When pod "web-0" fails its readiness check
    And I scale "web" to 1 replica
    Then the pods stay web-0, web-1 and web-2 for 30 seconds
    When pod "web-0" passes its readiness check again
    Then eventually the pods are web-0
    And pods were deleted in the order web-2 and web-1

  @ORD-07
  Scenario: The first unhealthy pod being removed may go while unhealthy
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When pod "web-2" fails its readiness check
    Then pod "web-2" becomes not ready
    When I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And pods were deleted in the order web-2 and web-1

  @ORD-07
  Scenario: Two unhealthy pods to remove stall scale-down
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When pods web-1 and web-2 fail their readiness checks
    Then pod "web-2" becomes not ready
    When I scale "web" to 1 replica
    Then the pods stay web-0, web-1 and web-2 for 30 seconds
    When pod "web-2" passes its readiness check again
    Then eventually the pods are web-0
    And pods were deleted in the order web-2 and web-1

  @ORD-06 @ORD-07 @ORD-10
  Scenario: With every pod unready, scaling to zero halts, and resumes in reverse order
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When pods web-0, web-1 and web-2 fail their readiness checks
    Then pod "web-0" becomes not ready
    When I scale "web" to 0 replicas
    Then the pods stay web-0, web-1 and web-2 for 10 seconds
    When pods web-0, web-1 and web-2 pass their readiness checks again
    Then eventually there are no pods
    And pods were deleted in the order web-2, web-1 and web-0

  @ORD-08
  Scenario: Scaling down takes precedence over a rolling update
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I patch "web" with:
      """
      spec:
        replicas: 2
        template:
          spec:
            containers:
              - name: nginx
                image: registry.k8s.io/nginx-slim:0.9
      """
    Then eventually pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And the pods are web-0 and web-1
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-1" does not start terminating before "web-2" is gone
    And pods web-1 and web-0 were recreated in that order

  @ORD-09
  Scenario: Deleted pods come back with the same names, lowest ordinal first
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uids of pods web-0 and web-1
    And I delete the pods web-0 and web-1
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pods web-0 and web-1 have new uids
    And pods web-0 and web-1 were recreated in that order
    And pod "web-1" is re-created only after "web-0" has been Ready for 0 seconds
    And pod "web-0" uses the claim "www-web-0" as volume "www"
    And pod "web-1" uses the claim "www-web-1" as volume "www"

  @ORD-06 @ORD-10
  Scenario: Scaling to zero removes every pod in reverse order but keeps claims and revisions
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I scale "web" to 0 replicas
    Then eventually there are no pods
    And pods were deleted in the order web-2, web-1 and web-0
    And the claims are www-web-0, www-web-1 and www-web-2
    And the StatefulSet "web" has 1 revision
    And eventually the status of "web" is:
      | field         | value |
      | replicas      | 0     |
      | readyReplicas | 0     |
