Feature: The scale subresource and everyday API operations
  A StatefulSet has a /scale subresource, which is what `kubectl scale` and autoscalers
  use: reading it gives spec.replicas as the desired count, status.replicas as the
  current count and the set's selector as a string; writing it sets spec.replicas,
  which is a spec change and bumps metadata.generation.

  StatefulSets take part in the ordinary API operations: they can be listed by label,
  patched (labels, replicas and the pod template in one strategic merge patch, the
  template change reaching the pods) and deleted as a group by label.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @SC-01
  Scenario: /scale reads and writes spec.replicas
    When I create the StatefulSet "web" with 1 replica
    Then pods web-0 become Running and Ready
    And the scale of "web" reports 1 desired and 1 current replica with selector "app=nginx"
    When I scale "web" to 2 replicas
    Then the StatefulSet "web" has the field "spec.replicas" set to "2"
    And the status of "web" has generation 2
    And eventually the pods are web-0 and web-1, all Running and Ready
    And the scale of "web" reports 2 desired and 2 current replicas with selector "app=nginx"
    When I scale "web" to 4 replicas
    Then the status of "web" has generation 3
    And eventually the pods are web-0, web-1, web-2 and web-3, all Running and Ready
    And the scale of "web" reports 4 desired and 4 current replicas with selector "app=nginx"

  @SC-02
  Scenario: StatefulSets are listed by label, patched, and deleted as a group
    Given the StatefulSet "web" with 1 replica and:
      """
      metadata:
        labels:
          e2e: conformance
      """
    And the StatefulSet "db" with 1 replica and:
      """
      metadata:
        labels:
          e2e: conformance
      """
    And the StatefulSet "cache" with 1 replica
    And pods web-0, db-0 and cache-0 are Running and Ready
    Then the StatefulSets labelled "e2e=conformance" are db and web
    When I patch "web" with:
      """
      metadata:
        labels:
          patched: "true"
      spec:
        replicas: 2
        template:
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.9
      """
    Then eventually pods web-0 and web-1 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And the StatefulSets labelled "patched=true" are web
    And the StatefulSets labelled "e2e=conformance" are db and web
    When I delete the StatefulSets labelled "e2e=conformance"
    Then the StatefulSet "web" is gone
    And the StatefulSet "db" is gone
    And eventually the pods are cache-0
