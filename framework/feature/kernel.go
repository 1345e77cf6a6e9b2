package feature

import (
	"context"
	"fmt"
	"strings"

	"github.com/netconform/netconform/framework/probe"
)

// SCTPProbeTimeoutMs bounds the one SCTP probe of detectKernelSCTP.
const SCTPProbeTimeoutMs = 2000

// detectKernelSCTP has the agent open an SCTP association to its own echo
// server. A kernel without SCTP refuses the socket itself ("protocol not
// supported"), which makes SCTP unsupported by the cluster rather than a
// failure of whatever spec needs it; any other outcome means the socket
// exists, so the kernel has SCTP. One pod, one probe: done once per run
// (in preflight's agent pod), not by every spec that needs SCTP. It looks
// at one node's kernel: nodes of one cluster normally share their image.
func detectKernelSCTP(ctx context.Context, in Input, set Set) error {
	if in.Agent == nil {
		return nil
	}
	res, err := in.Agent.Run(ctx, probe.Batch{Probes: []probe.Probe{{ID: "sctp", Protocol: probe.SCTP, Target: in.Agent.Echo, TimeoutMs: SCTPProbeTimeoutMs}}})
	if err != nil {
		return fmt.Errorf("SCTP probe in the agent pod on node %s: %w", in.Agent.Node, err)
	}
	if len(res.Results) != 1 {
		return fmt.Errorf("SCTP probe on node %s: %d results for one probe", in.Agent.Node, len(res.Results))
	}
	r := res.Results[0]
	if strings.Contains(r.Error, probe.ErrSCTPUnsupported.Error()) {
		set.Missing(SCTP, fmt.Sprintf("the kernel of node %s has no SCTP (%s)", in.Agent.Node, r.Error))
		return nil
	}
	set.Present(SCTP, fmt.Sprintf("the kernel of node %s opened an SCTP socket (probe: %s)", in.Agent.Node, r.Verdict))
	return nil
}
