// Package probe holds the wire types shared by the netconform probe agent
// (fixtures/agent) and the test runner, plus the engine that executes a
// batch of probes.
//
// The agent runs one long-lived process per test pod. It serves echo
// endpoints (TCP, UDP, SCTP, HTTP) that answer with an [Echo] describing the
// pod that answered and the addresses it saw, and it executes [Batch]es of
// [Probe]s on request, returning one [Result] per probe.
//
// A Result's [Verdict] is deliberately fine-grained: a conformance test that
// expects traffic to be denied must be able to tell an active rejection
// ([Refused]) from a silent drop ([TimedOut]), and neither must ever be
// confused with a connection that was established but produced no usable
// reply ([Inconclusive]). Only [Connected] means success.
package probe
