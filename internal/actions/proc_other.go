//go:build !unix

package actions

import "os/exec"

// ownProcessGroup is a no-op where process groups do not exist; only the script itself is
// killed at its timeout.
func ownProcessGroup(*exec.Cmd) {}
