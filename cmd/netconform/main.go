// Command netconform builds the images and kind clusters the conformance
// suites run on, runs the suites against any cluster (verify), reads their
// reports, and cleans up after them. Every command has --help; `netconform
// completion bash|zsh|fish|powershell` prints a shell completion script.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "netconform:", err)
		os.Exit(1)
	}
}

// run executes one command line (without the program's name).
func run(ctx context.Context, args []string) error {
	root := newRootCommand()
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRootCommand() *cobra.Command {
	root := group("netconform", "Conformance suites for Kubernetes networking, and the clusters they run on",
		imagesCommand(), registryCommand(), clusterCommand(), cniCommand(),
		verifyCommand(), cleanupCommand(), rbacCommand(), reportCommand(), versionCommand())
	root.Long = `netconform checks that a cluster's networking does what Kubernetes defines:
pods, Services, DNS, Ingress, NetworkPolicy and the CNI, one spec per behaviour.

It builds every image it runs offline, creates kind clusters with a chosen CNI
and add-ons, and runs the suites against any cluster given by a kubeconfig.`
	root.Example = `  # a kind cluster with kube-router, MetalLB and two Ingress controllers
  netconform cluster up --cni kube-router --addons metallb,traefik,haproxy

  # every suite against a cluster, before handing it over
  netconform verify --kubeconfig ./cluster.kubeconfig`
	// main prints the error once; a usage dump would bury it.
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%w\nSee '%s --help'.", err, cmd.CommandPath())
	})
	return root
}

// group is a command that only holds others (netconform cluster): alone it
// prints its help, and an argument naming none of its commands is an error.
// Without a RunE, cobra would print the help for an unknown command too,
// and exit 0.
func group(use, short string, commands ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  knownCommand,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(commands...)
	return cmd
}

func knownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, applied only for the root's own check
	}
	if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
	}
	return fmt.Errorf("%s\nSee '%s --help'.", msg, cmd.CommandPath())
}

// noArgs is cobra.NoArgs for a command that is not a group: its message
// does not call a stray argument a command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments (got %q)\nSee '%s --help'.", cmd.CommandPath(), args, cmd.CommandPath())
	}
	return nil
}

// completeFrom completes an argument or a flag's value from a list known
// when the command runs (the CNIs, the images, the add-ons registered).
func completeFrom(list func() []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return list(), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeList completes a comma-separated list (--addons a,b), each name
// once.
func completeList(list func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		chosen := strings.Split(toComplete, ",")
		prefix := strings.Join(chosen[:len(chosen)-1], ",")
		if prefix != "" {
			prefix += ","
		}
		var out []cobra.Completion
		for _, name := range list() {
			if !slices.Contains(chosen[:len(chosen)-1], name) {
				out = append(out, prefix+name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// newFlags is verify's flag set: it takes the suites' Go flags, as go test
// does, so it parses its own arguments.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}
