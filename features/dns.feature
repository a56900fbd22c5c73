Feature: Stable network identity through a headless Service
  Each pod of a StatefulSet gets the DNS name
  <pod>.<serviceName>.<namespace>.svc.cluster.local. The name resolves only
  when a headless Service of that name selects the pod, the pod's subdomain
  (taken from the set's serviceName) equals the Service's name, and the pod is
  ready, unless the Service sets publishNotReadyAddresses, which publishes
  unready pods too (meant for peer discovery).

  The headless Service's own name resolves to the addresses of its ready pods,
  and SRV records _<port>._<proto>.<service>… list one target per named port
  and ready pod. The tutorial says "the CNAME of the headless service points
  to SRV records"; that is imprecise: the Service name has A records, and the
  SRV records live under _<port>._<proto>.<service>, pointing at the pods'
  names.

  The tutorial also says StatefulSets "currently require a Headless Service".
  They do not: serviceName may be left empty (pods then get no subdomain and
  no per-pod DNS name), and a Service named by serviceName need not exist;
  without one, the pods simply have no DNS names.

  Background:
    Given a headless Service "nginx" selecting "app=nginx"

  @DNS-01 @DNS-04
  Scenario: Each ready pod resolves under the Service's domain
    When I create the StatefulSet "web" with 2 replicas
    Then pods web-0 and web-1 become Running and Ready
    And "web-0.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-0"
    And "web-1.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-1"

  @DNS-01
  Scenario: A pod that is not ready has no DNS record until it is ready again
    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    When pod "web-1" fails its readiness check
    Then pod "web-1" becomes not ready
    When 1 seconds pass
    Then "web-1.nginx.<namespace>.svc.cluster.local" does not resolve
    And "web-0.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-0"
    When pod "web-1" passes its readiness check again
    Then pods web-1 become Running and Ready
    When 1 seconds pass
    Then "web-1.nginx.<namespace>.svc.cluster.local" resolves to the IP of pod "web-1"

  @DNS-01
  Scenario: A Service whose name differs from the pods' subdomain gives them no names
    When I create the StatefulSet "web" with 1 replica and:
      """
      spec:
        serviceName: other
      """
    Then pods web-0 become Running and Ready
    And pod "web-0" has the hostname "web-0" and the subdomain "other"
    And "nginx.<namespace>.svc.cluster.local" resolves to 1 address
    And "web-0.nginx.<namespace>.svc.cluster.local" does not resolve
    And "web-0.other.<namespace>.svc.cluster.local" does not resolve

  @DNS-02
  Scenario: The Service name has A records and SRV records for ready pods only
    The tutorial calls this "the CNAME of the headless service"; it is A
    records on the Service name plus SRV records under _web._tcp.

    Given the StatefulSet "web" with 2 replicas
    And pods web-0 and web-1 are Running and Ready
    Then "nginx.<namespace>.svc.cluster.local" resolves to 2 addresses
    And the SRV records of "_web._tcp.nginx.<namespace>.svc.cluster.local" are:
      """
      web-0.nginx.<namespace>.svc.cluster.local:80
      web-1.nginx.<namespace>.svc.cluster.local:80
      """
    When pod "web-1" fails its readiness check
    Then pod "web-1" becomes not ready
    When 1 seconds pass
    Then "nginx.<namespace>.svc.cluster.local" resolves to 1 address
    And the SRV records of "_web._tcp.nginx.<namespace>.svc.cluster.local" are:
      """
      web-0.nginx.<namespace>.svc.cluster.local:80
      """

  @DNS-02
  Scenario: A Service without ready pods does not resolve
    Given the StatefulSet "web" with 1 replica
    And pods web-0 are Running and Ready
    When pod "web-0" fails its readiness check
    Then pod "web-0" becomes not ready
    When 1 seconds pass
    Then "nginx.<namespace>.svc.cluster.local" does not resolve

  @DNS-03
  Scenario: publishNotReadyAddresses publishes pods that are not ready
    Given I apply the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: peers
      spec:
        clusterIP: None
        publishNotReadyAddresses: true
        selector:
          app: nginx
        ports:
        - name: web
          port: 80
      """
    And the StatefulSet "web" with 2 replicas and:
      """
      spec:
        serviceName: peers
      """
    And pods web-0 and web-1 are Running and Ready
    When pod "web-1" fails its readiness check
    Then pod "web-1" becomes not ready
    When 1 seconds pass
    Then "web-1.peers.<namespace>.svc.cluster.local" resolves to the IP of pod "web-1"
    And "peers.<namespace>.svc.cluster.local" resolves to 2 addresses
    And "nginx.<namespace>.svc.cluster.local" resolves to 1 address

  @DNS-05 @DEL-04
  Scenario: A StatefulSet runs without its headless Service
    The tutorial says StatefulSets require a headless Service; the controller
    never looks for it. Pods are created and become ready, they just have no
    DNS names until the Service exists.

    When I delete the Service "nginx"
    And I create the StatefulSet "web" with 2 replicas
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pod "web-0" has the hostname "web-0" and the subdomain "nginx"
    And "web-0.nginx.<namespace>.svc.cluster.local" does not resolve
    And there is no Service "nginx" for 30 seconds

  @DNS-05
  Scenario: An empty serviceName is accepted and gives pods no subdomain
    When I create the StatefulSet "web" with 2 replicas and:
      """
      spec:
        serviceName: ""
      """
    Then eventually the pods are web-0 and web-1, all Running and Ready
    And pod "web-0" has the hostname "web-0" and the subdomain ""
    And "web-0.nginx.<namespace>.svc.cluster.local" does not resolve

  @DNS-05 @unverified @since-1.33
  Scenario: A serviceName that is not a DNS label is rejected
    When I try to create the StatefulSet "web" with 1 replica and:
      """
      spec:
        serviceName: Not_A_Label
      """
    Then the request is rejected as Invalid (422)
    And the request fails with 'spec.serviceName: Invalid value: "Not_A_Label": a lowercase RFC 1123 label must consist of lower case alphanumeric characters'
    And there are no pods
