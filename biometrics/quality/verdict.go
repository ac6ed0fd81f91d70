package quality

// Verdict is what a capture-quality score means for the capture, against the pass mark the
// caller chose: the screens colour a finger by it, so the meaning of a score is decided here
// once and never again in a widget.
type Verdict string

// Verdicts, best first.
const (
	// Pass: at or above the pass mark.
	Pass Verdict = "pass"
	// Retry: below the pass mark but with ridges to read: another attempt (clean finger and
	// platen, press flatter) usually lifts it; kept as best effort when the retries are used.
	Retry Verdict = "retry"
	// Fail: below half the pass mark: the image shows little ridge structure (a blank,
	// smeared or partial print). Take it again, or record the finger's condition (for
	// example unprintable or temporarily unusable) instead of keeping the image.
	Fail Verdict = "fail"
)

// Judge gives the verdict of score against the pass mark threshold (0-100). A threshold of
// 0 passes every score.
func Judge(score, threshold int) Verdict {
	switch {
	case score >= threshold:
		return Pass
	case 2*score >= threshold:
		return Retry
	}
	return Fail
}
