package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUpReachesHealthyAndStopsCleanly runs the built `mcobs up`, waits for it to report healthy,
// checks that every part answers and that host metrics reach Prometheus, then interrupts it as
// Ctrl-C would and expects a clean stop.
func TestUpReachesHealthyAndStopsCleanly(t *testing.T) {
	o := testOptions(t)
	bin := binDir(t, "mcobs")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin+"/mcobs", upArgs(o, "--status-every", "2s")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out strings.Builder
	waitLine := func(prefix string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("mcobs up ended before printing %q; output:\n%s\nstderr:\n%s", prefix, out.String(), stderr.String())
				}
				out.WriteString(l + "\n")
				if strings.Contains(l, prefix) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %q from mcobs up; output:\n%s", prefix, out.String())
			}
		}
	}
	waitLine("mcobs up: healthy")
	for _, u := range []string{
		"http://127.0.0.1:" + strconv.Itoa(o.ActionsPort) + "/healthz",
		"http://127.0.0.1:" + strconv.Itoa(o.PrometheusPort) + "/-/ready",
		"http://127.0.0.1:" + strconv.Itoa(o.AlertmanagerPort) + "/-/ready",
		"http://127.0.0.1:" + strconv.Itoa(o.HealthPort) + "/",
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", u, resp.StatusCode)
		}
	}
	// The default configuration scrapes this machine; its CPU time must reach Prometheus.
	if got := waitForAny(t, o.PrometheusPort, "system_cpu_time_seconds_total", 60*time.Second); !got {
		t.Fatalf("no host metrics in Prometheus; output:\n%s", out.String())
	}
	checkSimulatedFleet(t, o.PrometheusPort)
	checkCloudUtilizationRecorded(t, o.PrometheusPort)
	waitLine("series ")
	// An empty --grafana-bin turns Grafana off: no part, and not even the note saying how to
	// install it, which a "grafana" not on PATH would print.
	if strings.Contains(strings.ToLower(out.String()), "grafana") {
		t.Errorf("mcobs up --grafana-bin \"\" mentions Grafana; output:\n%s", out.String())
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitLine("mcobs up: stopped")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mcobs up exit: %v; stderr:\n%s", err, stderr.String())
	}
	// Every port is free again: nothing was left running.
	for _, p := range []int{o.PrometheusPort, o.AlertmanagerPort, o.OTLPHTTPPort, o.HealthPort} {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Errorf("port %d still taken after stop: %v", p, err)
			continue
		}
		l.Close()
	}
}

func waitForAny(t *testing.T, promPort int, metric string, timeout time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if got, err := queryRaw(ctx, promPort, metric); err == nil && len(got) > 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
		}
	}
}

