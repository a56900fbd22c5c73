Feature: maxUnavailable for rolling updates
  `.spec.updateStrategy.rollingUpdate.maxUnavailable` lets a rolling update
  take down more than one pod at a time. It is behind the feature gate
  `MaxUnavailableStatefulSet`:

  * The gate is off by default in 1.36 (it was on in 1.35.0 to 1.35.3 and was
    switched off again after a regression). With the gate off the API drops
    the field when a set is created or updated (unless the stored set already
    had it); with the gate on it is kept, and defaulted to 1 (MU-01).
  * The value is a number or a percentage; 0 and 0% are rejected. A
    percentage is taken of `.spec.replicas` rounding *down* (the docs say
    "rounding it up", which is not what the code does), and at least 1 pod
    may always be unavailable (MU-02).
  * The budget counts every unavailable pod of the set, including pods below
    the partition; the controller deletes up to "maxUnavailable minus already
    unavailable" old pods at once, from the highest ordinal down (MU-03).
  * With OrderedReady a batch is deleted only when every pod is healthy, the
    replacements are created in ascending order one at a time, and the next
    batch waits for the whole previous batch (MU-04).
  * The 1.35 regression: with Parallel, an unavailable pod at the old revision
    uses up the whole budget and is never replaced, so a set whose pods are
    broken cannot be fixed by a template update (MU-05; fixed upstream by PR
    #137666, release not yet known). With the gate off the same set recovers.
  * With the gate off the controller takes the legacy path, one pod at a time,
    whatever the field says (MU-06).

  A scenario tagged @gate-MaxUnavailableStatefulSet runs with the gate on; the
  others run with the 1.36 default (off). On a cluster (`run --kubeconfig`) the
  cluster has one setting: scenarios tagged @gate-… are skipped where the gate is
  off, those tagged @no-gate-… where it is on.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @MU-01 @no-gate-MaxUnavailableStatefulSet
  Scenario: With the gate off the field is dropped
    When I create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 2
      """
    Then the StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate.maxUnavailable"
    And the StatefulSet "web" has the field "spec.updateStrategy.rollingUpdate.partition" set to "0"

  @MU-01 @gate-MaxUnavailableStatefulSet
  Scenario: With the gate on the field is kept, and defaulted to 1
    When I create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 2
      """
    And I create the StatefulSet "db" with 1 replica
    Then the StatefulSet "web" has the field "spec.updateStrategy.rollingUpdate.maxUnavailable" set to "2"
    And the StatefulSet "db" has the field "spec.updateStrategy.rollingUpdate.maxUnavailable" set to "1"

  @MU-02 @gate-MaxUnavailableStatefulSet
  Scenario: Zero is not a valid maxUnavailable
    When I try to create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 0
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value:"
    And the request fails with "cannot be 0"
    And there are no pods

  @MU-02 @gate-MaxUnavailableStatefulSet
  Scenario: Zero percent is not a valid maxUnavailable
    When I try to create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: "0%"
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value:"
    And the request fails with "cannot be 0"
    And there are no pods

  @MU-02 @gate-MaxUnavailableStatefulSet
  Scenario: More than 100% is not a valid maxUnavailable
    When I try to create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: "101%"
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value:"
    And the request fails with "must not be greater than 100%"
    And there are no pods

  @MU-02 @MU-03 @gate-MaxUnavailableStatefulSet
  Scenario: A percentage is rounded down
    Given the StatefulSet "web" with 5 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 50%
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then pods web-4 and web-3 are terminating at the same time
    And at most 2 pods of "web" are down at any time for 60 seconds
    And pods web-0, web-1, web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9"

  @MU-02 @gate-MaxUnavailableStatefulSet
  Scenario: A percentage that rounds to zero still lets one pod be updated at a time
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 10%
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then at most 1 pod of "web" is down at any time for 30 seconds
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9"
    And pods were deleted in the order web-2, web-1 and web-0

  @MU-03 @gate-MaxUnavailableStatefulSet
  Scenario: Several old pods are deleted at once, highest ordinals first
    Given the StatefulSet "web" with 5 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
            maxUnavailable: 2
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I note the uids of pods web-0 and web-1
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then pods web-4 and web-3 are terminating at the same time
    And eventually pods web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 and web-1 keep their uids for 30 seconds
    And at most 2 pods of "web" are unavailable at any time
    And pods were deleted in the order web-4, web-3 and web-2
    And pod "web-2" is deleted only after "web-3" has been Ready for 0 seconds

  @MU-03 @gate-MaxUnavailableStatefulSet
  Scenario: An unready pod below the partition uses up part of the budget
    Given the StatefulSet "web" with 5 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
            maxUnavailable: 2
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When pod "web-0" fails its readiness check
    Then pod "web-0" becomes not ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then at most 1 pod is terminating at any time for 60 seconds
    And pods web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9"
    And pods were deleted in the order web-4, web-3 and web-2

  @MU-04 @gate-MaxUnavailableStatefulSet
  Scenario: OrderedReady updates in batches, recreating each batch in ascending order
    Given the StatefulSet "web" with 5 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 2
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then pods web-4 and web-3 are terminating at the same time
    And eventually pods web-0, web-1, web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-3, web-4, web-1, web-2 and web-0 were recreated in that order
    And pod "web-4" is re-created only after "web-3" has been Ready for 0 seconds
    And pod "web-2" is deleted only after "web-4" has been Ready for 0 seconds

  @MU-05 @kube-1.35 @gate-MaxUnavailableStatefulSet @until-1.35
  Scenario: 1.35 regression: with Parallel a broken pod is never replaced by a fixed template
    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        podManagementPolicy: Parallel
        template:
          spec:
            containers:
              - name: nginx
                image: registry.invalid/nginx:broken
      """
    Then pod "web-0" has the status "ImagePullBackOff"
    When I note the uid of pod "web-0"
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then pod "web-0" keeps its uid for 60 seconds
    And pods web-0 are at revision rev1
    And pod "web-0" runs the image "registry.invalid/nginx:broken"
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | updatedReplicas | 0     |

  @MU-05 @MU-06 @no-gate-MaxUnavailableStatefulSet
  Scenario: With the gate off the same broken set is fixed by a template update
    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        podManagementPolicy: Parallel
        template:
          spec:
            containers:
              - name: nginx
                image: registry.invalid/nginx:broken
      """
    Then pod "web-0" has the status "ImagePullBackOff"
    When I note the uid of pod "web-0"
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then pod "web-0" has a new uid
    And eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-0 are at revision rev2

  @MU-06 @no-gate-MaxUnavailableStatefulSet
  Scenario: With the gate off pods are updated one at a time whatever maxUnavailable says
    Given the StatefulSet "web" with 5 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 3
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then at most 1 pod of "web" is down at any time for 60 seconds
    And pods web-0, web-1, web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9"
    And pods were deleted in the order web-4, web-3, web-2, web-1 and web-0
