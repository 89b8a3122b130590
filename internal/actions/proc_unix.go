//go:build unix

package actions

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts the script in its own process group and kills the whole group at the
// timeout, so children a script started (a shell's pipeline, a backgrounded helper) die with it.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
