// Package cni knows the CNI plugins netconform can install on the clusters
// it creates: the images each needs and its manifest, written for the
// project. Detection of the CNI running on any cluster builds on it.
package cni
