package report

import (
	"strings"
)

// headlineWidth bounds a headline: a summary line, not the whole message.
const headlineWidth = 480

// Headline is the one line that states why a spec failed: the cause as
// the framework words it ("pod → pod TCP, no NAT: 2 of 9 node pairs
// failed"), never Gomega's framing ("Timed out after 30.001s.", "The
// function passed to Eventually…", "Unexpected error:", an error's type
// and address, "Expected <x> to equal <y>"). An assertion's description
// leads, joined to the error it describes; a heading ending in ':' is
// joined with its first item, as the matrix and route failures list what
// failed under one. The terminal, the HTML page and every summary show
// this line.
func Headline(msg string) string {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	var context []string // lines of the message's own, before Gomega's block
	framing := ""
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
		case isTiming(l):
			framing = l
		case strings.HasPrefix(l, "The function passed to "):
		case l == "Unexpected error:" || l == "Expected success, but got an error:":
			return elide(join(described(context), errorText(lines[i+1:])))
		case isTypeLine(l):
			// "The function passed to Eventually returned the following
			// error:" then the error, after its type line.
			return elide(join(described(context), errorText(lines[i:])))
		case l == "Expected" && len(context) == 0:
			return elide(expectation(lines[i+1:]))
		case l == "Expected":
			return elide(firstLine(context))
		default:
			context = append(context, l)
		}
	}
	if len(context) == 0 {
		// Nothing but the framing: a bare timeout says at least that.
		return strings.TrimSuffix(strings.Replace(framing, "Timed out", "timed out", 1), ".")
	}
	return elide(firstLine(context))
}

// Headline is the spec's outcome in one line: the cause of a failure, or
// the reason it did not run.
func (s Spec) Headline() string {
	switch s.State {
	case Failed:
		return Headline(s.Failure)
	case Interrupted:
		return "interrupted: " + Headline(s.Failure)
	case Pending:
		return "pending"
	}
	return Headline(s.Reason)
}

// isTiming is the line Gomega opens an asynchronous failure with, or
// Ginkgo a spec that ran out of time or was interrupted.
func isTiming(l string) bool {
	for _, p := range []string{"Timed out after ", "Failed after ", "Context was cancelled"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return (strings.HasPrefix(l, "A ") && strings.Contains(l, " timeout occurred")) || strings.HasPrefix(l, "An interrupt occurred")
}

// isTypeLine is Gomega's "<*pkg.Type | 0xc000123>: " ahead of an error.
func isTypeLine(l string) bool {
	return strings.HasPrefix(l, "<") && strings.HasSuffix(l, ">:") && strings.Contains(l, " | 0x")
}

// errorText is the error Gomega printed after its type line, without the
// dump of the error's fields that follows it.
func errorText(lines []string) []string {
	var out []string
	started := false
	indent := ""
	for _, raw := range lines {
		l := strings.TrimSpace(raw)
		switch {
		case !started && isTypeLine(l):
			started = true
			indent = raw[:len(raw)-len(strings.TrimLeft(raw, " \t"))]
		case !started && l != "":
			// No type line: the error as it stands.
			out, started = append(out, l), true
		case started && (l == "occurred" || strings.HasPrefix(raw, indent+"{") || strings.HasPrefix(raw, indent+"<")):
			return out
		case started && l != "":
			out = append(out, l)
		}
	}
	return out
}

// expectation words a bare Gomega comparison as what was seen and what
// was wanted: "got Refused, want it to equal Connected".
func expectation(lines []string) string {
	var got, matcher, want []string
	part := &got
	for _, raw := range lines {
		l := strings.TrimSpace(raw)
		if l == "" {
			continue
		}
		if !strings.HasPrefix(raw, " ") && !strings.HasPrefix(raw, "\t") {
			matcher, part = append(matcher, l), &want
			continue
		}
		if strings.HasPrefix(l, "<") {
			if _, v, ok := strings.Cut(l, ">: "); ok {
				l = v
			}
		}
		*part = append(*part, l)
	}
	out := "got " + strings.Join(got, " ")
	if len(matcher) > 0 {
		out += ", want it " + strings.Join(matcher, " ")
	}
	if len(want) > 0 {
		out += " " + strings.Join(want, " ")
	}
	return out
}

// described is the assertion's description, when it has one.
func described(context []string) string {
	if len(context) == 0 {
		return ""
	}
	return firstLine(context)
}

func join(description string, cause []string) string {
	head := firstLine(cause)
	switch {
	case description == "":
		return head
	case head == "":
		return description
	}
	return strings.TrimSuffix(description, ":") + ": " + head
}

// firstLine is the first line, joined with the first item under it when
// it is a heading ending in ':'.
func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	out := lines[0]
	if strings.HasSuffix(out, ":") && len(lines) > 1 {
		out += " " + strings.TrimPrefix(lines[1], "- ")
	}
	return out
}

// elide keeps a long line's head and tail: a diagnosis often ends it, in
// parentheses.
func elide(s string) string {
	r := []rune(s)
	if len(r) <= headlineWidth {
		return s
	}
	head := headlineWidth * 2 / 5
	return string(r[:head]) + " … " + string(r[len(r)-(headlineWidth-head-3):])
}
