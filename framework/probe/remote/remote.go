// Package remote drives agents running in pods from the runner: one exec
// per batch of probes, whatever the batch's size. Exec goes through the API
// server and kubelet, not the pod network, so it keeps working when a
// NetworkPolicy denies traffic to the agent.
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
)

// AgentCommand runs a batch inside an agent container.
var AgentCommand = []string{"/agent", "batch"}

// Pod names an agent pod.
type Pod struct {
	Namespace, Name, Container string
}

// Run executes the batch in the pod's agent and returns its results.
func Run(ctx context.Context, kc *kube.Client, pod Pod, batch probe.Batch) (probe.BatchResult, error) {
	in, err := json.Marshal(batch)
	if err != nil {
		return probe.BatchResult{}, err
	}
	out, err := kc.Exec(ctx, kube.ContainerRef{Namespace: pod.Namespace, Pod: pod.Name, Container: pod.Container}, AgentCommand, bytes.NewReader(in))
	if err != nil {
		return probe.BatchResult{}, err
	}
	var res probe.BatchResult
	if err := json.Unmarshal(out, &res); err != nil {
		return probe.BatchResult{}, fmt.Errorf("agent in %s/%s answered no batch result: %w (output: %.200q)", pod.Namespace, pod.Name, err, out)
	}
	if len(res.Results) != len(batch.Probes) {
		return res, fmt.Errorf("agent in %s/%s returned %d results for %d probes", pod.Namespace, pod.Name, len(res.Results), len(batch.Probes))
	}
	return res, nil
}
