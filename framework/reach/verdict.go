package reach

// Verdict says whether traffic between two endpoints is (expected to be)
// allowed.
type Verdict int

// Verdicts. Inconclusive is the zero value so that a cell nobody filled in
// can never be mistaken for a decision.
const (
	Inconclusive Verdict = iota
	Allow
	Deny
	// Any is an expectation only: either definite verdict is right. The
	// evaluator uses it where the contract leaves the outcome open.
	Any
)

// String returns the one-character symbol used in printed tables.
func (v Verdict) String() string {
	switch v {
	case Allow:
		return "."
	case Deny:
		return "X"
	case Any:
		return "*"
	default:
		return "?"
	}
}

// Name returns the verdict spelled out, for messages about single cells.
func (v Verdict) Name() string {
	switch v {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	case Any:
		return "Any"
	default:
		return "Inconclusive"
	}
}

// Agrees reports whether v and other are the same definite verdict, or one
// is Any and the other definite (or Any). Inconclusive agrees with nothing, itself
// included.
func (v Verdict) Agrees(other Verdict) bool {
	switch {
	case v == Any && other == Any:
		return true // the same expectation
	case v == Any:
		return other.decided()
	case other == Any:
		return v.decided()
	}
	return v == other && v.decided()
}

func (v Verdict) decided() bool { return v == Allow || v == Deny }

// verdictOf turns a yes/no decision into a Verdict.
func verdictOf(allowed bool) Verdict {
	if allowed {
		return Allow
	}
	return Deny
}
