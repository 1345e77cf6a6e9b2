package report

import (
	"fmt"
	"io"
	"strings"
)

// ExpectAll checks the reports at paths with Report.Expect, printing a
// line per report to w; the error lists every spec in another state, and
// every report with no spec of label that ran.
func ExpectAll(w io.Writer, paths []string, label string, want State) error {
	var problems []string
	for _, path := range paths {
		r, err := Read(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		checked, wrong, err := r.Expect(label, want)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, s := range wrong {
			problems = append(problems, fmt.Sprintf("%s: %q is %s, not %s: %s", r.Suite, named(s.ID, s.Name), s.State, want, s.Headline()))
		}
		fmt.Fprintf(w, "%s: %d of %d specs labelled %s are %s (CNI %s)\n", r.Suite, checked-len(wrong), checked, label, want, r.CNI.Name)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d unexpected outcome(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// WriteFailures writes each failed spec of columns: its headline, then
// its whole failure message and the cells that differ (a CI log keeps
// only its tail, and Ginkgo's closing summary names a failed spec's
// location, not what it saw), then how many failed.
func WriteFailures(w io.Writer, columns []Column) {
	failed := 0
	for _, c := range columns {
		for _, r := range c.Reports {
			for _, s := range r.Specs {
				if s.State != Failed && s.State != Interrupted {
					continue
				}
				failed++
				head := s.Headline()
				fmt.Fprintf(w, "FAILED %s: %s\n  %s\n", c.Dir, named(s.ID, s.Name), head)
				if s.Location != "" {
					fmt.Fprintf(w, "  at %s\n", s.Location)
				}
				if whole := strings.TrimSpace(s.Failure); whole != head {
					fmt.Fprintf(w, "  %s\n", indent(whole))
				}
				if s.Diff != "" {
					fmt.Fprintf(w, "  cells that differ:\n  %s\n", indent(s.Diff))
				}
				if s.Repro != "" {
					fmt.Fprintf(w, "  rerun: %s\n", s.Repro)
				}
			}
		}
	}
	fmt.Fprintf(w, "%d failed spec(s)\n", failed)
}

func indent(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ") }
