Feature: Checks against notes, status counts and owners need what they name (issue 17, items 4 and 5)

  Scenario: A pod uid nobody noted is not "an old uid"
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    Then pod "web-0" has a new uid

  Scenario: Pod uids nobody noted are not "new uids"
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then pods web-0 and web-1 have new uids

  Scenario: A claim uid nobody noted is not "an old uid"
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    Then claim "www-web-0" has a new uid

  Scenario: An unknown status count does not read as 0
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 1 replica
    Then within 30 seconds the status of "web" has readyReplica 0

  Scenario: Revisions of a StatefulSet that does not exist are not equal
    Given a headless Service "nginx" selecting "app=nginx"
    Then eventually currentRevision and updateRevision of "ghost" are equal
