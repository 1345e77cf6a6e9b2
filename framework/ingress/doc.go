// Package ingress knows Ingress controllers as the suites meet them: which
// IngressClasses a cluster has, which pods and Service serve each, where
// a request can enter (the runner's host through a LoadBalancer address
// or a NodePort, a pod through the ClusterIP), what each controller is
// known not to do (its profile), and whether an answer came from the
// backend a route expects. It is plain Go and never imports Ginkgo.
package ingress
