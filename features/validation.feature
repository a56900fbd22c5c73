Feature: Validation of StatefulSets
  The API server rejects an invalid StatefulSet with 422 Invalid and a message naming
  every offending field, in the exact words below; nothing is created.

  The name must be a DNS label: lower case letters, digits and '-', at most 63
  characters, no dots. The selector is required, may not be empty and must match the
  pod template's labels. replicas, minReadySeconds, ordinals.start and the rolling
  update partition may not be negative. podManagementPolicy is OrderedReady or Parallel;
  updateStrategy.type is RollingUpdate or OnDelete, and only RollingUpdate may carry a
  rollingUpdate block; retention policies are Retain or Delete. The pod template must
  restart Always and may not set activeDeadlineSeconds; the rest of the pod spec is not
  validated with the set, so some mistakes only show when pods are created.

  After creation only replicas, ordinals, template, updateStrategy,
  persistentVolumeClaimRetentionPolicy, minReadySeconds and, in newer releases,
  revisionHistoryLimit may change (1.31 and 1.32 forbid it; 1.33 as the first release
  that allows it is not confirmed, hence @unverified). terminationGracePeriodSeconds: 0 is accepted, and a
  negative revisionHistoryLimit is accepted with a warning.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @VAL-01
  Scenario: A name with a dot is rejected
    When I try to create the StatefulSet "web.v1" with 1 replica
    Then the request is rejected as Invalid (422)
    And the request fails with 'StatefulSet.apps "web.v1" is invalid: metadata.name: Invalid value: "web.v1": must not contain dots'
    And there are no pods

  @VAL-01
  Scenario: A name with upper-case letters is rejected
    When I try to create the StatefulSet "Web" with 1 replica
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "Web" is invalid: metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')
      """

  @VAL-01
  Scenario: A name longer than 63 characters is rejected
    When I try to apply the manifest:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: a-statefulset-name-that-is-one-character-longer-than-a-dns-label
      spec:
        serviceName: nginx
        replicas: 1
        selector:
          matchLabels:
            app: nginx
        template:
          metadata:
            labels:
              app: nginx
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    Then the request is rejected as Invalid (422)
    And the request fails with 'metadata.name: Invalid value: "a-statefulset-name-that-is-one-character-longer-than-a-dns-label": must be no more than 63 characters'
    And there are no pods

  @VAL-02
  Scenario: A selector that does not match the template labels is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          metadata:
            labels:
              app: other
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`
      """
    And there are no pods

  @VAL-02
  Scenario: A missing selector is required
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        selector: null
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`]
      """

  @VAL-02
  Scenario: An empty selector is rejected
    When I try to apply the manifest:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: nginx
        selector:
          matchLabels: {}
        template:
          metadata:
            labels:
              app: nginx
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    Then the request is rejected as Invalid (422)
    And the request fails with 'StatefulSet.apps "web" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for statefulset'

  @VAL-03
  Scenario: Negative counts are rejected
    When I try to create the StatefulSet "web" with -1 replicas and:
      """
      spec:
        minReadySeconds: -2
        ordinals:
          start: -3
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: -4
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: [spec.updateStrategy.rollingUpdate.partition: Invalid value: -4: must be greater than or equal to 0, spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0, spec.ordinals.start: Invalid value: -3: must be greater than or equal to 0]
      """

  @VAL-03 @ORD-10
  Scenario: Zero replicas is valid
    When I try to create the StatefulSet "web" with 0 replicas
    Then the request succeeds
    And no pod exists for 30 seconds
    And the status of "web" has replicas 0

  @VAL-04
  Scenario: An unknown pod management policy is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        podManagementPolicy: Sequential
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec.podManagementPolicy: Invalid value: "Sequential": must be 'OrderedReady' or 'Parallel'
      """

  @VAL-04
  Scenario: An unknown update strategy type is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        updateStrategy:
          type: Recreate
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec.updateStrategy: Invalid value: {"Type":"Recreate","RollingUpdate":null}: must be 'RollingUpdate' or 'OnDelete'
      """

  @VAL-04
  Scenario: A rollingUpdate block with the OnDelete strategy is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        updateStrategy:
          type: OnDelete
          rollingUpdate:
            partition: 1
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: {"Partition":1,"MaxUnavailable":null}: only allowed for updateStrategy 'RollingUpdate'
      """

  @VAL-04
  Scenario: An unknown claim retention policy is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        persistentVolumeClaimRetentionPolicy:
          whenScaled: Keep
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"
      """

  @VAL-05
  Scenario: The pod template must restart Always and may not set activeDeadlineSeconds
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          spec:
            restartPolicy: OnFailure
            activeDeadlineSeconds: 600
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: [spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always", spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported]
      """
    And there are no pods

  @VAL-05 @EVT-01 @unverified
  Scenario: A pod spec mistake passes with the set and fails when the pod is created
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        template:
          spec:
            containers:
            - name: nginx
              image: ""
      """
    Then the request succeeds
    And an event FailedCreate 'create Pod web-0 in StatefulSet web failed error: Pod "web-0" is invalid: spec.containers[0].image: Required value' is recorded for "web"
    And there are no pods

  @VAL-06 @since-1.33 @unverified
  Scenario: Changing an immutable field is forbidden
    Given the StatefulSet "web" with 2 replicas
    When I try to patch "web" with:
      """
      spec:
        podManagementPolicy: Parallel
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden
      """
    When I try to patch "web" with:
      """
      spec:
        serviceName: other
      """
    Then the request fails with "updates to statefulset spec for fields other than"
    When I try to patch "web" with:
      """
      spec:
        selector:
          matchLabels:
            tier: web
        template:
          metadata:
            labels:
              tier: web
      """
    Then the request fails with "updates to statefulset spec for fields other than"
    When I try to patch "web" with:
      """
      spec:
        volumeClaimTemplates:
        - metadata:
            name: logs
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
      """
    Then the request fails with "updates to statefulset spec for fields other than"
    And the StatefulSet "web" has the field "spec.podManagementPolicy" set to "OrderedReady"
    And the StatefulSet "web" has the field "spec.serviceName" set to "nginx"
    And the status of "web" has generation 1

  @VAL-06 @since-1.33 @unverified
  Scenario: The mutable fields may change
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When I try to patch "web" with:
      """
      spec:
        replicas: 3
        minReadySeconds: 1
        revisionHistoryLimit: 5
        ordinals:
          start: 0
        updateStrategy:
          rollingUpdate:
            partition: 1
        persistentVolumeClaimRetentionPolicy:
          whenScaled: Delete
        template:
          metadata:
            annotations:
              note: changed
      """
    Then the request succeeds
    And the status of "web" has generation 2
    And the StatefulSet "web" has the field "spec.revisionHistoryLimit" set to "5"
    And eventually the pods are web-0, web-1 and web-2, all Running and Ready

  @VAL-06 @kube-1.32
  Scenario: Before 1.33 revisionHistoryLimit is immutable too
    Given the StatefulSet "web" with 2 replicas
    When I try to patch "web" with:
      """
      spec:
        revisionHistoryLimit: 3
      """
    Then the request is rejected as Invalid (422)
    And the request fails with:
      """
      StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden
      """
    And the StatefulSet "web" has the field "spec.revisionHistoryLimit" set to "10"

  @VAL-07
  Scenario: terminationGracePeriodSeconds 0 is accepted
    When I try to create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        template:
          spec:
            terminationGracePeriodSeconds: 0
      """
    Then the request succeeds
    And the StatefulSet "web" has the field "spec.template.spec.terminationGracePeriodSeconds" set to "0"
    And pods web-0 and web-1 become Running and Ready
    When I scale "web" to 1 replica
    Then eventually the pods are web-0

  @VAL-08
  Scenario: A negative revisionHistoryLimit is accepted with a warning
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        revisionHistoryLimit: -1
      """
    Then the request succeeds
    And the API returned the warning "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
    And the StatefulSet "web" has the field "spec.revisionHistoryLimit" set to "-1"

  @VAL-08
  Scenario: Updating to a negative revisionHistoryLimit returns the warning
    Given I apply the manifest:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: nginx
        replicas: 1
        selector:
          matchLabels:
            app: nginx
        template:
          metadata:
            labels:
              app: nginx
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    Then the StatefulSet "web" has the field "spec.revisionHistoryLimit" set to "10"
    When I apply the manifest:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: nginx
        replicas: 1
        revisionHistoryLimit: -1
        selector:
          matchLabels:
            app: nginx
        template:
          metadata:
            labels:
              app: nginx
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    Then the API returned the warning "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
    And the StatefulSet "web" has the field "spec.revisionHistoryLimit" set to "-1"
