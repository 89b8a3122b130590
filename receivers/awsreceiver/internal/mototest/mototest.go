// Package mototest runs moto_server, an AWS mock, for tests that talk to a third-party
// AWS-compatible endpoint through the real SDK clients.
//
// A missing moto_server skips the test (pip install 'moto[server]'), unless MCOBS_E2E=required,
// which makes it a failure so that CI cannot pass by skipping.
package mototest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// readyTimeout bounds the wait for moto_server to listen, so a broken install fails the test
// instead of hanging it. A cold Python start behind pyenv shims takes a few seconds.
const readyTimeout = 30 * time.Second

// Start runs moto_server on a free local port until the test ends and returns its URL. Every
// call starts a fresh server with empty state.
func Start(t testing.TB) (endpoint string) {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("MCOBS_E2E") == "required" {
			t.Fatalf("MCOBS_E2E=required but moto_server is not on PATH: %v", err)
		}
		t.Skipf("moto_server not on PATH (pip install 'moto[server]'): %v", err)
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)

	// out is written by exec's copying goroutine until Wait returns, and read only after.
	var out bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// The pyenv shim execs into Python, so the started process is the server itself.
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("moto_server output:\n%s", out.String())
		}
	})

	endpoint = "http://" + addr
	// No keep-alive: an idle connection would outlive the test as leaked goroutines.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(readyTimeout)
	for {
		if ready(client, endpoint) {
			return endpoint
		}
		select {
		case <-exited:
			t.Fatalf("moto_server exited before listening: %s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server not listening on %s after %s", addr, readyTimeout)
		}
	}
}

// ready tells whether moto answers on endpoint: its own API, so that a stranger that took the
// port first is not mistaken for it.
func ready(client *http.Client, endpoint string) bool {
	resp, err := client.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freeAddr returns a local address no one listens on. Another process could take it before
// moto_server binds it; moto_server then exits and Start fails when it does not get ready.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
