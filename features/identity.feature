Feature: Stable pod identity
  Every pod of a StatefulSet has a fixed identity derived from the set and its
  ordinal: the name <set>-<ordinal> (no zero padding) in the set's namespace,
  the hostname equal to that name and the subdomain equal to the set's
  serviceName, both written once when the pod is created. Ordinals run from
  .spec.ordinals.start (0 when unset) for .spec.replicas pods; the tutorial's
  "0 through N-1" holds only without a start ordinal. Moving the start ordinal
  creates the new range before the old one is removed.

  A pod is built from the pod template (labels, annotations, spec) and also
  carries generateName "<set>-". Each volumeClaimTemplate becomes a volume of
  the same name backed by the claim <template>-<set>-<ordinal>, replacing any
  template volume of that name. If a pod's pod-name label goes missing the
  controller writes it back (once every lower pod is healthy); a missing
  pod-index label alone is not repaired. Pods whose name has no ordinal suffix
  are no business of the controller.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @ID-01
  Scenario: Pods are named after the set and their ordinal, without padding
    When I create the StatefulSet "web" with 11 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    Then eventually the pods are web-0, web-1, web-2, web-3, web-4, web-5, web-6, web-7, web-8, web-9 and web-10, all Running and Ready

  @ID-02 @since-1.27
  Scenario: A start ordinal shifts the range of ordinals
    When I create the StatefulSet "web" with 3 replicas and:
      """
      spec:
        ordinals:
          start: 2
      """
    Then pods web-2, web-3 and web-4 become Running and Ready in that order
    And the pods are web-2, web-3 and web-4

  @ID-03 @since-1.27
  Scenario: Moving the start ordinal creates the new range before removing the old one
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I patch "web" with:
      """
      spec:
        ordinals:
          start: 2
      """
    Then eventually the pods are web-2 and web-3, all Running and Ready
    And pods web-2 and web-3 become Running and Ready in that order
    And pod "web-1" does not start terminating before "web-3" is Running and Ready
    And pods were deleted in the order web-1 and web-0

  @ID-04
  Scenario: Hostname is the pod name and subdomain is the serviceName
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-0" has the hostname "web-0" and the subdomain "nginx"
    And pod "web-1" has the hostname "web-1" and the subdomain "nginx"

  @ID-05
  Scenario: A pod copies the template's labels, annotations and spec
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          metadata:
            labels:
              tier: frontend
            annotations:
              example.com/owner: team-a
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.9
      """
    Then pods web-0 become Running and Ready
    And pod "web-0" has the label "tier" with value "frontend"
    And pod "web-0" has the annotation "example.com/owner" with value "team-a"
    And pod "web-0" runs the image "registry.k8s.io/nginx-slim:0.9"

  @ID-05 @unverified
  Scenario: A pod carries generateName set to the set's name and a dash
    When I create the StatefulSet "web" with 1 replica
    Then pods web-0 become Running and Ready
    And pod "web-0" has the generateName "web-"

  @ID-06
  Scenario: Claim volumes replace template volumes of the same name, others are kept
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        template:
          spec:
            volumes:
            - name: www
              emptyDir: {}
            - name: config
              emptyDir: {}
      """
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-0" has the volumes config and www
    And pod "web-0" uses the claim "www-web-0" as volume "www"
    And pod "web-1" has the volumes config and www
    And pod "web-1" uses the claim "www-web-1" as volume "www"

  @ID-07 @ID-04
  Scenario: A removed pod-name label is written back without restarting the pod
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-1"
    And I remove the label "statefulset.kubernetes.io/pod-name" from pod "web-1"
    Then eventually pod "web-1" has the label "statefulset.kubernetes.io/pod-name" with value "web-1"
    And pod "web-1" keeps its uid for 30 seconds
    And pod "web-1" has the hostname "web-1" and the subdomain "nginx"

  @ID-07
  Scenario: A missing pod-index label alone is not repaired
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I remove the label "apps.kubernetes.io/pod-index" from pod "web-1"
    Then pod "web-1" stays without the label "apps.kubernetes.io/pod-index" for 60 seconds

  @ID-07 @ORD-02
  Scenario: Identity repair waits until every lower pod is Running and Ready
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When pod "web-0" fails its readiness check
    Then pod "web-0" becomes not ready
    When I remove the label "statefulset.kubernetes.io/pod-name" from pod "web-1"
    Then pod "web-1" stays without the label "statefulset.kubernetes.io/pod-name" for 30 seconds
    When pod "web-0" passes its readiness check again
    Then eventually pod "web-1" has the label "statefulset.kubernetes.io/pod-name" with value "web-1"

  @ID-08
  Scenario: A pod whose name has no ordinal is neither adopted, counted nor deleted
    Given an orphan pod "web-x" labelled "app=nginx"
    When I create the StatefulSet "web" with 2 replicas
    Then eventually the pods are web-0, web-1 and web-x, all Running and Ready
    And pod "web-x" stays without an owner for 60 seconds
    And the pods stay web-0, web-1 and web-x for 30 seconds
    And the status of "web" is:
      | field         | value |
      | replicas      | 2     |
      | readyReplicas | 2     |

  @ID-08 @ADP-01 @unverified
  Scenario: A pod whose ordinal overflows int32 is adopted but otherwise ignored
    Upstream's getParentNameAndOrdinal still returns the parent "web" for
    "web-2147483648" (only the ordinal is -1), so isMemberOf holds and the
    orphan is adopted; the sync then skips it: never deleted, not counted.

    Given an orphan pod "web-2147483648" labelled "app=nginx"
    When I create the StatefulSet "web" with 1 replica
    Then eventually the pods are web-0 and web-2147483648, all Running and Ready
    And pod "web-2147483648" is controlled by the StatefulSet "web"
    And the pods stay web-0 and web-2147483648 for 30 seconds
    And the status of "web" is:
      | field         | value |
      | replicas      | 1     |
      | readyReplicas | 1     |
