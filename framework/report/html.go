package report

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The page is one file: the CSS is inlined from templates/matrix.css, and
// nothing is fetched, so it opens from file:// and attaches to a CI run.
//
//go:embed templates/matrix.html.tmpl templates/matrix.css
var templates embed.FS

var page = template.Must(template.New("matrix.html.tmpl").Funcs(template.FuncMap{
	"duration": Duration,
}).ParseFS(templates, "templates/matrix.html.tmpl", "templates/matrix.css"))

// Column is the reports of one run of the suites on one cluster, e.g. every
// suite on one CNI: one column of the HTML matrix.
type Column struct {
	Dir     string // the directory the reports were read from
	Reports []Report
}

// suiteOrder puts the concepts in the order a reader builds them up in;
// other suites follow alphabetically.
var suiteOrder = []string{"pods", "services", "dns", "netpol", "ingress"}

// ReadColumns reads conformance reports and groups them by directory, one
// column per directory, in the order the directories first appear (make
// matrix writes reports/<cni>/<suite>-<run>.conformance.json). A directory
// among paths stands for its *.conformance.json files.
func ReadColumns(paths []string) ([]Column, error) {
	var columns []Column
	index, read := map[string]int{}, map[string]bool{}
	add := func(path string) error {
		if read[filepath.Clean(path)] {
			return nil // given twice (a directory and its file): one run, not two
		}
		read[filepath.Clean(path)] = true
		r, err := Read(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		dir := filepath.Clean(filepath.Dir(path))
		i, ok := index[dir]
		if !ok {
			i = len(columns)
			index[dir] = i
			columns = append(columns, Column{Dir: dir})
		}
		columns[i].Reports = append(columns[i].Reports, r)
		return nil
	}
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if err := add(path); err != nil {
				return nil, err
			}
			continue
		}
		files, err := filepath.Glob(filepath.Join(path, "*.conformance.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s holds no *.conformance.json", path)
		}
		for _, f := range files {
			if err := add(f); err != nil {
				return nil, err
			}
		}
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("no conformance report given")
	}
	return columns, nil
}

// WriteHTML writes the matrix of columns as one self-contained HTML page:
// a row per spec, grouped by suite, a column per run.
func WriteHTML(w io.Writer, columns []Column) error {
	return page.Execute(w, NewMatrix(columns))
}

// Matrix is what the HTML page shows.
type Matrix struct {
	Columns []ColumnView
	Suites  []SuiteView
	Specs   int // rows
	// Failures link to every failed or interrupted cell, listed first:
	// on a long page they would otherwise be found by scrolling.
	Failures []CellView
}

// ColumnView heads a column: which CNI and Kubernetes ran, and totals.
type ColumnView struct {
	Label      string // the directory's name
	Dir        string
	CNI        string // name and version, as the reports detected it
	Kubernetes string
	Nodes      int
	Started    time.Time
	Reports    []string // suite and run ID of each report
	// Disagreements name what the reports of one column do not agree on:
	// reports of two clusters mixed in one directory.
	Disagreements []string
	Tally         Tally
	Seconds       float64 // the suites' run times added up
}

// Tally counts a column's (or a suite's) cells by state.
type Tally struct {
	Passed, Failed, Unsupported, Skipped, Other, NotRun int
}

// SuiteView is one concept: a heading row and its specs.
type SuiteView struct {
	Name   string
	Tally  []Tally // per column
	Rows   []RowView
	Absent []bool // per column: no report of this suite at all
}

// RowView is one spec across the columns.
type RowView struct {
	ID    string // "" in reports written before specs had IDs
	Name  string // the newest text of the spec
	Cells []CellView
}

// CellView is one spec in one column.
type CellView struct {
	ID     string // the cell's anchor
	Column string // the column's label, for tools reading the page
	State  string // passed, failed, unsupported, skipped, pending, interrupted, or "not run"
	Class  string // CSS class of the state
	Note   string // why it did not run: the reason, or what left it out
	Spec   *Spec  // nil when not run
	// Runs lists the other outcomes when the spec ran in more than one
	// report of the column; the cell shows the worst.
	Runs []string
}

// HasDetails reports whether the cell has anything to open.
func (c CellView) HasDetails() bool {
	return c.Spec != nil && (c.Spec.Failure != "" || c.Spec.Expected != "" || c.Spec.Observed != "" ||
		c.Spec.Diff != "" || c.Spec.Repro != "" || c.Spec.Location != "" || len(c.Runs) > 0)
}

