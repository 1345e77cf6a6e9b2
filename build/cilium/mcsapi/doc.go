// Package controllers stands in for sigs.k8s.io/mcs-api/controllers,
// whose module the Go module proxy refuses (403). Cilium's operator and
// clustermesh code use one name of it: the annotation a ServiceImport
// carries naming its derived Service. Written for netconform; only what
// Cilium references.
package controllers

// DerivedServiceAnnotation is set on a ServiceImport to the name of the
// Service derived from it (documented in Cilium's clustermesh MCS-API
// guide as multicluster.kubernetes.io/derived-service).
const DerivedServiceAnnotation = "multicluster.kubernetes.io/derived-service"
