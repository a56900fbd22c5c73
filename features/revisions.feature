Feature: Revisions of the pod template
  Every version of a StatefulSet's pod template is kept as a ControllerRevision. A
  revision is named `<set>-<hash>`, labelled with that hash and with the template's
  labels, annotated like the set, controlled by the set, and holds the pod template
  and nothing else. The first sync creates revision 1 and makes it both the current and
  the update revision.

  Changing anything but the template (replicas, labels, strategy, minReadySeconds)
  reuses the newest revision. A template equal to an older revision brings that
  revision back with a higher number instead of creating a new one. A name already
  taken by a revision with other data is a hash collision: status.collisionCount goes
  up and the name is computed again (upstream leaves the first hash in the revision's
  hash label, so after a collision label and name no longer agree). Old revisions beyond spec.revisionHistoryLimit
  are deleted oldest first, except those that are current, the update target or still
  worn by a pod; a negative limit keeps them all. Revisions left without a controller
  that match the selector are adopted; those of another controller are left alone.
  A revision's data never changes; only its number may.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @REV-01
  Scenario: A revision is named after its set, controlled by it and holds only the pod template
    Given the StatefulSet "web" with 1 replica and:
      """
      metadata:
        annotations:
          team: storage
      spec:
        template:
          metadata:
            labels:
              tier: frontend
      """
    And pods web-0 are Running and Ready
    Then revision rev1 is named after "web" with a hash label
    And revision rev1 is controlled by the StatefulSet "web"
    And revision rev1 has the number 1
    And revision rev1 has the field "metadata.labels.app" set to "nginx"
    And revision rev1 has the field "metadata.labels.tier" set to "frontend"
    And revision rev1 has the field "metadata.annotations.team" set to "storage"
    And revision rev1 stores only the pod template
    And revision rev1 has the field "data.spec.template.spec.containers.0.image" set to "registry.k8s.io/nginx-slim:0.8"

  @REV-02 @LBL-03
  Scenario: The first sync creates one revision that is both current and update revision
    When I create the StatefulSet "web" with 3 replicas
    Then pods web-0, web-1 and web-2 become Running and Ready
    And the StatefulSet "web" has 1 revision
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
    And pods web-0, web-1 and web-2 are at revision rev1

  @REV-03 @UPD-01
  Scenario: Changes outside the pod template reuse the newest revision
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-0"
    And I patch "web" with:
      """
      metadata:
        labels:
          owner: team-a
      spec:
        minReadySeconds: 1
        updateStrategy:
          rollingUpdate:
            partition: 1
      """
    And I scale "web" to 3 replicas
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And the revisions of "web" are rev1
    And revision rev1 has the number 1
    And pods web-0, web-1 and web-2 are at revision rev1
    And pod "web-0" keeps its uid for 30 seconds

  @REV-03 @UPD-12
  Scenario: Rolling back to an earlier template brings its revision back with a higher number
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
    And the revisions of "web" are rev1 and rev2
    And revision rev2 has the number 2
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.8"
    Then eventually pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.8" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |
    And the revisions of "web" are rev1 and rev2
    And revision rev1 has the number 3
    And pods web-0 and web-1 are at revision rev1

  @REV-03
  Scenario: The current revision falls back to the update revision once its ControllerRevision is gone
    Given the StatefulSet "web" with 2 replicas and:
      """
      spec:
        updateStrategy:
          rollingUpdate:
            partition: 2
      """
    And pods web-0 and web-1 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
    When I delete the revision rev1
    And I label pod "web-0" with "touched=yes"
    Then eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
    And the revisions of "web" are rev2
    And pods web-0 and web-1 are at revision rev1
    And pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.8"

  @REV-04
  Scenario: A revision name taken by other data is resolved with the collision count
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When I delete the StatefulSet "web"
    Then eventually there are no pods
    When a ControllerRevision with other data takes the name of revision rev1
    And I create the StatefulSet "web" with 1 replica
    Then pods web-0 become Running and Ready
    And the status of "web" has collisionCount 1
    And the revisions of "web" are rev2
    And revision rev2 is controlled by the StatefulSet "web"
    And pods web-0 are at revision rev2
    And revision rev1 has the field "metadata.labels.app" set to "squatter"
    When I try to patch the status of "web" with:
      """
      status:
        collisionCount: 0
      """
    Then the request is rejected as Invalid (422)
    And the request fails with "status.collisionCount: Invalid value: 0: cannot be decremented"

  @REV-05
  Scenario: History beyond revisionHistoryLimit is deleted oldest first
    Given the StatefulSet "web" with 1 replica and:
      """
      spec:
        revisionHistoryLimit: 2
      """
    And pods web-0 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.10"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.10" and are Running and Ready
    And the revisions of "web" are rev1, rev2 and rev3
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.11"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.11" and are Running and Ready
    And the revisions of "web" are rev2, rev3 and rev4
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.12"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.12" and are Running and Ready
    And the revisions of "web" are rev3, rev4 and rev5

  @REV-05 @OND-01
  Scenario: Revisions that are current, targeted or worn by a pod survive a limit of 0
    Given the StatefulSet "web" with 3 replicas and:
      """
      spec:
        revisionHistoryLimit: 0
        updateStrategy:
          type: OnDelete
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I delete the pod "web-2"
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pods web-2 are at revision rev2
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.10"
    Then the revisions of "web" are rev1, rev2 and rev3
    When I delete the pod "web-2"
    Then eventually the pods are web-0, web-1 and web-2, all Running and Ready
    And pods web-2 are at revision rev3
    And pods web-0 and web-1 are at revision rev1
    And the revisions of "web" are rev1 and rev3

  @REV-05 @VAL-08
  Scenario: A negative revisionHistoryLimit keeps every revision
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        revisionHistoryLimit: -1
      """
    Then the request succeeds
    And the API returned the warning "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
    And pods web-0 become Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.10"
    Then eventually pods web-0 run the image "registry.k8s.io/nginx-slim:0.10" and are Running and Ready
    And the revisions of "web" are rev1, rev2 and rev3

  @REV-06 @DEL-03 @ADP-03
  Scenario: A re-created StatefulSet adopts its orphaned revision and keeps the running pods
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-0"
    And I delete the StatefulSet "web" with propagation Orphan
    Then the StatefulSet "web" is gone
    And revision rev1 has no owner
    And pod "web-0" has no owner
    When I create the StatefulSet "web" with 2 replicas
    Then revision rev1 is controlled by the StatefulSet "web"
    And the revisions of "web" are rev1
    And pod "web-0" is controlled by the StatefulSet "web"
    And pod "web-0" keeps its uid for 30 seconds
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev1  |

  @REV-06
  Scenario: A revision controlled by another owner is not adopted
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    And a ControllerRevision "web-foreign" labelled "app=nginx" controlled by the Service "nginx"
    When I label pod "web-0" with "touched=yes"
    And 30 seconds pass
    Then revision web-foreign keeps only its foreign owner "nginx"
    And the revisions of "web" are rev1

  @REV-07
  Scenario: The data of a revision cannot change, its number can
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When I try to change the data of revision rev1
    Then the request is rejected as Invalid (422)
    And the request fails with 'data: Invalid value: {"spec":{}}: field is immutable'
    And revision rev1 stores only the pod template
    When I try to set the number of revision rev1 to 7
    Then the request succeeds
    And revision rev1 has the number 7
