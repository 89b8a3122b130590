package sim

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestConfigValidationNamesTheKey(t *testing.T) {
	f := func(yaml string, wantKeys ...string) {
		t.Helper()
		_, err := ParseConfig([]byte(yaml))
		if err == nil {
			t.Fatalf("%q: no error", yaml)
		}
		for _, k := range wantKeys {
			if !strings.Contains(err.Error(), "`"+k+"`") {
				t.Errorf("%q: error %q does not name `%s`", yaml, err, k)
			}
		}
	}
	// Every problem is reported at once.
	f("settle_delay: -1m\nfleet: {instances: -1, regions: [nowhere]}",
		"settle_delay", "fleet.instances", "fleet.regions[0]")
	// Rates.
	f("faults: {throttle_rate: 1.5, malformed_rate: -0.1}", "faults.throttle_rate", "faults.malformed_rate")
	// Rates adding up to more than one.
	f("faults: {throttle_rate: 0.6, server_error_rate: 0.6}", "faults")
	// Accounts.
	f("aws: {accounts: [{id: '12', access_key_id: short, secret_access_key: ''}]}",
		"aws.accounts[0].id", "aws.accounts[0].access_key_id", "aws.accounts[0].secret_access_key")
	// A repeated region.
	f("fleet: {regions: [us-east-1, us-east-1]}", "fleet.regions[1]")
	// A fault target that is not an account.
	f("faults: {accounts: ['999999999999']}", "faults.accounts[0]")
	// Anomaly start.
	f("anomalies: {start: yesterday}", "anomalies.start")
	// Unknown keys are errors, not silently ignored.
	_, err := ParseConfig([]byte("fleet: {instancez: 3}"))
	if err == nil || !strings.Contains(err.Error(), "instancez") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestParseConfigOverridesDefaults(t *testing.T) {
	cfg, err := ParseConfig([]byte("seed: 9\nfleet: {instances: 3}\nsettle_delay: 90s\n"))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	if cfg.Seed != 9 || cfg.Fleet.Instances != 3 || cfg.SettleDelay != 90*time.Second {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if cfg.Fleet.RDSInstances != def.Fleet.RDSInstances || len(cfg.AWS.Accounts) != len(def.AWS.Accounts) {
		t.Errorf("defaults lost: %+v", cfg)
	}
}

func newTestSim(t *testing.T, cfg Config) *Simulator {
	t.Helper()
	s, err := New(cfg, WithClock(func() time.Time { return time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDefaultFleet(t *testing.T) {
	s := newTestSim(t, DefaultConfig())
	f := s.Fleet()
	if len(f.Instances) != 40 || len(f.DBInstances) != 4 || len(f.Accounts) != 2 || len(f.Regions) != 2 {
		t.Fatalf("fleet: %d instances, %d DBs, %d accounts, %d regions", len(f.Instances), len(f.DBInstances), len(f.Accounts), len(f.Regions))
	}
	for _, acct := range f.Accounts {
		for _, region := range f.Regions {
			var stopped, agent, running int
			for _, in := range f.InstancesIn(acct, region) {
				switch {
				case in.State == "stopped":
					stopped++
				case in.Agent:
					agent++
					running++
				default:
					running++
				}
			}
			if stopped == 0 || agent == 0 || running == agent {
				t.Errorf("%s %s: %d stopped, %d running of which %d with the agent; want some of each", acct, region, stopped, running, agent)
			}
		}
	}
	ids := map[string]bool{}
	for _, in := range f.Instances {
		if ids[in.ID] || !strings.HasPrefix(in.ID, "i-0") || len(in.ID) != 19 {
			t.Errorf("instance id %q duplicate or malformed", in.ID)
		}
		ids[in.ID] = true
	}
}

func TestSamplesArePureAndSeeded(t *testing.T) {
	a := newTestSim(t, DefaultConfig())
	b := newTestSim(t, DefaultConfig())
	cfg := DefaultConfig()
	cfg.Seed = 2
	c := newTestSim(t, cfg)
	ser := a.Fleet().SeriesIn("111111111111", "us-east-1")
	at := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	same, diff := 0, 0
	for _, s := range ser {
		va, oka := a.Sample(s, at)
		vb, _ := b.Sample(s, at)
		if va != vb {
			t.Errorf("%s %s: %v then %v with the same seed", s.MetricName, s.Resource, va, vb)
		}
		// The same query twice on one simulator gives the same value: no hidden state.
		if again, _ := a.Sample(s, at); again != va {
			t.Errorf("%s %s: sample changed on a second read", s.MetricName, s.Resource)
		}
		if oka && s.MetricName != "StatusCheckFailed" {
			same++
			if vc, _ := c.Sample(s, at); vc != va {
				diff++
			}
		}
	}
	if same == 0 || diff < same/2 {
		t.Errorf("seed 2 changed %d of %d values", diff, same)
	}
}

func TestDailyAndWeeklySeasonality(t *testing.T) {
	s := newTestSim(t, DefaultConfig())
	var cpu []Series
	for _, ser := range s.Fleet().SeriesIn("111111111111", "us-east-1") {
		if ser.Namespace == "AWS/EC2" && ser.MetricName == "CPUUtilization" && ser.Active {
			cpu = append(cpu, ser)
		}
	}
	mean := func(day time.Time, fromHour, toHour int) float64 {
		var sum float64
		n := 0
		for _, ser := range cpu {
			for m := day.Add(time.Duration(fromHour) * time.Hour); m.Before(day.Add(time.Duration(toHour) * time.Hour)); m = m.Add(10 * time.Minute) {
				v, _ := s.Sample(ser, m)
				sum += v
				n++
			}
		}
		return sum / float64(n)
	}
	// Two weeks before the anomaly window so no anomaly is included.
	wed := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	sun := time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	if day, night := mean(wed, 13, 17), mean(wed, 1, 5); day <= night*1.2 {
		t.Errorf("weekday afternoon CPU %.1f not clearly above night %.1f", day, night)
	}
	if wk, we := mean(wed, 0, 24), mean(sun, 0, 24); wk <= we*1.1 {
		t.Errorf("weekday CPU %.1f not clearly above Sunday %.1f", wk, we)
	}
}

func TestAnomaliesChangeTheirSeries(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Anomalies.Start = "2026-11-18T00:00:00Z"
	with := newTestSim(t, cfg)
	cfg.Anomalies.Count = 0
	without := newTestSim(t, cfg)
	truth := awsTruth(with)
	if len(truth) != DefaultConfig().Anomalies.Count {
		t.Fatalf("%d AWS anomalies, want %d", len(truth), DefaultConfig().Anomalies.Count)
	}
	kinds := map[string]bool{}
	for _, a := range truth {
		kinds[a.Kind] = true
		ser, ok := with.Fleet().FindSeries(a.Account, a.Region, a.Namespace, a.MetricName, a.Dimensions)
		if !ok {
			t.Fatalf("anomaly on unknown series %+v", a)
		}
		if a.Start.Before(time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)) || !a.End.After(a.Start) {
			t.Errorf("anomaly window %v..%v outside the configured start", a.Start, a.End)
		}
		at := a.Start.Add(2 * time.Minute)
		if a.Kind == AnomalyMemoryLeak {
			at = a.Start.Add(3 * time.Hour)
		}
		v, _ := with.Sample(ser, at)
		base, _ := without.Sample(ser, at)
		if v <= base {
			t.Errorf("%s on %s %s: %v with the anomaly, %v without", a.Kind, a.MetricName, a.Resource, v, base)
		}
		after, _ := with.Sample(ser, a.End.Add(time.Minute))
		clean, _ := without.Sample(ser, a.End.Add(time.Minute))
		if after != clean {
			t.Errorf("%s on %s: still active after its end", a.Kind, a.MetricName)
		}
	}
	for _, k := range []string{AnomalySpike, AnomalyLevelShift, AnomalyMemoryLeak, AnomalyStatusCheck} {
		if !kinds[k] {
			t.Errorf("no %s among the default anomalies", k)
		}
	}
}

// awsTruth is the ground truth of the AWS fleet alone.
func awsTruth(s *Simulator) []Anomaly {
	var out []Anomaly
	for _, a := range s.Truth() {
		if a.Cloud == "aws" {
			out = append(out, a)
		}
	}
	return out
}

func TestAggregateHidesUnsettledSamples(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SettleDelay = 5 * time.Minute
	s := newTestSim(t, cfg)
	var ser Series
	for _, x := range s.Fleet().SeriesIn("111111111111", "us-east-1") {
		if x.Active && x.MetricName == "NetworkIn" {
			ser = x
			break
		}
	}
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	start := now.Add(-30 * time.Minute)
	early := s.Aggregate(ser, StatSampleCount, 10*time.Minute, start, now, now)
	late := s.Aggregate(ser, StatSampleCount, 10*time.Minute, start, now, now.Add(6*time.Minute))
	if len(early) != 3 || len(late) != 3 {
		t.Fatalf("%d and %d periods, want 3", len(early), len(late))
	}
	if early[0].Value != 10 || early[1].Value != 10 || early[2].Value >= 10 {
		t.Errorf("sample counts at query time %v, want 10, 10 and a partial last period", early)
	}
	if late[2].Value != 10 {
		t.Errorf("last period after settling has %v samples, want 10", late[2].Value)
	}
}

func TestLoadConfigReadsAFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/sim.yaml"
	if err := os.WriteFile(path, []byte("seed: 42\nfaults:\n  throttle_rate: 0.25\n  operations: [GetMetricData]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 42 || cfg.Faults.ThrottleRate != 0.25 || len(cfg.Faults.Operations) != 1 {
		t.Errorf("loaded %+v", cfg)
	}
	if err := os.WriteFile(path, []byte("faults: {throttle_rate: 2}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "faults.throttle_rate") {
		t.Errorf("invalid file: %v, want an error naming the file and the key", err)
	}
}

func TestFleetIsSeeded(t *testing.T) {
	ids := func(seed int64) []string {
		var out []string
		for _, in := range NewFleet(seed, DefaultConfig()).Instances {
			out = append(out, in.ID+" "+in.State+" "+in.Type)
		}
		return out
	}
	a, b, c := ids(1), ids(1), ids(2)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Error("same seed, different fleets")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Error("seeds 1 and 2 gave the same fleet")
	}
}

func TestExampleConfig(t *testing.T) {
	cfg, err := LoadConfig("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSim(t, cfg)
	f := s.Fleet()
	if len(f.Instances) != 300 || len(f.DBInstances) != 12 || len(f.Regions) != 3 || len(f.Accounts) != 2 {
		t.Errorf("fleet from the example: %d instances, %d DBs, %d regions, %d accounts", len(f.Instances), len(f.DBInstances), len(f.Regions), len(f.Accounts))
	}
	if az := s.Azure(); len(az.VMs) != 90 || len(az.PostgresServers) != 6 || len(az.VNets) != 3 {
		t.Errorf("Azure fleet from the example: %d VMs, %d servers, %d networks", len(az.VMs), len(az.PostgresServers), len(az.VNets))
	}
	if got := len(f.SubnetsIn("333333333333", "ap-northeast-2")); got != 4 {
		t.Errorf("%d subnets in a VPC, want 4", got)
	}
	if len(awsTruth(s)) != 12 || s.Latency("111111111111", "GetMetricData") == 0 || s.Latency("111111111111", "ListMetrics") != 0 {
		t.Errorf("anomalies %d, latency %v/%v", len(awsTruth(s)), s.Latency("111111111111", "GetMetricData"), s.Latency("111111111111", "ListMetrics"))
	}
}
