Feature: Labels and owner references on pods
  The controller labels every pod it creates: statefulset.kubernetes.io/pod-name
  with the pod's own name (so a Service can select a single pod),
  apps.kubernetes.io/pod-index with its ordinal (the real ordinal, also with a
  start ordinal), and controller-revision-hash with the full name of the
  ControllerRevision the pod was built from (<set>-<hash>, not just the hash).
  These are written over any same-named template labels. Every pod has exactly
  one owner reference: a controller reference to its StatefulSet.

  A StatefulSet name only has to be a valid DNS label (up to 63 characters),
  but the controller puts "<set>-<hash>" and "<set>-<ordinal>" into label
  values and the hostname, which must also fit in 63 characters. A set with a
  60-character name is therefore accepted by the API, yet none of its pods can
  be created: the controller keeps failing with FailedCreate events. In
  practice a set name should stay within about 52 characters.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @LBL-01 @LBL-02 @since-1.28
  Scenario: Every pod carries its name and its ordinal as labels
    When I create the StatefulSet "web" with 3 replicas
    Then pods web-0, web-1 and web-2 become Running and Ready
    And every pod of "web" carries its own name in the pod-name label and its ordinal in the pod-index label
    And pod "web-2" has the label "statefulset.kubernetes.io/pod-name" with value "web-2"
    And pod "web-2" has the label "apps.kubernetes.io/pod-index" with value "2"

  @LBL-02 @ID-02 @since-1.28
  Scenario: With a start ordinal the pod-index label is the ordinal, not the position
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        ordinals:
          start: 5
      """
    Then pods web-5 and web-6 become Running and Ready
    And pod "web-5" has the label "apps.kubernetes.io/pod-index" with value "5"
    And pod "web-6" has the label "apps.kubernetes.io/pod-index" with value "6"

  @LBL-03
  Scenario: The revision label carries the full ControllerRevision name
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And revision rev1 is named after "web" with a hash label
    And pods web-0 and web-1 are at revision rev1
    And the status of "web" is:
      | field          | value |
      | updateRevision | rev1  |

  @LBL-04
  Scenario: Controller labels win over template labels of the same key
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        template:
          metadata:
            labels:
              tier: frontend
              statefulset.kubernetes.io/pod-name: from-template
              apps.kubernetes.io/pod-index: from-template
              controller-revision-hash: from-template
      """
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-1" has the label "tier" with value "frontend"
    And pod "web-1" has the label "app" with value "nginx"
    And every pod of "web" carries its own name in the pod-name label and its ordinal in the pod-index label
    And pods web-0 and web-1 are at revision rev1
    And revision rev1 is named after "web" with a hash label

  @LBL-05
  Scenario: Each pod has exactly one owner, a controller reference to its set
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-0" is controlled by the StatefulSet "web"
    And pod "web-1" is controlled by the StatefulSet "web"

  @LBL-06 @VAL-01
  Scenario: A 60-character set name is accepted but its pods cannot be created
    When I create the StatefulSet "a-very-long-statefulset-name-that-is-still-a-valid-dns-label" with 1 replica
    Then an event FailedCreate "must be no more than 63 characters" is recorded for "a-very-long-statefulset-name-that-is-still-a-valid-dns-label"
    And no pod exists for 120 seconds
