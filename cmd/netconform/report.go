package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/netconform/netconform/framework/report"
)

func reportCommand() *cobra.Command {
	return group("report", "Read conformance reports: check them, lay them side by side, list failures",
		reportExpectCommand(), reportHTMLCommand(), reportFailuresCommand())
}

func reportExpectCommand() *cobra.Command {
	var label, state string
	cmd := &cobra.Command{
		Use:   "expect --label L --state S REPORT...",
		Short: "Check that every spec with a label ended in one state",
		Long: `Checks conformance reports: every spec run with a label must have ended in
one state. CI matrices use it to hold a CNI to its profile, e.g. every
NetworkPolicy spec unsupported on a CNI without policy.`,
		Example: `  netconform report expect --label Feature:NetworkPolicy --state unsupported reports/netpol-*.conformance.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if label == "" || state == "" || len(args) == 0 {
				return fmt.Errorf("usage: netconform report expect --label L --state S REPORT.conformance.json...")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, paths []string) error {
			return reportExpect(cmd.OutOrStdout(), label, state, paths)
		},
	}
	cmd.Flags().StringVar(&label, "label", "", "spec label to check, e.g. Feature:NetworkPolicy")
	cmd.Flags().StringVar(&state, "state", "", "state every such spec must be in: passed, failed, unsupported, skipped")
	cmd.RegisterFlagCompletionFunc("state", cobra.FixedCompletions([]cobra.Completion{
		string(report.Passed), string(report.Failed), string(report.Unsupported), string(report.Skipped)}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// reportExpect checks conformance reports: every spec run with a label must
// have ended in one state. CI matrices use it to hold a CNI to its profile,
// e.g. every NetworkPolicy spec Unsupported on a CNI without policy.
func reportExpect(w io.Writer, label, state string, paths []string) error {
	return report.ExpectAll(w, paths, label, report.State(state))
}

func reportHTMLCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "html REPORT|DIR... [-o FILE]",
		Short: "Lay reports side by side in one static page: a column per directory, a row per spec",
		Long: `Lays conformance reports side by side in one static page: a column per
directory (make matrix writes reports/<cni>/...), a row per spec.`,
		Example: `  netconform report html reports/*/ -o matrix.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("usage: netconform report html REPORT.conformance.json|DIR... [-o FILE]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, paths []string) error {
			return reportHTML(cmd.OutOrStdout(), out, paths)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "matrix.html", "file to write the page to")
	return cmd
}

// reportHTML lays conformance reports side by side in one static page: a
// column per directory (make matrix writes reports/<cni>/...), a row per spec.
func reportHTML(w io.Writer, out string, paths []string) error {
	columns, err := report.WriteHTMLFile(out, paths)
	if err != nil {
		return err
	}
	reports := 0
	for _, c := range columns {
		reports += len(c.Reports)
	}
	fmt.Fprintf(w, "wrote %s: %d reports in %d columns\n", out, reports, len(columns))
	return nil
}

// reportFailuresCommand prints every failed spec of the reports with its
// whole failure message: a CI log keeps only its tail, and Ginkgo's closing
// summary names a failed spec's location, not what it saw.
func reportFailuresCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "failures REPORT|DIR...",
		Short:   "Print every failed spec with its whole failure message",
		Example: `  netconform report failures reports/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("usage: netconform report failures REPORT.conformance.json|DIR...")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, paths []string) error {
			columns, err := report.ReadColumns(paths)
			if err != nil {
				return err
			}
			writeFailures(cmd.OutOrStdout(), columns)
			return nil
		},
	}
}

// writeFailures writes each failed spec of columns (report.WriteFailures).
func writeFailures(w io.Writer, columns []report.Column) { report.WriteFailures(w, columns) }
