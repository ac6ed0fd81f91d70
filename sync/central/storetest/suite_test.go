package storetest

import (
	"slices"
	"testing"
)

// TestSuiteFindsEveryCase: the reflection runner finds the cases by their method names
// (a rename that drops the Test prefix would silently shrink the suite).
func TestSuiteFindsEveryCase(t *testing.T) {
	var names []string
	for _, c := range (&Suite{}).cases(t) {
		names = append(names, c.name)
	}
	for _, want := range []string{"PacketsStoredOnce", "WrongDigestRefused", "ConcurrentPuts", "TokensOneTime",
		"TokensExpire", "Devices", "ResultsPerDevice", "DownstreamQueue", "UploadsAndCounters"} {
		if !slices.Contains(names, want) {
			t.Errorf("case %s not found; the suite runs %v", want, names)
		}
	}
}
