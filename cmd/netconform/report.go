package main

import (
	"fmt"
	"io"
	"os"

	"github.com/netconform/netconform/framework/report"
)

// reportExpect checks conformance reports: every spec run with a label must
// have ended in one state. CI matrices use it to hold a CNI to its profile,
// e.g. every NetworkPolicy spec Unsupported on a CNI without policy.
func reportExpect(args []string) error {
	fs := newFlags("report expect")
	label := fs.String("label", "", "spec label to check, e.g. Feature:NetworkPolicy")
	state := fs.String("state", "", "state every such spec must be in: passed, failed, unsupported, skipped")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *label == "" || *state == "" || fs.NArg() == 0 {
		return fmt.Errorf("usage: netconform report expect --label L --state S REPORT.conformance.json...")
	}
	return report.ExpectAll(os.Stdout, fs.Args(), *label, report.State(*state))
}

// reportHTML lays conformance reports side by side in one static page: a
// column per directory (make matrix writes reports/<cni>/...), a row per spec.
// Flags may follow the reports: netconform report html reports/* -o matrix.html.
func reportHTML(args []string) error {
	fs := newFlags("report html")
	out := fs.String("o", "matrix.html", "file to write the page to")
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths, args = append(paths, fs.Arg(0)), fs.Args()[1:]
	}
	if len(paths) == 0 {
		return fmt.Errorf("usage: netconform report html REPORT.conformance.json|DIR... [-o FILE]")
	}
	columns, err := report.WriteHTMLFile(*out, paths)
	if err != nil {
		return err
	}
	reports := 0
	for _, c := range columns {
		reports += len(c.Reports)
	}
	fmt.Printf("wrote %s: %d reports in %d columns\n", *out, reports, len(columns))
	return nil
}

// reportFailures prints every failed spec of the reports with its whole
// failure message: a CI log keeps only its tail, and Ginkgo's closing
// summary names a failed spec's location, not what it saw.
func reportFailures(args []string) error {
	fs := newFlags("report failures")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: netconform report failures REPORT.conformance.json|DIR...")
	}
	columns, err := report.ReadColumns(fs.Args())
	if err != nil {
		return err
	}
	writeFailures(os.Stdout, columns)
	return nil
}

// writeFailures writes each failed spec of columns (report.WriteFailures).
func writeFailures(w io.Writer, columns []report.Column) { report.WriteFailures(w, columns) }
