package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one supervised part of the stack: a binary, its arguments, where it logs, and the
// URL that answers 200 once it is ready.
type Process struct {
	// Name identifies the part in every message ("prometheus", "collector").
	Name string
	// Path is the binary to run.
	Path string
	Args []string
	// Dir is the working directory; Prometheus finds its web UI relative to it.
	Dir string
	// LogPath receives the part's stdout and stderr.
	LogPath string
	// ReadyURL answers 200 when the part is ready.
	ReadyURL string
	// Env is added to this process's environment (Grafana reads its provisioning from it).
	Env []string

	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{}
	mu      sync.Mutex
	waitErr error
}

// Start launches the process. It fails at once, naming the part, when the binary is missing.
func (p *Process) Start() error {
	if _, err := exec.LookPath(p.Path); err != nil {
		return fmt.Errorf("%s: binary %q not found (run `make build`): %w", p.Name, p.Path, err)
	}
	if err := os.MkdirAll(filepath.Dir(p.LogPath), 0o755); err != nil {
		return fmt.Errorf("%s: create log directory: %w", p.Name, err)
	}
	lf, err := os.OpenFile(p.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: open log: %w", p.Name, err)
	}
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Dir = p.Dir
	if len(p.Env) > 0 {
		cmd.Env = append(os.Environ(), p.Env...)
	}
	cmd.Stdout = lf
	cmd.Stderr = lf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("%s: start %q: %w", p.Name, p.Path, err)
	}
	p.cmd, p.logFile, p.done = cmd, lf, make(chan struct{})
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		lf.Close()
		close(p.done)
	}()
	return nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr describes how the process ended, with the end of its log so the reason is visible.
func (p *Process) ExitErr() error {
	p.mu.Lock()
	err := p.waitErr
	p.mu.Unlock()
	if err == nil {
		err = errors.New("exited with status 0")
	}
	return fmt.Errorf("%s exited unexpectedly (%w); last log lines from %s:\n%s", p.Name, err, p.LogPath, p.LogTail(15))
}

// WaitReady polls ReadyURL until it answers 200, the process exits, or the timeout passes.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.ReadyURL, http.NoBody)
		if err != nil {
			return fmt.Errorf("%s: ready URL %q: %w", p.Name, p.ReadyURL, err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return p.ExitErr()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s did not become ready at %s within %s; last log lines from %s:\n%s",
					p.Name, p.ReadyURL, timeout, p.LogPath, p.LogTail(15))
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Stop asks the process to terminate and kills it if it has not exited within grace.
func (p *Process) Stop(grace time.Duration) error {
	if p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s and was killed", p.Name, grace)
	}
}

// LogTail returns the last n lines of the part's log.
func (p *Process) LogTail(n int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.ReplaceAll(string(bytes.Join(lines, []byte("\n"))), "\n", "\n  ")
}
