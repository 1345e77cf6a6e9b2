// Package rbac is the least privilege a netconform run needs, as Go rules:
// the ClusterRole a non-Disruptive run needs (Runner), the extra one the
// Disruptive specs need (Disruptive), each rule with the reason it exists;
// the check of a kubeconfig against them by SelfSubjectAccessReview
// (Missing), which preflight runs so that a missing permission is an
// error naming it before any spec starts; and a ServiceAccount bound only
// to them with a kubeconfig from its token (Grant), to run with and so
// prove the rules are enough.
package rbac
