package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// CheckCrossNode starts an agent pod on every node and has each reach every
// other one over TCP, directly by pod IP. It returns an error naming the
// node pairs that could not talk, and removes its pods either way.
func CheckCrossNode(ctx context.Context, kc *kube.Client, logf func(string, ...any)) error {
	nodeList, err := kc.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	suffix := make([]byte, 3)
	rand.Read(suffix)
	// A run ID of its own, so that cleanup finds what a killed check left.
	runID := "bringup-" + hex.EncodeToString(suffix)
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "netconform-" + runID}}
	if err := kc.CreateLabelled(ctx, nsObj, runID); err != nil {
		return err
	}
	ns := nsObj.Name
	defer kc.DeleteNamespace(context.WithoutCancel(ctx), ns)

	for _, n := range nodeList.Items {
		pod := agent.Pod("agent-"+n.Name, ns, agent.OnNode(n.Name))
		if err := kc.CreateLabelled(ctx, pod, runID); err != nil {
			return fmt.Errorf("creating agent pod on %s: %w", n.Name, err)
		}
	}
	// All pods start at once; waiting for each in turn costs one start-up.
	var pods []corev1.Pod
	for _, n := range nodeList.Items {
		p, err := kc.WaitPodReady(ctx, ns, "agent-"+n.Name, timeouts.Current.CheckPods)
		if err != nil {
			return fmt.Errorf("agent pod on %s: %w", n.Name, err)
		}
		pods = append(pods, *p)
	}
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.CrossNode)
	defer cancel()
	var failures []string
	for {
		failures = probeAllPairs(ctx, kc, pods)
		if len(failures) == 0 {
			logf("cross-node check: %d nodes reach each other pod to pod", len(pods))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pods could not reach each other within %s:\n  %s", timeouts.Current.CrossNode, strings.Join(failures, "\n  "))
		case <-time.After(timeouts.Current.Repeat):
		}
	}
}

// probeAllPairs runs one batch per pod, concurrently, and lists the failing pairs.
func probeAllPairs(ctx context.Context, kc *kube.Client, pods []corev1.Pod) []string {
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for _, src := range pods {
		var batch probe.Batch
		for _, dst := range pods {
			if dst.Spec.NodeName == src.Spec.NodeName {
				continue
			}
			batch.Probes = append(batch.Probes, probe.Probe{ID: dst.Spec.NodeName, Protocol: probe.TCP,
				Target: net.JoinHostPort(dst.Status.PodIP, strconv.Itoa(agent.Port)), TimeoutMs: timeouts.Ms(timeouts.Current.CheckAttempt)})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := remote.Run(ctx, kc, remote.Pod{Namespace: src.Namespace, Name: src.Name, Container: agent.Container}, batch)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, fmt.Sprintf("%s: %v", src.Spec.NodeName, err))
				return
			}
			for _, r := range res.Results {
				if r.Verdict != probe.Connected {
					failures = append(failures, fmt.Sprintf("%s -> %s: %s %s", src.Spec.NodeName, r.ID, r.Verdict, r.Error))
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(failures)
	return failures
}
