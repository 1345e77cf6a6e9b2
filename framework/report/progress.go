package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress prints a run as it goes: one line per finished spec (with its
// headline when it failed, its reason when it did not run), and the
// running spec: on a terminal a status line redrawn in place, elsewhere
// one line as it starts. Its methods may be called from any goroutine.
type Progress struct {
	mu        sync.Mutex
	w         io.Writer
	live      bool
	suites    []string
	started   time.Time
	now       func() time.Time
	total     int
	done      int
	failed    int
	current   *Spec
	since     time.Time // when the current spec started
	firstSpec time.Time
	status    bool // a status line is on screen
}

// NewProgress prints to w, redrawing a status line when live (w is a
// terminal); suites name the concepts, as in Summarize.
func NewProgress(w io.Writer, live bool, suites []string) *Progress {
	return &Progress{w: w, live: live, suites: suites, started: time.Now(), now: time.Now}
}

// Begin says how many specs will run, and how many a filter left out.
func (p *Progress) Begin(total, leftOut int, filters string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	left := ""
	if leftOut > 0 {
		left = fmt.Sprintf(", %d %s", leftOut, LeftOutNote)
		if filters != "" {
			left += " (" + filters + ")"
		}
	}
	p.line("%d specs to run%s; checking the cluster", p.total, left)
}

// Printf prints a line of the run's own, above the status line.
func (p *Progress) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line(format, args...)
}

// Started hears of a spec about to run.
func (p *Progress) Started(s Spec) {
	if s.LeftOut() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.since = p.now()
	if p.firstSpec.IsZero() {
		p.firstSpec = p.since
	}
	p.current = &s
	if p.live {
		p.drawStatus()
		return
	}
	p.line("%s run   %s", p.count(p.done+1), p.name(s))
}

// Finished hears of a spec's outcome.
func (p *Progress) Finished(s Spec) {
	if s.LeftOut() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.current = nil
	took := time.Duration(s.Seconds * float64(time.Second)).Round(100 * time.Millisecond)
	switch s.State {
	case Passed:
		p.line("%s pass  %s (%s)", p.count(p.done), p.name(s), took)
	case Failed, Interrupted:
		p.failed++
		p.line("%s FAIL  %s (%s): %s", p.count(p.done), p.name(s), took, s.Headline())
	default:
		p.line("%s %s  %s: %s", p.count(p.done), s.State, p.name(s), s.Headline())
	}
}

// FirstSpec is when the first spec started (zero when none did).
func (p *Progress) FirstSpec() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstSpec
}

// Tick redraws the status line every interval on a terminal, so that the
// elapsed time moves during a long spec; the returned func stops it.
func (p *Progress) Tick(interval time.Duration) (stop func()) {
	if !p.live {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.mu.Lock()
				if p.current != nil {
					p.drawStatus()
				}
				p.mu.Unlock()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		p.clearStatus()
		p.mu.Unlock()
	}
}

const statusWidth = 120

func (p *Progress) drawStatus() {
	now := p.now()
	text := fmt.Sprintf("[%s] %s running (%s)  %s", Clock(now.Sub(p.started)), p.count(p.done+1),
		now.Sub(p.since).Round(time.Second), p.name(*p.current))
	if r := []rune(text); len(r) > statusWidth {
		text = string(r[:statusWidth-1]) + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K%s", text)
	p.status = true
}

func (p *Progress) clearStatus() {
	if p.status {
		fmt.Fprint(p.w, "\r\033[K")
		p.status = false
	}
}

// line prints a permanent line, keeping the status line below it.
func (p *Progress) line(format string, args ...any) {
	p.clearStatus()
	fmt.Fprintf(p.w, "[%s] %s\n", Clock(p.now().Sub(p.started)), fmt.Sprintf(format, args...))
	if p.live && p.current != nil {
		p.drawStatus()
	}
}

func (p *Progress) count(n int) string {
	w := len(fmt.Sprint(p.total))
	return fmt.Sprintf("%*d/%d", w, n, p.total)
}

func (p *Progress) name(s Spec) string {
	return conceptOf(s, p.suites) + ": " + named(s.ID, s.Name)
}

// Clock formats an elapsed time as m:ss (h:mm:ss past an hour).
func Clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%2d:%02d", m, s)
}

// FiltersText names a run's filters for Begin.
func FiltersText(labelFilter string, focus []string) string {
	var parts []string
	if labelFilter != "" {
		parts = append(parts, fmt.Sprintf("label filter %q", labelFilter))
	}
	if len(focus) > 0 {
		parts = append(parts, fmt.Sprintf("focus %q", strings.Join(focus, " ")))
	}
	return strings.Join(parts, ", ")
}
