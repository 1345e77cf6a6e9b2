package kube

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/netconform/netconform/framework/timeouts"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/klient/k8s/resources"
)

// Client talks to one cluster.
type Client struct {
	Kubeconfig string
	Config     *rest.Config
	Clientset  kubernetes.Interface
	Resources  *resources.Resources
	Version    string // the API server's gitVersion
}

// Open loads a kubeconfig (KUBECONFIG rules when path is empty) and checks,
// within timeouts.Current.FirstContact, that the API server answers, so that
// a wrong
// or dead cluster is a clear error rather than a hang.
func Open(ctx context.Context, path string) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		rules.ExplicitPath = path
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", describe(path), err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	// Without it a request to an API server that accepted the connection
	// and then froze waits forever. Exec streams are bounded by Exec.
	cfg.Timeout = timeouts.Current.Request
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, timeouts.Current.FirstContact)
	defer cancel()
	var version string
	err = retryUntil(cctx, 2*time.Second, func() error {
		probe := rest.CopyConfig(cfg)
		probe.Timeout = 5 * time.Second
		pcs, err := kubernetes.NewForConfig(probe)
		if err != nil {
			return err
		}
		v, err := pcs.Discovery().ServerVersion()
		if err != nil {
			return err
		}
		version = v.GitVersion
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("API server %s (kubeconfig %s) did not answer within %s: %w", cfg.Host, describe(path), timeouts.Current.FirstContact, err)
	}
	res, err := resources.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Kubeconfig: path, Config: cfg, Clientset: cs, Resources: res, Version: version}, nil
}

func describe(path string) string {
	if path == "" {
		if env := os.Getenv("KUBECONFIG"); env != "" {
			return env
		}
		return "~/.kube/config"
	}
	return path
}

// retryUntil calls fn until it succeeds or ctx ends, returning its last error.
func retryUntil(ctx context.Context, every time.Duration, fn func() error) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-tick.C:
		}
	}
}
