package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

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

func rbacCommand() *cobra.Command {
	return group("rbac", "The least-privilege roles a run needs: print, grant, check, revoke",
		rbacRoleCommand(), rbacKubeconfigCommand(), rbacCheckCommand(), rbacRevokeCommand())
}

func rbacRoleCommand() *cobra.Command {
	var disruptive, list bool
	cmd := &cobra.Command{
		Use:   "role",
		Short: "Print the least-privilege ClusterRole(s), each rule with its reason",
		Example: `  netconform rbac role | kubectl apply -f -
  netconform rbac role --disruptive --list`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rbacRole(cmd.OutOrStdout(), disruptive, list)
		},
	}
	cmd.Flags().BoolVar(&disruptive, "disruptive", false, "also print the role the Disruptive specs need on top")
	cmd.Flags().BoolVar(&list, "list", false, `one permission a line ("VERB RESOURCE[/SUB][.GROUP]") instead of YAML`)
	return cmd
}

// rbacRole prints the least-privilege ClusterRole(s).
func rbacRole(w io.Writer, disruptive, list bool) error {
	if list {
		rules := rbac.Runner
		if disruptive {
			rules = append(slices.Clone(rules), rbac.Disruptive...)
		}
		for _, p := range rbac.Permissions(rules) {
			fmt.Fprintln(w, p)
		}
		return nil
	}
	out, err := rbac.YAML(rbac.RunnerRole, fmt.Sprintf(runnerPurpose, rbac.RunnerRole, len(rbac.Runner), len(rbac.Permissions(rbac.Runner))), rbac.Runner)
	if err != nil {
		return err
	}
	if disruptive {
		more, err := rbac.YAML(rbac.DisruptiveRole, fmt.Sprintf(disruptivePurpose, rbac.DisruptiveRole, rbac.RunnerRole, len(rbac.Disruptive), len(rbac.Permissions(rbac.Disruptive))), rbac.Disruptive)
		if err != nil {
			return err
		}
		out = append(append(out, "---\n"...), more...)
	}
	_, err = w.Write(out)
	return err
}

type rbacKubeconfigOptions struct {
	kubeconfig string
	account    string
	output     string
	disruptive bool
	without    string
	duration   time.Duration
}

func rbacKubeconfigCommand() *cobra.Command {
	var o rbacKubeconfigOptions
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Create a ServiceAccount bound only to the roles, and write a kubeconfig from its token",
		Long: `Creates a ServiceAccount bound only to the least-privilege role(s) (see
netconform rbac role) and writes a kubeconfig that authenticates with a token
of it: what a cluster's owner hands to whoever runs netconform verify.`,
		Example: `  netconform rbac kubeconfig --kubeconfig admin.kubeconfig --service-account netconform/runner -o runner.kubeconfig`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rbacKubeconfig(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "an admin's kubeconfig of the cluster (default $KUBECONFIG)")
	f.StringVar(&o.account, "service-account", "netconform/runner", "the ServiceAccount to create, namespace/name")
	f.StringVarP(&o.output, "output", "o", "", "write the kubeconfig here (default: standard output)")
	f.BoolVar(&o.disruptive, "disruptive", false, "also bind the role the Disruptive specs need")
	f.StringVar(&o.without, "without", "", `bind the runner role minus one permission, "VERB RESOURCE" (e.g. "list nodes", "create pods/exec"): shows what preflight says when one is missing`)
	f.DurationVar(&o.duration, "duration", 2*time.Hour, "how long the token is valid")
	return cmd
}

// rbacKubeconfig creates a ServiceAccount bound only to the role(s) and
// writes a kubeconfig that authenticates with its token.
func rbacKubeconfig(ctx context.Context, w io.Writer, o rbacKubeconfigOptions) error {
	sa, err := rbac.ParseServiceAccount(o.account)
	if err != nil {
		return err
	}
	opts := []rbac.GrantOption{rbac.WithDuration(o.duration)}
	if o.disruptive {
		opts = append(opts, rbac.WithDisruptive())
	}
	if o.without != "" {
		verb, resource, ok := strings.Cut(strings.TrimSpace(o.without), " ")
		if !ok {
			return fmt.Errorf(`--without %q: want "VERB RESOURCE"`, o.without)
		}
		rules, err := rbac.Without(rbac.Runner, verb, strings.TrimSpace(resource))
		if err != nil {
			return err
		}
		opts = append(opts, rbac.WithRules(rules))
	}
	cl, err := kube.Open(ctx, o.kubeconfig)
	if err != nil {
		return err
	}
	out, err := rbac.Grant(ctx, cl.Clientset, cl.Config, sa, opts...)
	if err != nil {
		return err
	}
	if o.output == "" {
		_, err = w.Write(out)
		return err
	}
	if err := os.WriteFile(o.output, out, 0o600); err != nil {
		return err
	}
	logf("kubeconfig of ServiceAccount %s written to %s", sa, o.output)
	return nil
}

func rbacCheckCommand() *cobra.Command {
	var kubeconfig string
	var disruptive bool
	cmd := &cobra.Command{
		Use:     "check",
		Short:   "Check that a kubeconfig has every permission a run needs (preflight's check)",
		Example: `  netconform rbac check --kubeconfig runner.kubeconfig`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rbacCheck(cmd.Context(), cmd.OutOrStdout(), kubeconfig, disruptive)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig to check (default $KUBECONFIG)")
	cmd.Flags().BoolVar(&disruptive, "disruptive", false, "also check the permissions of the Disruptive specs")
	return cmd
}

// rbacCheck runs preflight's permission check alone.
func rbacCheck(ctx context.Context, w io.Writer, kubeconfig string, disruptive bool) error {
	cl, err := kube.Open(ctx, kubeconfig)
	if err != nil {
		return err
	}
	if err := preflight.Permissions(ctx, cl, disruptive); err != nil {
		return err
	}
	n := len(rbac.Permissions(rbac.Runner))
	if disruptive {
		n += len(rbac.Permissions(rbac.Disruptive))
	}
	fmt.Fprintf(w, "all %d permissions granted\n", n)
	return nil
}

func rbacRevokeCommand() *cobra.Command {
	var kubeconfig, account string
	cmd := &cobra.Command{
		Use:   "revoke",
		Short: "Delete a ServiceAccount made by rbac kubeconfig, and its bindings",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rbacRevoke(cmd.Context(), kubeconfig, account)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "an admin's kubeconfig of the cluster (default $KUBECONFIG)")
	cmd.Flags().StringVar(&account, "service-account", "netconform/runner", "the ServiceAccount, namespace/name")
	return cmd
}

// rbacRevoke deletes what rbac kubeconfig made for a ServiceAccount.
func rbacRevoke(ctx context.Context, kubeconfig, account string) error {
	sa, err := rbac.ParseServiceAccount(account)
	if err != nil {
		return err
	}
	cl, err := kube.Open(ctx, kubeconfig)
	if err != nil {
		return err
	}
	return rbac.Revoke(ctx, cl.Clientset, sa)
}
