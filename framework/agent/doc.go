// Package agent is the pod spec of netconform's probe agent (the program in
// fixtures/agent): its ports, its container, and the options that place it
// or give it host networking, a sidecar or a DNS config. It lives in the
// framework because the framework itself starts agents (preflight, the
// bring-up check of a new cluster); the suites' test data stays in fixtures.
package agent
