Feature: Rollout scenarios catch a controller that takes down too many pods at once (issue 17)
  Each scenario stands a broken controller in with a set-up that makes the reference
  controller do what the broken one would (maxUnavailable larger than the scenario's
  budget), runs the original scenario's checks, which all pass, and ends with the check
  the scenario gained, which must fail.

  @gate-MaxUnavailableStatefulSet
  Scenario: MU-03 with three old pods deleted at once
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 5 replicas and:
      """
      spec:
        podManagementPolicy: Parallel
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
            maxUnavailable: 3
      """
    And pods web-0, web-1, web-2, web-3 and web-4 are Running and Ready
    When I note the uids of pods web-0 and web-1
    And I change the image of "web" to "registry.k8s.io/nginx-slim:0.9"
    Then pods web-4 and web-3 are terminating at the same time
    And eventually pods web-2, web-3 and web-4 run the image "registry.k8s.io/nginx-slim:0.9" and are Running and Ready
    And pods web-0 and web-1 keep their uids for 30 seconds
    And at most 2 pods of "web" are unavailable at any time

  @gate-MaxUnavailableStatefulSet
  Scenario: Tutorial 3.1 with every stale pod deleted in one sync
    Given a headless Service "nginx" selecting "app=nginx"
    And the StatefulSet "web" with 3 replicas and:
      """
      spec:
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 3
      """
    And pods web-0, web-1 and web-2 are Running and Ready
    When I patch "web" with the JSON patch:
      """
      [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"gcr.io/google_containers/nginx-slim:0.8"}]
      """
    Then eventually pods web-0, web-1 and web-2 run the image "gcr.io/google_containers/nginx-slim:0.8" and are Running and Ready
    And pods were deleted in the order web-2, web-1 and web-0
    And pods web-0, web-1 and web-2 are at revision rev2
    And pod "web-1" is deleted only after "web-2" has been Ready for 0 seconds
