//go:build !linux

package stack

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