// Timed reports whether the cell shows the spec's run time: a spec that
// ran; skipping takes no time worth reading.
func (c CellView) Timed() bool {
	return c.Spec != nil && (c.Spec.State == Passed || c.Spec.State == Failed || c.Spec.State == Interrupted)
}

// FailureHead is the failure's headline (Headline), shown before the
// cell is opened, so that a reader scanning the column sees what broke.
func (c CellView) FailureHead() string {
	if c.Spec == nil || (c.Spec.State != Failed && c.Spec.State != Interrupted) {
		return ""
	}
	return c.Spec.Headline()
}

// NotRun is the state of a spec a column has no outcome for.
const NotRun = "not run"

// rank orders outcomes when one column ran a spec more than once: the
// worst is shown, so a failure is never hidden by a later pass.
var rank = map[State]int{Failed: 0, Interrupted: 1, Passed: 2, Unsupported: 3, Skipped: 4, Pending: 5}

// rowKey is what a row of the matrix stands for: the spec's ID, or its
// full text in reports written before specs had IDs.
func rowKey(s Spec) string {
	if s.ID != "" {
		return s.ID
	}
	return "text: " + s.Name
}

// rowText is the text a row shows: the newest report's, when a spec was
// reworded between runs.
type rowText struct {
	name    string
	started time.Time
}

// NewMatrix lays columns side by side: a row per spec ID.
func NewMatrix(columns []Column) Matrix {
	var m Matrix
	// outcomes[suite][row][column] are every outcome of the spec there.
	outcomes := map[string]map[string][][]Spec{}
	texts := map[string]map[string]rowText{}
	for ci, col := range columns {
		m.Columns = append(m.Columns, columnView(col, columns))
		for _, r := range col.Reports {
			if outcomes[r.Suite] == nil {
				outcomes[r.Suite], texts[r.Suite] = map[string][][]Spec{}, map[string]rowText{}
			}
			for _, s := range r.Specs {
				key := rowKey(s)
				if outcomes[r.Suite][key] == nil {
					outcomes[r.Suite][key] = make([][]Spec, len(columns))
				}
				outcomes[r.Suite][key][ci] = append(outcomes[r.Suite][key][ci], s)
				if t, ok := texts[r.Suite][key]; !ok || !r.Started.Before(t.started) {
					texts[r.Suite][key] = rowText{name: s.Name, started: r.Started}
				}
			}
		}
	}
	suites := make([]string, 0, len(outcomes))
	for s := range outcomes {
		suites = append(suites, s)
	}
	slices.SortFunc(suites, func(a, b string) int {
		ia, ib := slices.Index(suiteOrder, a), slices.Index(suiteOrder, b)
		if ia < 0 {
			ia = len(suiteOrder)
		}
		if ib < 0 {
			ib = len(suiteOrder)
		}
		return cmp.Or(cmp.Compare(ia, ib), cmp.Compare(a, b))
	})
	for _, suite := range suites {
		sv := SuiteView{Name: suite, Tally: make([]Tally, len(columns)), Absent: make([]bool, len(columns))}
		for ci, col := range columns {
			sv.Absent[ci] = !slices.ContainsFunc(col.Reports, func(r Report) bool { return r.Suite == suite })
		}
		keys := make([]string, 0, len(outcomes[suite]))
		for k := range outcomes[suite] {
			keys = append(keys, k)
		}
		// Texts sorted keep a Describe's specs together.
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(texts[suite][a].name, texts[suite][b].name), cmp.Compare(a, b))
		})
		for _, key := range keys {
			row := RowView{Name: texts[suite][key].name}
			if !strings.HasPrefix(key, "text: ") {
				row.ID = key
			}
			for ci, specs := range outcomes[suite][key] {
				cell := cellView(specs, suite, sv.Absent[ci])
				cell.ID = fmt.Sprintf("%s-%d-%d", suite, len(sv.Rows), ci)
				cell.Column = m.Columns[ci].Label
				if cell.Spec != nil && (cell.Spec.State == Failed || cell.Spec.State == Interrupted) {
					m.Failures = append(m.Failures, cell)
				}
				sv.Tally[ci].add(cell)
				m.Columns[ci].Tally.add(cell)
				row.Cells = append(row.Cells, cell)
			}
			sv.Rows = append(sv.Rows, row)
		}
		m.Specs += len(sv.Rows)
		m.Suites = append(m.Suites, sv)
	}
	return m
}

