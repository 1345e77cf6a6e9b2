// Package clusterlock orders the specs of runs that break a cluster on
// purpose: a file lock per cluster on the runner's host, shared or
// exclusive, taken by every spec of such a run in any of its parallel
// processes, and by the other suite packages go test runs at the same
// time against the same cluster. A lock goes with the process that held
// it, also when the process is killed, so an interrupted run leaves
// nothing locked.
package clusterlock
