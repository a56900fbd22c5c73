Feature: The OnDelete update strategy
  With `.spec.updateStrategy.type: OnDelete` (the behaviour of 1.6 and
  earlier) the controller never replaces a pod because the template changed:

  * A template change records a new revision as `updateRevision`, but no pod
    is deleted. A pod that is deleted (by the user, or because it failed)
    comes back from the new template, whatever its ordinal; partitions do not
    apply (OND-01).
  * Scaling up creates the new pods from the new template while the existing
    ones keep the old one (OND-02).
  * `currentRevision` depends on the release: up to 1.35 it never advances
    under OnDelete, even once every pod runs the new revision (upstream issues
    #73492, #106055); from 1.36 (PR #136833) it advances as it does for a
    completed rolling update (OND-03).
  * The ordering rules of the pod management policy still hold: pods are
    recreated one at a time in ascending order and removed highest first
    (OND-04).

  Tutorial erratum (section 3.5, "On Delete"): the tutorial says the strategy
  is selected by setting `.spec.template.updateStrategy.type`. The field is
  `.spec.updateStrategy.type`, next to the template, not inside it; these
  scenarios set that field.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: OnDelete
      """
    And pods web-0, web-1 and web-2 are Running and Ready

  @OND-01
  Scenario: A template change replaces no pod; a deleted pod comes back from the new template
    When I note the uids of pods web-0, web-1 and web-2
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then the StatefulSet "web" has the field "spec.updateStrategy.type" set to "OnDelete"
    And the StatefulSet "web" has 2 revisions
    And pods web-0, web-1 and web-2 keep their uids for 30 seconds
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.8"
    And the status of "web" is:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | updatedReplicas | 0     |
    When I delete the pod "web-1"
    Then eventually pods web-1 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-1 are at revision rev2
    And pods web-0 and web-2 keep their uids for 30 seconds
    And pods web-0 and web-2 are at revision rev1

  @OND-01
  Scenario: Switching a set to OnDelete and then changing the template replaces no pod
    Given the StatefulSet "db" with 2 replicas
    And pods db-0 and db-1 are Running and Ready
    When I set the update strategy of "db" to OnDelete
    And I note the uids of pods db-0 and db-1
    And I change the image of "db" to "registry.k8s.io/nginx-slim:0.9"
    Then pods db-0 and db-1 keep their uids for 30 seconds
    And pods db-0 and db-1 run the image "registry.k8s.io/nginx-slim:0.8"
    When pod "db-0" fails
    Then eventually pods db-0 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready

  @OND-02
  Scenario: Scaling up creates the new pods from the new template
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I scale "web" to 5 replicas
    Then eventually pods web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.8"
    And pods web-3 and web-4 are at revision rev2
    And pods web-0, web-1 and web-2 are at revision rev1

  @OND-03 @kube-1.35 @until-1.35
  Scenario: Up to 1.35 currentRevision never advances under OnDelete
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I delete the pods web-0, web-1 and web-2
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And the status of "web" stays as follows for 30 seconds:
      | field           | value |
      | currentRevision | rev1  |
      | updateRevision  | rev2  |
      | currentReplicas | 0     |
      | updatedReplicas | 3     |
      | readyReplicas   | 3     |

  @OND-03 @since-1.36 @unverified
  Scenario: From 1.36 currentRevision advances once every pod runs the new revision
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I delete the pods web-0, web-1 and web-2
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And eventually the status of "web" is:
      | field           | value |
      | currentRevision | rev2  |
      | updateRevision  | rev2  |
      | currentReplicas | 3     |
      | updatedReplicas | 3     |

  @OND-04
  Scenario: Deleted pods come back in ascending order, each after its predecessor is Ready
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I delete the pods web-0, web-1 and web-2
    Then eventually pods web-0, web-1 and web-2 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0, web-1 and web-2 were recreated in that order
    And pod "web-1" is re-created only after "web-0" has been Ready for 0 seconds

  @OND-04
  Scenario: Scale-down still removes the highest ordinal first, one at a time
    When I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    And I scale "web" to 1 replica
    Then at most 1 pod is terminating at any time for 30 seconds
    And the pods are web-0
    And pods were deleted in the order web-2 and web-1
    And pod "web-0" runs the image "registry.k8s.io/nginx-slim:0.8"
