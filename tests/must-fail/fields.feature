Feature: Field checks fail on missing fields and objects (issue 17, item 1)
  A bare word is not JSON; it must not read as a missing field.

  Scenario: A missing field does not read as a bare word
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    Then the StatefulSet "web" has the field "spec.noSuchField" set to "OrderedReady"

  Scenario: A missing StatefulSet has no field of any value
    Given a headless Service "nginx" selecting "app=nginx"
    Then the StatefulSet "ghost" has the field "spec.podManagementPolicy" set to "OrderedReady"

  Scenario: A missing field does not read as null
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    Then the StatefulSet "web" has the field "spec.ordinals" set to "null"

  Scenario: A wrong bare-word value fails
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    Then the StatefulSet "web" has the field "spec.podManagementPolicy" set to "Parallel"

  Scenario: A missing pod field does not read as a bare word
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    Then pod "web-0" has the field "spec.noSuchField" set to "null"

  Scenario: A missing pod has no field
    Given a headless Service "nginx" selecting "app=nginx"
    Then pod "web-7" has the field "spec.restartPolicy" set to "null"

  Scenario: A missing StatefulSet does not "have no field"
    Given a headless Service "nginx" selecting "app=nginx"
    Then the StatefulSet "ghost" has no field "spec.ordinals"
