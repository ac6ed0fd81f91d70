//go:build !windows

package app

import "os"

func localeSources() []string {
	return []string{os.Getenv("LANGUAGE"), os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")}
}
