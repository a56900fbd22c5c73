Feature: minReadySeconds and pod availability
  `spec.minReadySeconds` says how long a pod must have been Ready before it
  counts as Available:

  * A pod is Available when it is Running and Ready and its Ready condition
    turned true at least minReadySeconds ago; with 0, Available is the same as
    Ready. `status.availableReplicas` counts Available pods (AVL-01).
  * With OrderedReady, the next creation, the next scale-down deletion and the
    next rolling-update deletion all wait until the pod before them is
    Available, not merely Ready (AVL-02).
  * The controller looks at the set again by itself once minReadySeconds have
    passed, so availableReplicas catches up without any further pod event
    (AVL-03).
  * minReadySeconds can be changed on a live set and availability is
    re-evaluated at once (AVL-04, after the upstream e2e test "AvailableReplicas
    should get updated accordingly when MinReadySeconds is enabled").
  * Known upstream bug (issue #136831, expected to change in 1.37 or later): a
    rolling update is declared complete (currentRevision advances) as soon as
    every pod is Ready, even if the new pods are not Available yet (AVL-05).

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @AVL-01 @AVL-03
  Scenario: A Ready pod becomes Available after minReadySeconds, without further events
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        minReadySeconds: 10
      """
    Then pods web-0 become Running and Ready
    And the status of "web" stays as follows for 9 seconds:
      | field             | value |
      | readyReplicas     | 1     |
      | availableReplicas | 0     |
    And within 3 seconds the status of "web" has availableReplicas 1

  @AVL-01
  Scenario: Without minReadySeconds a Ready pod is Available at once
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And the status of "web" is:
      | field             | value |
      | readyReplicas     | 2     |
      | availableReplicas | 2     |

  @AVL-02
  Scenario: The next pod is created only once its predecessor is Available
    When I create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        minReadySeconds: 10
      """
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pod "web-1" is created only after "web-0" has been Ready for 10 seconds
    And pod "web-2" is created only after "web-1" has been Ready for 10 seconds

  @AVL-02
  Scenario: Scale-down waits until every remaining pod is Available
    Given the StatefulSet "web" with 2 replicas and:
      """
      spec:
        minReadySeconds: 10
      """
    And within 60 seconds the status of "web" has availableReplicas 2
    When I delete the pod "web-0"
    And I scale "web" to 1 replica
    Then eventually the pods are web-0, all Running and Ready
    And pod "web-1" is deleted only after "web-0" has been Ready for 10 seconds

  @AVL-02
  Scenario: A rolling update waits until each new pod is Available
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        minReadySeconds: 10
      """
    And within 60 seconds the status of "web" has availableReplicas 3
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-1" is deleted only after "web-2" has been Ready for 10 seconds
    And pod "web-0" is deleted only after "web-1" has been Ready for 10 seconds

  @AVL-01 @AVL-04
  Scenario: Changing minReadySeconds re-evaluates availability
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        minReadySeconds: 30
      """
    Then the status of "web" stays as follows for 5 seconds:
      | field             | value |
      | availableReplicas | 0     |
    And eventually the status of "web" is:
      | field             | value |
      | readyReplicas     | 2     |
      | availableReplicas | 2     |
    When I patch "web" with:
      """
      spec:
        minReadySeconds: 3600
      """
    Then eventually the status of "web" is:
      | field             | value |
      | readyReplicas     | 2     |
      | availableReplicas | 0     |
    When I patch "web" with:
      """
      spec:
        minReadySeconds: 0
      """
    Then eventually the status of "web" is:
      | field             | value |
      | availableReplicas | 2     |
    And the StatefulSet "web" has the field "status.availableReplicas" set to "2"

  @AVL-05
  Scenario: A rolling update completes when the new pods are Ready, before they are Available
    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        minReadySeconds: 30
      """
    And within 60 seconds the status of "web" has availableReplicas 1
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually the status of "web" is:
      | field             | value |
      | currentRevision   | rev2  |
      | updateRevision    | rev2  |
      | readyReplicas     | 1     |
      | availableReplicas | 0     |
    And pod "web-0" runs the image "registry.k8s.io/nginx-slim:0.9"
    And within 31 seconds the status of "web" has availableReplicas 1
