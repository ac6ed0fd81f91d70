package quality

import "testing"

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name             string
		score, threshold int
		want             Verdict
	}{
		{"at the pass mark", 40, 40, Pass},
		{"above", 75, 40, Pass},
		{"just below", 39, 40, Retry},
		{"half the pass mark", 20, 40, Retry},
		{"below half", 19, 40, Fail},
		{"blank", 0, 40, Fail},
		{"no pass mark", 0, 0, Pass},
		{"odd pass mark, half rounds up", 20, 41, Fail},
		{"odd pass mark, above half", 21, 41, Retry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Judge(tc.score, tc.threshold); got != tc.want {
				t.Fatalf("Judge(%d, %d) = %s, want %s", tc.score, tc.threshold, got, tc.want)
			}
		})
	}
}
