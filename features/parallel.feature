Feature: Parallel pod management
  With `podManagementPolicy: Parallel` the StatefulSet controller does not wait
  for pods to become Running and Ready, or to finish terminating, before it
  creates or deletes others:

  * Scaling up creates every missing pod at once and scaling down deletes every
    surplus pod at once, whatever the health of the other pods (PAR-01).
  * Internally the requests go out in slow-start batches of 1, 2, 4 … pods
    (at most 500 a batch); from outside, every pod of a scale-up appears at the
    same instant and nobody waits for a predecessor (PAR-02). The order within
    a batch is not guaranteed, so these scenarios never assert one.
  * Parallel still replaces failed pods and still follows the update strategy:
    a rolling update replaces one pod at a time from the highest ordinal down.
    Unlike OrderedReady, it does not stop at an unhealthy pod below the one
    being updated; it replaces it when it gets there (PAR-03).
  * A terminating pod is neither deleted again nor replaced until it is gone,
    but it does not hold up the other pods (PAR-04).

  The policy only affects scaling, as the tutorial says; the scale scenarios
  follow the upstream conformance test "Burst scaling should run to
  completion even with unhealthy pods".

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @PAR-01 @PAR-02
  Scenario: Every pod is created at once
    When I create the StatefulSet "web" with 5 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    Then the pods are web-0, web-1, web-2, web-3 and web-4
    And within 3 seconds pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    And pods web-0, web-1, web-2, web-3 and web-4 were all created before any of them was Running and Ready

  @PAR-01
  Scenario: An unready pod does not halt scale-up
    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0 are Running and Ready
    When pod "web-0" fails its readiness check
    Then pod "web-0" becomes not ready
    When I scale "web" to 3 replicas
    Then the pods are web-0, web-1 and web-2
    And within 3 seconds pods web-1 and web-2 are Running and Ready
    And eventually the status of "web" is:
      | field         | value |
      | replicas      | 3     |
      | readyReplicas | 2     |

  @PAR-01
  Scenario: Scaling to zero runs to completion with every pod unready
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When pods web-0, web-1 and web-2 fail their readiness checks
    Then pod "web-0" becomes not ready
    When I scale "web" to 0 replicas
    Then pods web-0, web-1 and web-2 are terminating at the same time
    And eventually there are no pods
    And eventually the status of "web" is:
      | field    | value |
      | replicas | 0     |

  @PAR-03
  Scenario: A failed pod is still replaced
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I note the uid of pod "web-1"
    And pod "web-1" fails
    Then pod "web-1" has a new uid
    And eventually the pods are web-0, web-1 and web-2, all Running and Ready

  @PAR-03
  Scenario: A rolling update still replaces one pod at a time, highest ordinal first
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then at most 1 pod of "web" is down at any time for 30 seconds
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9"
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds

  @PAR-03 @no-gate-MaxUnavailableStatefulSet
  Scenario: A rolling update proceeds past an unready lower pod and replaces it
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When pod "web-0" fails its readiness check
    Then pod "web-0" becomes not ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | updatedReplicas | 3     |
    And pod "web-0" runs the image "registry.k8s.io/nginx-slim:0.9"
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
    And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds

  @PAR-03
  Scenario: The partition is respected
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I note the uids of pods web-0 and web-1
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 and web-1 keep their uids for 30 seconds
    And pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.8"

  @PAR-04
  Scenario: A terminating pod is waited for only by its own replacement
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When a finalizer holds the pod "web-0"
    And I note the uid of pod "web-0"
    And I delete the pod "web-0"
    And I scale "web" to 5 replicas
    Then within 3 seconds pods web-3 and web-4 are Running and Ready
    And pod "web-0" has the status "Terminating"
    And pod "web-0" keeps its uid for 30 seconds
    When the finalizer on the pod "web-0" is removed
    Then pod "web-0" has a new uid
    And eventually the pods are web-0, web-1, web-2, web-3 and web-4, all Running and Ready
