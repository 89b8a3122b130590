package sim

import (
	"fmt"
	"time"
)

// Anomaly kinds.
const (
	AnomalySpike       = "spike"
	AnomalyLevelShift  = "level_shift"
	AnomalyMemoryLeak  = "memory_leak"
	AnomalyStatusCheck = "status_check_failed"
)

// Anomaly is one injected anomaly; the list is the ground truth served at /sim/truth.
type Anomaly struct {
	Kind       string      `json:"kind"`
	Account    string      `json:"account"`
	Region     string      `json:"region"`
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metric_name"`
	Dimensions []Dimension `json:"dimensions"`
	Resource   string      `json:"resource"`
	Start      time.Time   `json:"start"`
	End        time.Time   `json:"end"`
	// Magnitude is relative to the series' base level for spikes and level shifts, and in
	// percentage points per hour for a memory leak.
	Magnitude   float64 `json:"magnitude"`
	Description string  `json:"description"`
}

type anomalySet struct {
	list  []Anomaly
	index map[string][]int
}

func anomalyKey(account, region, namespace, name, resource string) string {
	return account + "|" + region + "|" + namespace + "|" + name + "|" + resource
}

// newAnomalies places count anomalies on active series, cycling through the kinds, at
// deterministic times within [start, start+window).
func newAnomalies(seed int64, f *Fleet, cfg AnomalyConfig, start time.Time) anomalySet {
	set := anomalySet{index: map[string][]int{}}
	if cfg.Count == 0 {
		return set
	}
	cands := map[string][]Series{}
	for _, acct := range f.Accounts {
		for _, region := range f.Regions {
			for _, s := range f.SeriesIn(acct, region) {
				if !s.Active {
					continue
				}
				switch {
				case s.Namespace == "AWS/EC2" && s.MetricName == "CPUUtilization":
					cands[AnomalySpike] = append(cands[AnomalySpike], s)
				case s.Namespace == "AWS/EC2" && s.MetricName == "NetworkIn", s.Namespace == "AWS/RDS" && s.MetricName == "DatabaseConnections":
					cands[AnomalyLevelShift] = append(cands[AnomalyLevelShift], s)
				case s.Namespace == "CWAgent" && s.MetricName == "mem_used_percent":
					cands[AnomalyMemoryLeak] = append(cands[AnomalyMemoryLeak], s)
				case s.Namespace == "AWS/EC2" && s.MetricName == "StatusCheckFailed":
					cands[AnomalyStatusCheck] = append(cands[AnomalyStatusCheck], s)
				}
			}
		}
	}
	kinds := []string{AnomalySpike, AnomalyLevelShift, AnomalyMemoryLeak, AnomalySpike, AnomalyStatusCheck, AnomalyLevelShift}
	for n := 0; n < cfg.Count; n++ {
		kind := kinds[n%len(kinds)]
		c := cands[kind]
		if len(c) == 0 {
			continue
		}
		h := hashOf(seed, "anomaly", n)
		s := c[int(mix(h^1)%uint64(len(c)))]
		begin := start.Add(time.Duration(unit(mix(h^2))*float64(cfg.Window/time.Minute)) * time.Minute)
		a := Anomaly{
			Kind: kind, Account: s.Account, Region: s.Region, Namespace: s.Namespace,
			MetricName: s.MetricName, Dimensions: s.Dimensions, Resource: s.Resource, Start: begin,
		}
		switch kind {
		case AnomalySpike:
			a.End = begin.Add(time.Duration(5+mix(h^3)%20) * time.Minute)
			a.Magnitude = between(mix(h^4), 1.5, 3)
			a.Description = fmt.Sprintf("%s rises to %.1fx its base level", s.MetricName, 1+a.Magnitude)
		case AnomalyLevelShift:
			a.End = begin.Add(6 * time.Hour)
			a.Magnitude = between(mix(h^4), 0.8, 1.5)
			a.Description = fmt.Sprintf("%s shifts up by %.0f%% of its base level for 6h", s.MetricName, 100*a.Magnitude)
		case AnomalyMemoryLeak:
			a.End = begin.Add(12 * time.Hour)
			a.Magnitude = between(mix(h^4), 3, 6)
			a.Description = fmt.Sprintf("memory grows %.1f percentage points per hour for 12h", a.Magnitude)
		case AnomalyStatusCheck:
			a.End = begin.Add(time.Duration(3+mix(h^3)%10) * time.Minute)
			a.Magnitude = 1
			a.Description = "status check fails"
		}
		set.index[anomalyKey(s.Account, s.Region, s.Namespace, s.MetricName, s.Resource)] = append(
			set.index[anomalyKey(s.Account, s.Region, s.Namespace, s.MetricName, s.Resource)], len(set.list))
		set.list = append(set.list, a)
	}
	return set
}

// apply adds the anomalies of a series to a value at a minute.
func (set anomalySet) apply(ser Series, minute time.Time, v, base float64) float64 {
	for _, i := range set.index[anomalyKey(ser.Account, ser.Region, ser.Namespace, ser.MetricName, ser.Resource)] {
		a := set.list[i]
		if minute.Before(a.Start) || !minute.Before(a.End) {
			continue
		}
		switch a.Kind {
		case AnomalySpike, AnomalyLevelShift:
			v += a.Magnitude * base
		case AnomalyMemoryLeak:
			v += a.Magnitude * minute.Sub(a.Start).Hours()
		case AnomalyStatusCheck:
			v = 1
		}
	}
	return v
}
