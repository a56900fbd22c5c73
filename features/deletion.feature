Feature: Deleting a StatefulSet
  Deleting a StatefulSet through apps/v1 cascades in the background by
  default: the garbage collector deletes the pods and the set's
  ControllerRevisions, all at once and in no particular order. The tutorial
  (section 4.2) shows and describes the pods being terminated one at a time
  in reverse ordinal order; that was the old kubectl reaper, and the seed's
  own limitations say there is no ordering guarantee on deletion. To shut
  pods down in order, scale the set to 0 before deleting it.

  Once a StatefulSet is being deleted (it has a deletionTimestamp, e.g. during
  a foreground deletion) the controller creates, deletes and repairs no pods.
  An orphaning delete (propagation Orphan, kubectl --cascade=orphan; the
  tutorial's --cascade=false is the deprecated spelling) removes only the set:
  the pods keep running, lose their owner reference and keep their labels,
  and a deleted one is not recreated. The headless Service is never created,
  changed or deleted by the controller.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @DEL-01
  Scenario: A cascading delete terminates all pods together, not in reverse order
    The tutorial shows web-2, web-1, web-0 terminating one after another;
    the garbage collector deletes them all at once.

    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I delete the StatefulSet "web"
    Then pods web-0, web-1 and web-2 are terminating at the same time
    And the StatefulSet "web" is gone
    And eventually there are no pods
    And eventually there are no ControllerRevisions

  @DEL-01 @ORD-06
  Scenario: Scaling to zero before deleting gives an ordered shutdown
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I scale "web" to 0 replicas
    Then eventually there are no pods
    And pods were deleted in the order web-2, web-1 and web-0
    When I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone

  @DEL-02
  Scenario: A StatefulSet being deleted does not replace its pods
    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When a finalizer holds the pod "web-0"
    And I delete the StatefulSet "web" with propagation Foreground
    Then the StatefulSet "web" is being deleted
    And eventually the pods are web-0
    And the pods stay web-0 for 60 seconds
    When the finalizer on the pod "web-0" is removed
    Then the StatefulSet "web" is gone
    And eventually there are no pods

  @DEL-03
  Scenario: An orphaning delete leaves the pods running without an owner
    The tutorial uses --cascade=false, the deprecated spelling of
    --cascade=orphan.

    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I delete the StatefulSet "web" with propagation Orphan
    Then the StatefulSet "web" is gone
    And the pods stay web-0 and web-1 for 30 seconds
    And pod "web-0" has no owner
    And pod "web-1" has no owner
    And pods web-0 and web-1 are at revision rev1
    And pod "web-1" has the label "statefulset.kubernetes.io/pod-name" with value "web-1"
    When I delete the pod "web-0"
    Then eventually the pods are web-1
    And the pods stay web-1 for 60 seconds

  @DEL-04
  Scenario: The headless Service outlives the StatefulSet
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then the Service "nginx" stays in place for 10 seconds
    When I delete the StatefulSet "web"
    Then the StatefulSet "web" is gone
    And eventually there are no pods
    And the Service "nginx" stays in place for 30 seconds

  @DEL-04
  Scenario: A deleted headless Service is not recreated by the controller
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I delete the Service "nginx"
    Then there is no Service "nginx" for 60 seconds
    And the pods stay web-0 and web-1 for 30 seconds
