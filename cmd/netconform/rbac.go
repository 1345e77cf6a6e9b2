package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/preflight"
	"github.com/netconform/netconform/framework/rbac"
)

const runnerPurpose = `ClusterRole %s: what a netconform run without Disruptive specs needs
(%d rules, %d permissions), bound cluster-wide: the run creates namespaces
with generated names and works in them. Preflight checks every permission
(SelfSubjectAccessReview) and names any that is missing.`

const disruptivePurpose = `ClusterRole %s: what the Disruptive specs need on top of %s
(%d rules, %d permissions). They break system components on purpose and
repair them: bind it only for a run that selects them, never on a cluster in use.`

// rbacRole prints the least-privilege ClusterRole(s).
func rbacRole(args []string) error {
	fs := newFlags("rbac role")
	disruptive := fs.Bool("disruptive", false, "also print the role the Disruptive specs need on top")
	list := fs.Bool("list", false, `one permission a line ("VERB RESOURCE[/SUB][.GROUP]") instead of YAML`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		rules := rbac.Runner
		if *disruptive {
			rules = append(slices.Clone(rules), rbac.Disruptive...)
		}
		for _, p := range rbac.Permissions(rules) {
			fmt.Println(p)
		}
		return nil
	}
	out, err := rbac.YAML(rbac.RunnerRole, fmt.Sprintf(runnerPurpose, rbac.RunnerRole, len(rbac.Runner), len(rbac.Permissions(rbac.Runner))), rbac.Runner)
	if err != nil {
		return err
	}
	if *disruptive {
		more, err := rbac.YAML(rbac.DisruptiveRole, fmt.Sprintf(disruptivePurpose, rbac.DisruptiveRole, rbac.RunnerRole, len(rbac.Disruptive), len(rbac.Permissions(rbac.Disruptive))), rbac.Disruptive)
		if err != nil {
			return err
		}
		out = append(append(out, "---\n"...), more...)
	}
	_, err = os.Stdout.Write(out)
	return err
}

// rbacKubeconfig creates a ServiceAccount bound only to the role(s) and
// writes a kubeconfig that authenticates with its token.
func rbacKubeconfig(ctx context.Context, args []string) error {
	fs := newFlags("rbac kubeconfig")
	kubeconfig := fs.String("kubeconfig", "", "an admin's kubeconfig of the cluster (default $KUBECONFIG)")
	account := fs.String("service-account", "netconform/runner", "the ServiceAccount to create, namespace/name")
	output := fs.String("o", "", "write the kubeconfig here (default: standard output)")
	disruptive := fs.Bool("disruptive", false, "also bind the role the Disruptive specs need")
	without := fs.String("without", "", `bind the runner role minus one permission, "VERB RESOURCE" (e.g. "list nodes", "create pods/exec"): shows what preflight says when one is missing`)
	duration := fs.Duration("duration", 2*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sa, err := rbac.ParseServiceAccount(*account)
	if err != nil {
		return err
	}
	opts := []rbac.GrantOption{rbac.WithDuration(*duration)}
	if *disruptive {
		opts = append(opts, rbac.WithDisruptive())
	}
	if *without != "" {
		verb, resource, ok := strings.Cut(strings.TrimSpace(*without), " ")
		if !ok {
			return fmt.Errorf(`--without %q: want "VERB RESOURCE"`, *without)
		}
		rules, err := rbac.Without(rbac.Runner, verb, strings.TrimSpace(resource))
		if err != nil {
			return err
		}
		opts = append(opts, rbac.WithRules(rules))
	}
	cl, err := kube.Open(ctx, *kubeconfig)
	if err != nil {
		return err
	}
	out, err := rbac.Grant(ctx, cl.Clientset, cl.Config, sa, opts...)
	if err != nil {
		return err
	}
	if *output == "" {
		_, err = os.Stdout.Write(out)
		return err
	}
	if err := os.WriteFile(*output, out, 0o600); err != nil {
		return err
	}
	logf("kubeconfig of ServiceAccount %s written to %s", sa, *output)
	return nil
}

// rbacCheck runs preflight's permission check alone.
func rbacCheck(ctx context.Context, args []string) error {
	fs := newFlags("rbac check")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig to check (default $KUBECONFIG)")
	disruptive := fs.Bool("disruptive", false, "also check the permissions of the Disruptive specs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cl, err := kube.Open(ctx, *kubeconfig)
	if err != nil {
		return err
	}
	if err := preflight.Permissions(ctx, cl, *disruptive); err != nil {
		return err
	}
	n := len(rbac.Permissions(rbac.Runner))
	if *disruptive {
		n += len(rbac.Permissions(rbac.Disruptive))
	}
	fmt.Printf("all %d permissions granted\n", n)
	return nil
}

// rbacRevoke deletes what rbac kubeconfig made for a ServiceAccount.
func rbacRevoke(ctx context.Context, args []string) error {
	fs := newFlags("rbac revoke")
	kubeconfig := fs.String("kubeconfig", "", "an admin's kubeconfig of the cluster (default $KUBECONFIG)")
	account := fs.String("service-account", "netconform/runner", "the ServiceAccount, namespace/name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sa, err := rbac.ParseServiceAccount(*account)
	if err != nil {
		return err
	}
	cl, err := kube.Open(ctx, *kubeconfig)
	if err != nil {
		return err
	}
	return rbac.Revoke(ctx, cl.Clientset, sa)
}
