package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// otherConcept groups specs that carry none of the run's suite labels.
const otherConcept = "other"

// SuiteOf is the suite a spec belongs to: the first of suites among its
// labels ("" when none).
func SuiteOf(labels, suites []string) string {
	for _, s := range suites {
		if slices.Contains(labels, s) {
			return s
		}
	}
	return ""
}

func conceptOf(s Spec, suites []string) string {
	if c := SuiteOf(s.Labels, suites); c != "" {
		return c
	}
	return otherConcept
}

// Summary is the end of a run: a row per concept, and the headline of
// each spec that did not pass.
type Summary struct {
	Rows []SummaryRow
	// Problems are the failures first, then the unsupported and skipped
	// specs, in run order.
	Problems []Problem
	// Outside are failures outside any spec: setup, cleanup, reports,
	// an interruption.
	Outside []string
}

// SummaryRow counts one concept's specs by state.
type SummaryRow struct {
	Concept string
	Counts  map[State]int
	Time    time.Duration
}

// Problem is a spec that did not pass, with its headline.
type Problem struct {
	State    State
	Concept  string
	ID, Name string
	Headline string
}

// Summarize tallies the specs that ran (not those a filter left out) by
// concept, one of suites or "other"; outside are the failures of the
// run's other nodes, each already one line.
func Summarize(specs []Spec, suites []string, outside []string) Summary {
	s := Summary{Outside: outside}
	concepts := append(slices.Clone(suites), otherConcept)
	rows := map[string]*SummaryRow{}
	for _, c := range concepts {
		rows[c] = &SummaryRow{Concept: c, Counts: map[State]int{}}
	}
	var fails, others []Problem
	for _, sp := range specs {
		if sp.LeftOut() {
			continue
		}
		c := conceptOf(sp, suites)
		rows[c].Counts[sp.State]++
		rows[c].Time += time.Duration((sp.Seconds + sp.WaitedSeconds) * float64(time.Second))
		p := Problem{State: sp.State, Concept: c, ID: sp.ID, Name: sp.Name, Headline: sp.Headline()}
		switch sp.State {
		case Failed, Interrupted:
			p.State = Failed
			fails = append(fails, p)
		case Unsupported, Skipped:
			others = append(others, p)
		}
	}
	// A row per concept that ran a spec (every suite's, when none ran).
	for _, c := range concepts {
		if row := rows[c]; len(row.Counts) > 0 {
			s.Rows = append(s.Rows, *row)
		}
	}
	if len(s.Rows) == 0 {
		for _, c := range suites {
			s.Rows = append(s.Rows, *rows[c])
		}
	}
	s.Problems = append(fails, others...)
	return s
}

// Failed counts the specs that failed or were interrupted.
func (s Summary) Failed() int {
	n := 0
	for _, r := range s.Rows {
		n += r.Counts[Failed] + r.Counts[Interrupted]
	}
	return n
}

// Reported counts the specs the run reported, in any state: those the
// filters left out are not among them.
func (s Summary) Reported() int {
	n := 0
	for _, r := range s.Rows {
		for _, c := range r.Counts {
			n += c
		}
	}
	return n
}

// Verdict is the run's one word: PASSED only when the runner passed
// (no setup, cleanup or report node failed, no interruption), some spec
// ran, and none failed.
func (s Summary) Verdict(passed bool) string {
	if passed && s.Failed() == 0 && s.Reported() > 0 {
		return "PASSED"
	}
	return "FAILED"
}

// Write prints the table of concepts, then each problem with its
// headline: every failure on its own, the specs unsupported or skipped
// for one reason together (a CNI without NetworkPolicy makes every
// policy spec unsupported, for one reason).
func (s Summary) Write(w io.Writer) {
	fmt.Fprintln(w)
	width := len("concept")
	for _, r := range s.Rows {
		width = max(width, len(r.Concept))
	}
	row := func(concept string, cells ...any) {
		fmt.Fprintf(w, "%-*s  %6v  %6v  %11v  %7v  %7v\n", append([]any{width, concept}, cells...)...)
	}
	row("concept", "passed", "failed", "unsupported", "skipped", "time")
	total := SummaryRow{Concept: "total", Counts: map[State]int{}}
	for _, r := range s.Rows {
		for st, n := range r.Counts {
			total.Counts[st] += n
		}
		total.Time += r.Time
	}
	for _, r := range append(slices.Clone(s.Rows), total) {
		row(r.Concept, r.Counts[Passed], r.Counts[Failed]+r.Counts[Interrupted], r.Counts[Unsupported],
			r.Counts[Skipped]+r.Counts[Pending], r.Time.Round(time.Second))
	}
	heading := State("")
	for _, g := range groupProblems(s.Problems) {
		if g.state != heading {
			heading = g.state
			fmt.Fprintf(w, "\n%s:\n", strings.ToUpper(string(heading[:1]))+string(heading[1:]))
		}
		if len(g.specs) == 1 {
			fmt.Fprintf(w, "  %s: %s\n    %s\n", g.concept, g.specs[0], g.headline)
			continue
		}
		fmt.Fprintf(w, "  %s, %d specs:\n    %s\n", g.concept, len(g.specs), g.headline)
	}
	if len(s.Outside) > 0 {
		fmt.Fprintln(w, "\nOutside the specs:")
		for _, l := range s.Outside {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

// named is a spec's text with its ID, which reruns it (verify --focus ID).
func named(id, name string) string {
	if id == "" {
		return name
	}
	return name + " [" + id + "]"
}

// problemGroup is the specs of one concept that ended alike for one reason.
type problemGroup struct {
	state    State
	concept  string
	headline string
	specs    []string
}

func groupProblems(ps []Problem) []problemGroup {
	type key struct {
		state             State
		concept, headline string
	}
	var out []problemGroup
	index := map[key]int{}
	for _, p := range ps {
		k := key{p.State, p.Concept, p.Headline}
		if i, ok := index[k]; ok && p.State != Failed {
			out[i].specs = append(out[i].specs, named(p.ID, p.Name))
			continue
		}
		index[k] = len(out)
		out = append(out, problemGroup{state: p.State, concept: p.Concept, headline: p.Headline, specs: []string{named(p.ID, p.Name)}})
	}
	return out
}
