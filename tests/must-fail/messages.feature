Feature: Rejections are checked for their reason, not only for the field they name (issue 17)

  Scenario: DNS-05's serviceName rejection, held to a different reason
    Given a headless Service "nginx" selecting "app=nginx"
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        serviceName: Not_A_Label
      """
    Then the request fails with "spec.serviceName"
    And the request fails with 'spec.serviceName: Invalid value: "Not_A_Label": must be no more than 63 characters'
