// Package images is the one catalog of every container image netconform
// runs, and the offline builder that makes each of them on a machine without
// a container registry: Go programs compiled from their modules, Debian root
// filesystems from debootstrap, assembled with the local Docker engine.
//
// Every build step is cached by the content of its inputs (under
// ~/.cache/netconform, and as labels on the Docker images), so a second
// build rebuilds nothing, and a failed step leaves no cache entry behind.
package images
