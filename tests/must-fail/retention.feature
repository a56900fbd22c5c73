Feature: Defaulted retention policies are checked by behaviour, not only by the field (issue 17)
  DEF-05 and RET-07 used to check only the defaulted field, which the API server writes:
  a controller that acted as if the missing side were Delete passed them. Each scenario
  stands that controller in with the side set to Delete explicitly, and ends with the
  behavioural check the scenario gained.

  Scenario: DEF-05's half-set policy on a controller that deletes claims on scale-down
    Given a headless Service "nginx" selecting "app=nginx"
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
          whenScaled: Delete
      """
    Then pods web-0 become Running and Ready
    And claim "www-web-0" is owned by the StatefulSet "web" only
    When I note the uid of claim "www-web-0"
    And I scale "web" to 0 replicas
    Then eventually there are no pods
    And claim "www-web-0" keeps its uid for 30 seconds

  Scenario: RET-07's missing policy on a controller that deletes claims with the set
    Given a headless Service "nginx" selecting "app=nginx"
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenDeleted: Delete
      """
    Then pods web-0 become Running and Ready
    And claim "www-web-0" has no owner
