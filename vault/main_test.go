package vault

import (
	"fmt"
	"os"
	"testing"
)

// TestMain lets the crash test re-execute this test binary as a child that saves cases until it
// is killed (see TestCrashKill).
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
