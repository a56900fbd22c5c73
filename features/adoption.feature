Feature: Adopting and releasing pods
  A StatefulSet adopts a pod without a controller (it adds itself as the
  controller owner) only when the pod's labels match its selector and the
  pod's name is <set-name>-<number>, the pod is not being deleted and the set
  is not being deleted. Pods that match the selector but are named otherwise
  (other-0, web-x) are neither adopted nor counted. Pods controlled by another
  owner are left alone, even when several StatefulSets select them.

  Adopted pods are handled by ordinal like pods the set created itself: those
  in range are kept (not restarted when built from the same template), those
  out of range are scaled away in the usual order. This is what the tutorial
  shows when it re-creates an orphan-deleted StatefulSet with fewer replicas.

  When an owned pod's labels stop matching the selector the set releases it
  (removes its owner reference) and the pod keeps running; as long as it holds
  the name, no duplicate is created. Restoring the labels gets it adopted
  again.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @ADP-01 @ADP-03
  Scenario: A re-created StatefulSet adopts the orphans and scales away the surplus
    As in the tutorial: the set is deleted with its pods orphaned, web-0 is
    deleted, and the set is created again with 2 replicas.

    Given the StatefulSet "web" with 3 replicas
    And pods web-0, web-1 and web-2 are Running and Ready
    When I delete the StatefulSet "web" with propagation Orphan
    Then the StatefulSet "web" is gone
    When I delete the pod "web-0"
    Then eventually the pods are web-1 and web-2
    When I note the uid of pod "web-1"
    And I create the StatefulSet "web" with 2 replicas
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pod "web-1" is controlled by the StatefulSet "web"
    And pod "web-0" is controlled by the StatefulSet "web"
    And pod "web-1" keeps its uid for 30 seconds
    And pod "web-2" does not start terminating before "web-0" is Running and Ready
    And pods web-0 and web-1 are at revision rev1

  @ADP-01
  Scenario: A pod whose owner reference is removed is adopted again
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-0"
    And I remove the owner references of pod "web-0"
    Then pod "web-0" is controlled by the StatefulSet "web"
    And pod "web-0" keeps its uid for 30 seconds
    And the pods stay web-0 and web-1 for 30 seconds

  @ADP-02
  Scenario: Pods matching the selector under another name are neither adopted nor counted
    Given an orphan pod "other-0" labelled "app=nginx"
    And an orphan pod "web-x" labelled "app=nginx"
    When I create the StatefulSet "web" with 1 replica
    Then eventually the pods are other-0, web-0 and web-x, all Running and Ready
    And pod "other-0" stays without an owner for 60 seconds
    And pod "web-x" stays without an owner for 10 seconds
    And the status of "web" is:
      | field         | value |
      | replicas      | 1     |
      | readyReplicas | 1     |

  @ADP-04
  Scenario: A pod whose labels stop matching is released, not duplicated
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I note the uid of pod "web-1"
    And I remove the labels of pod "web-1"
    Then pod "web-1" has no owner
    And the pods stay web-0 and web-1 for 60 seconds
    And pod "web-1" keeps its uid for 10 seconds
    And no event FailedCreate is recorded for "web"
    When I restore the label "app=nginx" of pod "web-1"
    Then pod "web-1" is controlled by the StatefulSet "web"
    And pod "web-1" keeps its uid for 30 seconds

  @ADP-05
  Scenario: Two StatefulSets selecting the same pods each keep only their own
    Given the StatefulSet "web" with 2 replicas
    And the StatefulSet "db" with 2 replicas and:
      """
      spec:
        selector:
          matchLabels:
            app: nginx
        template:
          metadata:
            labels:
              app: nginx
      """
    Then eventually the pods are db-0, db-1, web-0 and web-1, all Running and Ready
    And pods web-0 and web-1 stay controlled by the StatefulSet "web" for 60 seconds
    And pods db-0 and db-1 stay controlled by the StatefulSet "db" for 10 seconds
    And the status of "web" is:
      | field    | value |
      | replicas | 2     |
    And the status of "db" is:
      | field    | value |
      | replicas | 2     |