func (t *Tally) add(c CellView) {
	switch c.State {
	case string(Passed):
		t.Passed++
	case string(Failed):
		t.Failed++
	case string(Unsupported):
		t.Unsupported++
	case string(Skipped):
		t.Skipped++
	case NotRun:
		t.NotRun++
	default:
		t.Other++
	}
}

func cellView(specs []Spec, suite string, suiteAbsent bool) CellView {
	ran := slices.DeleteFunc(slices.Clone(specs), Spec.LeftOut)
	if len(ran) == 0 {
		note := "no report of this suite in this column"
		if !suiteAbsent {
			note = "this column's " + suite + " report has no such spec"
		}
		if len(specs) > 0 {
			note = LeftOutNote
		}
		return CellView{State: NotRun, Class: "notrun", Note: note}
	}
	slices.SortStableFunc(ran, func(a, b Spec) int { return cmp.Compare(rankOf(a.State), rankOf(b.State)) })
	s := ran[0]
	cell := CellView{State: string(s.State), Class: string(s.State), Note: s.Reason, Spec: &s}
	if len(ran) > 1 {
		for _, o := range ran {
			cell.Runs = append(cell.Runs, fmt.Sprintf("%s (%s)", o.State, Duration(o.Seconds)))
		}
	}
	return cell
}

func rankOf(s State) int {
	if r, ok := rank[s]; ok {
		return r
	}
	return len(rank)
}

func columnView(col Column, all []Column) ColumnView {
	v := ColumnView{Label: filepath.Base(col.Dir), Dir: col.Dir}
	for _, other := range all {
		if other.Dir != col.Dir && filepath.Base(other.Dir) == v.Label {
			v.Label = col.Dir // two runs/kube-router: tell them apart
		}
	}
	cnis, kubes := map[string][]string{}, map[string][]string{}
	var cniOrder, kubeOrder []string
	for _, r := range col.Reports {
		id := r.Suite
		if r.RunID != "" {
			id += " " + r.RunID
		}
		v.Reports = append(v.Reports, id)
		v.Seconds += r.Seconds
		v.Nodes = max(v.Nodes, r.Cluster.Nodes)
		if !r.Started.IsZero() && (v.Started.IsZero() || r.Started.Before(v.Started)) {
			v.Started = r.Started
		}
		c := strings.TrimSpace(r.CNI.Name + " " + r.CNI.Version)
		if c == "" {
			c = "CNI not recorded"
		}
		if cnis[c] == nil {
			cniOrder = append(cniOrder, c)
		}
		cnis[c] = append(cnis[c], r.Suite)
		k := cmp.Or(r.Cluster.KubernetesVersion, "version not recorded")
		if kubes[k] == nil {
			kubeOrder = append(kubeOrder, k)
		}
		kubes[k] = append(kubes[k], r.Suite)
	}
	v.CNI, v.Kubernetes = strings.Join(cniOrder, " / "), strings.Join(kubeOrder, " / ")
	disagree := func(what string, order []string, by map[string][]string) {
		if len(order) < 2 {
			return
		}
		parts := make([]string, len(order))
		for i, k := range order {
			parts[i] = fmt.Sprintf("%s (%s)", k, strings.Join(by[k], ", "))
		}
		v.Disagreements = append(v.Disagreements, fmt.Sprintf("reports disagree on %s: %s", what, strings.Join(parts, "; ")))
	}
	disagree("the CNI", cniOrder, cnis)
	disagree("the Kubernetes version", kubeOrder, kubes)
	return v
}

// Duration writes seconds as a person reads them: 0.4 s, 12 s, 3 min 05 s.
func Duration(seconds float64) string {
	switch {
	case seconds < 10:
		return fmt.Sprintf("%.1f s", seconds)
	case seconds < 60:
		return fmt.Sprintf("%.0f s", seconds)
	}
	d := time.Duration(seconds * float64(time.Second)).Round(time.Second)
	if d < time.Hour {
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
}

// WriteHTMLFile reads the conformance reports at paths (files or
// directories, as ReadColumns) and writes their matrix page to out.
func WriteHTMLFile(out string, paths []string) ([]Column, error) {
	columns, err := ReadColumns(paths)
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, columns); err != nil {
		return nil, err
	}
	return columns, os.WriteFile(out, page.Bytes(), 0o644)
}
