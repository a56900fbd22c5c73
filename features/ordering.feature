@ORD-01
Feature: Ordered, graceful deployment and scaling
  Pods of a StatefulSet with the default OrderedReady policy are created one
  at a time in ordinal order; each waits for its predecessor to be Running
  and Ready. They are removed in reverse order.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  Scenario: Pods are created in order, each after its predecessor is Ready
    When I create the StatefulSet "web" with 3 replicas
    Then pods web-0, web-1 and web-2 become Running and Ready in that order
    And pod "web-1" is not created before "web-0" is Running and Ready
