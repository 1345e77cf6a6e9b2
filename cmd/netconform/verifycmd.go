package main

import "github.com/spf13/cobra"

// verifyCommand hands its arguments to verify unparsed: verify's flags are
// the suites' own Go flags (those of go test), which verify parses and
// documents itself (netconform verify --help).
func verifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify --kubeconfig K [flags]",
		Short: "Run every suite against a cluster, with live progress and a summary",
		Long: `Runs every suite against an existing cluster, in this process, and exits 0
only when no spec failed. It never creates a cluster. Its flags are the
suites' own (those go test takes): netconform verify --help lists them.`,
		Example: `  netconform verify --kubeconfig ./cluster.kubeconfig
  netconform verify --kubeconfig ./cluster.kubeconfig --label-filter 'dns || services'`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return verify(cmd.Context(), args)
		},
	}
}
