package stack

import "syscall"

// sysProcAttr makes the kernel terminate a part when mcobs itself dies, so a killed `mcobs up`
// never leaves orphans holding the ports.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