// TestUpReportsTakenPort occupies the Prometheus port and expects `mcobs up` to refuse to start,
// naming the part, the address and the flag, without starting anything.
func TestUpReportsTakenPort(t *testing.T) {
	o := testOptions(t)
	bin := binDir(t, "mcobs")
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(o.PrometheusPort))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin+"/mcobs", upArgs(o)...)
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) {
		t.Fatalf("mcobs up with a taken port: err %v, want a non-zero exit; output:\n%s", err, b)
	}
	msg := string(b)
	for _, want := range []string{"prometheus", "127.0.0.1:" + strconv.Itoa(o.PrometheusPort), "already in use", "--prometheus-port"} {
		if !strings.Contains(msg, want) {
			t.Errorf("output does not name %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "starting") {
		t.Errorf("mcobs up started parts despite the taken port:\n%s", msg)
	}
}

// checkSimulatedFleet expects the simulated AWS fleet in Prometheus in the canonical model:
// CPU as a 0-1 ratio from both accounts, network as a byte counter, the inventory and the
// collection status.
func checkSimulatedFleet(t *testing.T, promPort int) {
	t.Helper()
	cpu := `system_cpu_utilization_ratio{cloud_provider="aws",cloud_platform="aws_ec2"}`
	if !waitForAny(t, promPort, cpu, 90*time.Second) {
		t.Fatalf("no %s in Prometheus", cpu)
	}
	// Each target's points arrive on their own: wait for both accounts.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	accounts := map[string]bool{}
	for !accounts["111111111111"] || !accounts["222222222222"] {
		samples, err := queryRawBy(ctx, promPort, cpu, "cloud_account_id")
		if err != nil {
			t.Fatalf("CPU from accounts %v, want both simulated accounts: %v", accounts, err)
		}
		for _, s := range samples {
			accounts[s.series] = true
			if s.value < 0 || s.value > 1 {
				t.Errorf("CPU utilization %v outside the 0-1 ratio", s.value)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("CPU from accounts %v, want both simulated accounts", accounts)
		case <-time.After(time.Second):
		}
	}
	// The receiver hands each target's points on by themselves, and the inventory and status
	// once every target was polled: they may arrive a little after the first CPU points.
	// The simulated Azure tenant and GCP projects beside the AWS accounts, under the same
	// canonical names.
	for _, m := range []string{
		`system_network_io_bytes_total{cloud_provider="aws",network_io_direction="receive"}`,
		`mcobs_inventory_instances{state="running"}`,
		`mcobs_collection_status{state="success"}`,
		`system_cpu_utilization_ratio{cloud_provider="azure",cloud_platform="azure_vm"}`,
		`system_network_io_bytes_total{cloud_provider="azure",network_io_direction="receive"}`,
		`mcobs_inventory_instances{cloud_provider="azure",state="running"}`,
		`mcobs_collection_status{cloud_provider="azure",state="success"}`,
		`system_cpu_utilization_ratio{cloud_provider="gcp",cloud_platform="gcp_compute_engine"}`,
		`system_network_io_bytes_total{cloud_provider="gcp",network_io_direction="receive"}`,
		`mcobs_inventory_instances{cloud_provider="gcp",state="running"}`,
		`mcobs_collection_status{cloud_provider="gcp",state="success"}`,
	} {
		if !waitForAny(t, promPort, m, 60*time.Second) {
			t.Errorf("no %s in Prometheus", m)
		}
	}
}

// checkCloudUtilizationRecorded expects the utilization rules to record a CPU ratio for the
// simulated fleet of each account once its points are in Prometheus, and the rule's expression
// to still give both accounts when the newest cloud point is 7 minutes old, as it is before
// the next poll with the aws receiver's default 5-minute polls: past an instant selector's
// 5-minute lookback, which the rules must not depend on (alert-rules/README.md).
func checkCloudUtilizationRecorded(t *testing.T, promPort int) {
	t.Helper()
	p := promAPI{base: "http://127.0.0.1:" + strconv.Itoa(promPort)}
	const recorded = `mcobs:cpu_utilization:ratio{cloud_provider="aws"}`
	deadline := time.Now().Add(45 * time.Second) // a few rule evaluations (15s)
	for {
		n, err := p.accounts(recorded, "aws", time.Now())
		if err == nil && n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d accounts (err %v), want both simulated accounts", recorded, n, err)
		}
		time.Sleep(3 * time.Second)
	}

	expr, err := p.recordingRule("mcobs:cpu_utilization:ratio")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cpu, err := queryRawBy(ctx, promPort, `system_cpu_utilization_ratio{cloud_provider="aws"}`, "cloud_account_id")
	if err != nil || len(cpu) == 0 {
		t.Fatalf("cloud CPU points: %d (err %v)", len(cpu), err)
	}
	var newest int64
	for _, s := range cpu {
		newest = max(newest, s.tsMs)
	}
	at := time.UnixMilli(newest).Add(7 * time.Minute)
	if n, err := p.accounts(expr, "aws", at); err != nil || n != 2 {
		t.Errorf("the rule %q with the newest cloud point 7 minutes old gives %d AWS accounts (err %v), want 2", expr, n, err)
	}
}

// accounts counts the accounts of provider (series with a cloud_account_id) expr gives at the
// instant at.
func (p promAPI) accounts(expr, provider string, at time.Time) (int, error) {
	var r struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	}
	q := url.Values{"query": {"count by (cloud_provider, cloud_account_id) (" + expr + ")"}, "time": {strconv.FormatInt(at.Unix(), 10)}}
	if err := p.get("/api/v1/query", q, &r); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range r.Result {
		if s.Metric["cloud_account_id"] != "" && s.Metric["cloud_provider"] == provider {
			n++
		}
	}
	return n, nil
}

// recordingRule returns the expression of the recording rule Prometheus loaded as name.
func (p promAPI) recordingRule(name string) (string, error) {
	var r struct {
		Groups []struct {
			Rules []struct {
				Name  string `json:"name"`
				Query string `json:"query"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := p.get("/api/v1/rules", url.Values{"type": {"record"}}, &r); err != nil {
		return "", err
	}
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			if rule.Name == name {
				return rule.Query, nil
			}
		}
	}
	return "", fmt.Errorf("no recording rule %q loaded", name)
}
