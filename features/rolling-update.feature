Feature: Rolling updates
  With the default `RollingUpdate` strategy a change to the pod template is
  rolled out by deleting and recreating pods:

  * Only a change to `.spec.template` makes a new revision and restarts pods;
    changing replicas, minReadySeconds, the update strategy or the set's own
    labels and annotations does not (UPD-01).
  * Pods are replaced one at a time, from the highest ordinal down; each
    replacement must be Running and Ready before the next lower pod goes
    (UPD-02). Replacements are built from the new template and labelled with
    the update revision (UPD-03).
  * A replacement that never becomes Ready stalls the rollout for good: no
    timeout, no pod below it is touched (UPD-07).
  * When every pod runs the new revision and is Ready, the rollout completes:
    `currentRevision` becomes `updateRevision` (UPD-09).
  * Reverting the template reuses the old ControllerRevision (its number is
    bumped, no new revision is made) and rolls the pods back the same way
    (UPD-12).
  * Updates are always delete-and-recreate, never in place: every updated pod
    has a new uid (UPD-13).
  * A pod the user deletes while the rollout is under way does not trip the
    controller up: it is not deleted twice, it comes back at the update
    revision and the rollout and its counts finish as usual (UPD-14; the
    controller's "already gone" path itself cannot be seen from outside).

  Tutorial erratum (section 3.1, "Rolling Update"): the tutorial says a pod
  that fails during an update and "has not yet received the update will be
  restored to the previous version". That holds only when the set was written
  with `updateStrategy: {type: RollingUpdate}` and no `rollingUpdate` block.
  With the defaulted `rollingUpdate: {partition: 0}` (which is what you get
  when `updateStrategy` is omitted, as in the tutorial) every recreated pod
  gets the update revision, even one the rollout had not reached yet (UPD-08).

  The scenario "Rolling forward and back" follows the upstream conformance
  test "should perform rolling updates and roll backs of template
  modifications".

  Background:
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready

  @UPD-02 @UPD-03 @UPD-09 @UPD-13
  Scenario: A template change replaces pods one at a time in reverse ordinal order
    When I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then currentRevision and updateRevision of "web" differ
    And at most 1 pod of "web" is down at any time for 30 seconds
    And at most 1 pod of "web" is unavailable at any time
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9"
    And pods web-0, web-1 and web-2 are at revision rev2
    And pods web-0, web-1 and web-2 have new uids
    And pods were deleted in the order web-2, web-1 and web-0
    And pods web-2, web-1 and web-0 were recreated in that order
    And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
    And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
      | currentReplicas | 3     |
      | updatedReplicas | 3     |
      | readyReplicas   | 3     |

  @UPD-01
  Scenario: Changes outside the pod template make no revision and restart nothing
    When I note the uids of pods web-0, web-1 and web-2
    And I patch "web" with:
      """
      metadata:
        labels:
          tier: frontend
        annotations:
          team: storage
      spec:
        minReadySeconds: 1
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 1
      """
    Then pods web-0, web-1 and web-2 keep their uids for 30 seconds
    And the StatefulSet "web" has 1 revision
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |

  @UPD-01
  Scenario: A template annotation change is a new revision and rolls the pods
    When I note the uids of pods web-0, web-1 and web-2
    And I patch "web" with:
      """
      spec:
        template:
          metadata:
            annotations:
              checksum/config: "2"
      """
    Then the StatefulSet "web" has 2 revisions
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
      | updatedReplicas | 3     |
    And pods web-0, web-1 and web-2 have new uids
    And pods were deleted in the order web-2, web-1 and web-0
    And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
    And pod "web-0" is deleted only after "web-1" has been Ready for 0 seconds
    And at most 1 pod of "web" is unavailable at any time

  @UPD-07
  Scenario: A replacement that never becomes Ready stalls the rollout
    When I note the uids of pods web-0 and web-1
    And I change the image of "web" to "registry.invalid/nginx:broken"
    Then pod "web-2" has the status "ImagePullBackOff"
    And pods web-0 and web-1 keep their uids for 60 seconds
    And the status of "web" stays as follows for 60 seconds:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | readyReplicas   | 2     |
      | updatedReplicas | 1     |
      | currentReplicas | 2     |
    And pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.8"

  @UPD-08 @unverified
  Scenario: A pod that fails before the rollout reaches it comes back at the update revision
    When pod "web-2" fails its readiness check
    And I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And pod "web-0" fails
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 are at revision rev2
    And pods web-1 and web-2 keep their uids for 30 seconds
    And pods web-1 and web-2 are at revision rev1

  @UPD-08 @unverified
  Scenario: Without a rollingUpdate block a failed pod comes back at the current revision
    When I patch "web" with the JSON patch:
      """
      - op: remove
        path: /spec/updateStrategy/rollingUpdate
      """
    Then the StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate"
    When pod "web-2" fails its readiness check
    And I note the uids of pods web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And pod "web-0" fails
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev1
    And pods web-1 and web-2 keep their uids for 30 seconds
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |

  @UPD-09 @UPD-12
  Scenario: Rolling forward and back
    Then the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
    And pods web-0, web-1 and web-2 are at revision rev1
    When pod "web-1" fails its readiness check
    And I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then currentRevision and updateRevision of "web" differ
    And pods web-0, web-1 and web-2 keep their uids for 10 seconds
    When pod "web-1" passes its readiness check again
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then the StatefulSet "web" has 2 revisions
    And revision rev1 has the number 3
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev1  |
    And eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And pods web-0, web-1 and web-2 are at revision rev1
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
      | currentReplicas | 3     |
    And pods were deleted in the order web-2, web-1, web-0, web-2, web-1 and web-0
    And at most 1 pod of "web" is unavailable at any time

  @UPD-14
  Scenario: A pod the user deletes during the rollout comes back at the update revision
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually the status of "web" is:
      | field           | value |
      | currentReplicas | 2     |
      | updatedReplicas | 0     |
    When I delete the pod "web-1"
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-1, web-2 and web-0 were recreated in that order
    And pods were deleted in the order web-1 and web-0
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | currentReplicas | 3     |
      | updatedReplicas | 3     |
