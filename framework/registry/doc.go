// Package registry moves the images a run starts into a container
// registry, for clusters that cannot be given images any other way (a
// cluster we did not build, an air-gapped site): Push copies them from the
// local Docker engine to any registry, and Up starts a registry of our own
// (the CNCF Distribution registry, built offline like every image) on the
// kind network, where both the runner's host and kind nodes reach it.
package registry
