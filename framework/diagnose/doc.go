// Package diagnose says why a Service or DNS check failed, for its
// failure message: what programs Service IPs, what a Service's endpoints
// hold and whether each answers, and which part of the cluster DNS does
// not answer. Everything it reads is passed in (the client, the run's
// detected CNI, the pod and Service concerned): it keeps no state and
// never imports Ginkgo; framework/e2e passes the run's in.
package diagnose
