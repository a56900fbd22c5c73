Feature: Forced rollback of a broken rolling update
  A rolling update to a template whose pods never become Ready stops at the
  first broken pod (UPD-07). Reverting the template is then not always
  enough:

  * With OrderedReady, reverting the template switches `updateRevision` back
    to the old revision, but the broken pod is not replaced: the controller
    waits for it to become Ready before doing anything else, which never
    happens. Only when you delete it is it recreated from the reverted
    template, and the set recovers (FR-01, upstream issue #67250, still
    open). This is the "Forced Rollback" section of the StatefulSet concept
    page.
  * Exception: if the broken pod ends in phase Failed (or Succeeded), the
    controller deletes it like any failed pod and recreates it from the
    reverted template (FR-02).
  * With Parallel the controller does not wait on the broken pod, so the
    revert alone replaces it (FR-03; derived from the controller code, no
    upstream test asserts it).

  A broken template here is an image whose registry host ends in `.invalid`:
  it can never be pulled, on any cluster, so its pod stays Pending in
  ErrImagePull / ImagePullBackOff.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @FR-01
  Scenario: With OrderedReady the broken pod must be deleted by hand after the revert
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.invalid/nginx:broken"
    Then pod "web-2" has the status "ImagePullBackOff"
    When I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then the StatefulSet "web" has 2 revisions
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
    And pods web-0, web-1 and web-2 keep their uids for 60 seconds
    And pods web-2 are at revision rev2
    And pod "web-2" has the status "ImagePullBackOff"
    When I delete the pod "web-2"
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev1
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
      | readyReplicas   | 3     |
      | updatedReplicas | 3     |

  @FR-02
  Scenario: With OrderedReady a broken pod that fails is replaced from the reverted template
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.invalid/nginx:broken"
    Then pod "web-2" has the status "ImagePullBackOff"
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    And I note the uid of pod "web-2"
    And pod "web-2" fails
    Then pod "web-2" has a new uid
    And eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev1

  @FR-03 @unverified @no-gate-MaxUnavailableStatefulSet
  Scenario: With Parallel the revert alone replaces the broken pod
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.invalid/nginx:broken"
    Then pod "web-2" has the status "ImagePullBackOff"
    When I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then eventually pods web-2 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-2 have new uids
    And pods web-0 and web-1 keep their uids for 30 seconds
    And pods web-0, web-1 and web-2 are at revision rev1
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
      | updatedReplicas | 3     |
