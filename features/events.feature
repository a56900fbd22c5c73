Feature: Events recorded on the StatefulSet
  The controller reports what it does to pods and claims as events on the StatefulSet
  (what `kubectl describe statefulset` lists), with fixed reasons and messages:

    Normal  SuccessfulCreate  create Claim <claim> Pod <pod> in StatefulSet <set> success
    Normal  SuccessfulCreate  create Pod <pod> in StatefulSet <set> successful
    Normal  SuccessfulDelete  delete Pod <pod> in StatefulSet <set> successful
    Normal  SuccessfulUpdate  update Pod <pod> in StatefulSet <set> successful
    Warning Failed<Verb>      <verb> Pod <pod> in StatefulSet <set> failed error: <error>

  A pod's claims are created, and reported, before the pod. A repeat of an event (same
  reason and message) is counted on the first one, as client-go's event recorder does,
  so a pod created twice shows one "create Pod" event. Since 1.31 replacing a failed pod records only the delete
  and the create: there are no RecreatingFailedPod or RecreatingTerminatedPod events.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @EVT-01 @PVC-03
  Scenario: Each pod's claim is created and reported before the pod
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And the events recorded for "web" are:
      """
      Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful
      Normal SuccessfulCreate create Claim www-web-1 Pod web-1 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-1 in StatefulSet web successful
      """

  @EVT-01 @ORD-06
  Scenario: Scaling down records a delete per pod, highest ordinal first
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I scale "web" to 1 replica
    Then eventually the pods are web-0
    And the events recorded for "web" are:
      """
      Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful
      Normal SuccessfulCreate create Claim www-web-1 Pod web-1 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-1 in StatefulSet web successful
      Normal SuccessfulCreate create Claim www-web-2 Pod web-2 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-2 in StatefulSet web successful
      Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful
      Normal SuccessfulDelete delete Pod web-1 in StatefulSet web successful
      """

  @EVT-01 @ID-07
  Scenario: Repairing a pod's identity label is recorded as an update
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When I label pod "web-0" with "statefulset.kubernetes.io/pod-name=somebody-else"
    Then an event SuccessfulUpdate "update Pod web-0 in StatefulSet web successful" is recorded for "web"
    And pod "web-0" has the label "statefulset.kubernetes.io/pod-name" with value "web-0"

  @EVT-01 @ORD-04
  Scenario: Replacing a failed pod records the delete and a repeated create, nothing else
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When I note the uid of pod "web-0"
    And pod "web-0" fails
    Then pod "web-0" has a new uid
    And pods web-0 become Running and Ready
    And the events recorded for "web" are:
      """
      Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success
      Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful
      Normal SuccessfulDelete delete Pod web-0 in StatefulSet web successful
      """
    And no event RecreatingFailedPod is recorded for "web"
    And no event RecreatingTerminatedPod is recorded for "web"

  @EVT-01 @VAL-05 @unverified
  Scenario: A pod the API rejects is recorded as a FailedCreate warning
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          spec:
            containers:
            - name: nginx
              image: ""
      """
    And 60 seconds pass
    Then the events recorded for "web" are:
      """
      Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success
      Warning FailedCreate create Pod web-0 in StatefulSet web failed error: Pod "web-0" is invalid: spec.containers[0].image: Required value
      """
    And there are no pods
