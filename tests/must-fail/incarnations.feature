Feature: Timeline orders read the incarnation they name (issue 17, items 2 and 3)

  Scenario: A re-creation alongside its predecessor is not "after it was Ready"
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-0 are Running and Ready
    When I scale "web" to 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And pod "web-1" is created only after "web-0" has been Ready for 0 seconds
    When I delete the pods web-0 and web-1
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pod "web-1" is re-created only after "web-0" has been Ready for 0 seconds

  Scenario: A pod never re-created has no re-creation to check
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then pod "web-1" is re-created only after "web-0" has been Ready for 0 seconds

  Scenario: Parallel pods Ready at the same instant did not become Ready in order
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    Then pods web-0, web-1 and web-2 become Running and Ready in that order

  Scenario: Pods created in order but Ready out of order did not become Ready in that order
    Given a headless Service "nginx" selecting "app=nginx"
    And pod "web-0" fails its readiness check
    And the StatefulSet "web" with 3 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
      """
    And pods web-1 and web-2 are Running and Ready
    When pod "web-0" passes its readiness check again
    Then pods web-0, web-1 and web-2 become Running and Ready in that order
