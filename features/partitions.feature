Feature: Partitioned rolling updates: staging, canaries and phased rollouts
  `.spec.updateStrategy.rollingUpdate.partition` splits the pods of a
  RollingUpdate StatefulSet in two:

  * Pods whose ordinal is at least `start + partition` (start being
    `.spec.ordinals.start`, 0 by default) are rolled to the new template; pods
    below are never deleted for the update and, if they are deleted or fail,
    come back at the current revision (UPD-04). The partition counts from the
    start ordinal, not from 0: with `ordinals.start: 2` and `partition: 2` the
    pods from ordinal 4 up are updated (upstream issue #128529, kept as is).
  * A partition equal to (or greater than) the number of replicas stages an
    update: the new revision is recorded as `updateRevision` but no pod is
    touched (UPD-05).
  * Lowering the partition step by step updates exactly the newly exposed
    ordinals: a canary first, then a phased rollout (UPD-06).
  * While pods are held back by the partition the rollout never completes:
    `currentRevision` stays the old revision, `currentReplicas` counts the
    old pods and `updatedReplicas` the new ones (UPD-10).
  * Scaling to zero replicas completes a staged update, since zero of zero pods
    are updated; scaling up again then creates every pod at the new revision,
    even below the partition (UPD-11, upstream issue #121534).

  Seed erratum (concept page, "Partitions"): it says updates are not
  propagated when the partition is "greater than" `.spec.replicas`. Equal is
  enough, as the tutorial's own staging step (partition 3 with 3 replicas)
  and the upstream conformance test show.

  The canary and phased scenarios follow the upstream conformance test "should
  perform canary updates and phased rolling updates of template modifications"
  and the tutorial's sections 3.3 and 3.4.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @UPD-05 @UPD-10
  Scenario: A partition equal to the replica count stages the update without touching a pod
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 3
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then the StatefulSet "web" has 2 revisions
    And pods web-0, web-1 and web-2 keep their uids for 30 seconds
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.8"
    And pods web-0, web-1 and web-2 are at revision rev1
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | currentReplicas | 3     |
      | updatedReplicas | 0     |

  @UPD-04 @UPD-06 @UPD-10
  Scenario: A canary updates only the ordinals at or above the partition
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 3
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I note the uids of pods web-0 and web-1
    And I set the partition of "web" to 2
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 and web-1 keep their uids for 30 seconds
    And pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.8"
    And the status of "web" stays as follows for 30 seconds:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | currentReplicas | 2     |
      | updatedReplicas | 1     |
      | readyReplicas   | 3     |

  @UPD-04
  Scenario: Deleted pods come back at the revision their side of the partition calls for
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    When I note the uids of pods web-0 and web-2
    And I delete the pods web-0 and web-2
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pods web-0 and web-2 have new uids
    And pods web-0 and web-1 are at revision rev1
    And pods web-2 are at revision rev2
    And pod "web-0" runs the image "registry.k8s.io/nginx-slim:0.8"
    And pod "web-2" runs the image "registry.k8s.io/nginx-slim:0.9"

  @UPD-06 @UPD-09
  Scenario: Lowering the partition step by step is a phased rollout
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    When I note the uids of pods web-0
    And I set the partition of "web" to 1
    Then eventually pods web-1 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 keep their uids for 30 seconds
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | currentReplicas | 1     |
      | updatedReplicas | 2     |
    When I set the partition of "web" to 0
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
      | currentReplicas | 3     |
      | updatedReplicas | 3     |
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds
    And at most 1 pod of "web" is unavailable at any time

  @UPD-04
  Scenario: The partition counts from the start ordinal
    Given the StatefulSet "web" with 4 replicas and:
      """
      spec:
        ordinals:
          start: 2
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
      """
    And pods web-2, web-3, web-4 and web-5 are Running and Ready
    When I note the uids of pods web-2 and web-3
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-4 and web-5 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-2 and web-3 keep their uids for 30 seconds
    And pods web-2 and web-3 run the image "registry.k8s.io/nginx-slim:0.8"
    When I delete the pod "web-3"
    Then eventually the pods are web-2, web-3, web-4 and web-5, all Running and Ready
    And pods web-3 have new uids
    And pod "web-3" runs the image "registry.k8s.io/nginx-slim:0.8"
    And the status of "web" is:
      | field           | value |
      | currentReplicas | 2     |
      | updatedReplicas | 2     |

  @UPD-11
  Scenario: Scaling to zero completes a staged update
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 3
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I scale "web" to 0 replicas
    Then eventually there are no pods
    And eventually the status of "web" is:
      | field           | value |
      | replicas        | 0     |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
    When I scale "web" to 3 replicas
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev2
    And the StatefulSet "web" has the field "spec.updateStrategy.rollingUpdate.partition" set to "3"
