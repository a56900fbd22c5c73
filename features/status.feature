Feature: StatefulSet status
  metadata.generation starts at 1 and grows with every change of the spec, not with
  changes of labels or status; status.observedGeneration tells which generation the
  controller last acted on.

  status.replicas counts every pod of the set that exists, including pods being
  deleted and pods above spec.replicas waiting to be scaled away. readyReplicas counts
  Running and Ready pods, terminating ones included; availableReplicas those that have
  been Ready for minReadySeconds. currentReplicas and updatedReplicas count the pods
  (not being deleted) on the current and on the update revision. The API rejects a
  status whose counts are negative or larger than replicas.

  The controller writes status only when something in it changed, never sets
  conditions, and computes the counts from the pods it read at the start of a sync, so
  status lags the pods, never leads them. Status has its own subresource: writes to the
  StatefulSet cannot change status, and writes to /status cannot change the spec.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @ST-01
  Scenario: generation counts spec changes and observedGeneration follows it
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And the status of "web" is:
      | field              | value |
      | generation         | 1     |
      | observedGeneration | 1     |
    When I patch "web" with:
      """
      metadata:
        labels:
          owner: team-a
      """
    Then the status of "web" has generation 1
    When I patch the status of "web" with:
      """
      status:
        conditions:
        - type: Reviewed
          status: "True"
      """
    Then the status of "web" has generation 1
    When I scale "web" to 3 replicas
    Then the status of "web" has generation 2
    And eventually the status of "web" is:
      | field              | value |
      | observedGeneration | 2     |
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then the status of "web" has generation 3
    And eventually the status of "web" is:
      | field              | value |
      | observedGeneration | 3     |
    And eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready

  @ST-02 @ST-03 @ST-04
  Scenario: A pod being deleted still counts in replicas until it is gone
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When a finalizer holds the pod "web-2"
    And I scale "web" to 2 replicas
    Then the status of "web" is:
      | field           | value |
      | replicas        | 3     |
      | readyReplicas   | 3     |
      | currentReplicas | 2     |
      | updatedReplicas | 2     |
    And pod "web-2" has the status "Terminating"
    And the status of "web" stays as follows for 30 seconds:
      | field    | value |
      | replicas | 3     |
    When the finalizer on the pod "web-2" is removed
    Then eventually the pods are web-0 and web-1
    And eventually the status of "web" is:
      | field           | value |
      | replicas        | 2     |
      | readyReplicas   | 2     |
      | currentReplicas | 2     |
      | updatedReplicas | 2     |

  @ST-03 @AVL-01
  Scenario: availableReplicas counts pods that have been Ready for minReadySeconds
    Given the StatefulSet "web" with 2 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
        minReadySeconds: 10
      """
    Then pods web-0 and web-1 become Running and Ready
    And the status of "web" is:
      | field             | value |
      | readyReplicas     | 2     |
      | availableReplicas | 0     |
    And the status of "web" stays as follows for 9 seconds:
      | field             | value |
      | availableReplicas | 0     |
    And eventually the status of "web" is:
      | field             | value |
      | readyReplicas     | 2     |
      | availableReplicas | 2     |
    When pod "web-1" fails its readiness check
    Then eventually the status of "web" is:
      | field             | value |
      | replicas          | 2     |
      | readyReplicas     | 1     |
      | availableReplicas | 1     |

  @ST-04 @UPD-10
  Scenario: currentReplicas and updatedReplicas count the pods on each revision
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          rollingUpdate:
            partition: 1
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    Then the status of "web" is:
      | field           | value |
      | currentReplicas | 3     |
      | updatedReplicas | 3     |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | replicas        | 3     |
      | readyReplicas   | 3     |
      | currentReplicas | 1     |
      | updatedReplicas | 2     |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |

  @ST-05
  Scenario: A status that breaks the bounds is rejected
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I try to patch the status of "web" with:
      """
      status:
        readyReplicas: 3
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas"
    When I try to patch the status of "web" with:
      """
      status:
        updatedReplicas: -1
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "status.updatedReplicas: Invalid value: -1: must be greater than or equal to 0"
    When I try to patch the status of "web" with:
      """
      status:
        readyReplicas: 1
        availableReplicas: 2
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"
    And the status of "web" is:
      | field             | value |
      | replicas          | 2     |
      | readyReplicas     | 2     |
      | availableReplicas | 2     |

  @ST-06
  Scenario: A converged StatefulSet is not written again when nothing changed
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the resourceVersion of the StatefulSet "web"
    And I label pod "web-0" with "touched=yes"
    Then the StatefulSet "web" is not written to for 60 seconds

  @ST-06 @unverified
  Scenario: The controller never sets conditions, and its next status write drops conditions set by others
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then the status of "web" has conditions 0
    When I patch the status of "web" with:
      """
      status:
        conditions:
        - type: Reviewed
          status: "True"
      """
    Then the status of "web" has conditions 1
    When I scale "web" to 3 replicas
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And the status of "web" has conditions 0

  @ST-07 @ST-02
  Scenario: status.replicas never counts a pod before it exists
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When I scale "web" to 3 replicas
    Then for 30 seconds status.replicas of "web" never exceeds the number of its pods
    And the status of "web" has replicas 3
    When I scale "web" to 1 replica
    Then for 30 seconds status.replicas of "web" never exceeds the number of its pods
    And the status of "web" has replicas 1

  @ST-08
  Scenario: Writes to the StatefulSet cannot change its status
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I patch "web" with:
      """
      status:
        replicas: 7
        conditions:
        - type: Tampered
          status: "True"
      """
    Then the status of "web" is:
      | field      | value |
      | replicas   | 2     |
      | conditions | 0     |
      | generation | 1     |

  @ST-08
  Scenario: Writes to /status cannot change the spec, and later reads see them
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I patch the status of "web" with:
      """
      spec:
        replicas: 5
      status:
        conditions:
        - type: StatusUpdate
          status: "True"
          reason: E2E
          message: Set from an e2e test
      """
    Then the StatefulSet "web" has the field "spec.replicas" set to "2"
    And the status of "web" has generation 1
    And the status of "web" has conditions 1
    And the StatefulSet "web" has the field "status.conditions.0.type" set to "StatusUpdate"
    And the StatefulSet "web" has the field "status.conditions.0.reason" set to "E2E"
    And the pods stay web-0 and web-1 for 30 seconds
