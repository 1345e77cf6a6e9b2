// Package mesh observes the data plane node by node: one agent pod on
// every node (and, for node traffic, one hostNetwork agent on every node),
// every ordered pair of nodes probed for every check, in ONE batch per
// source agent, all sources at once. A 50-node cluster then costs about
// what a 3-node one does: one exec round trip and one probe timeout.
//
// Each check gives a node × node table whose failed cells say how they
// failed (timed out, refused, answered from a translated address, answered
// by the wrong peer, payload lost), so a failure names the node pair and
// the node at fault instead of "Expected TimedOut to equal Connected".
//
// The package is plain Go; framework/e2e turns its reports into failures.
package mesh
