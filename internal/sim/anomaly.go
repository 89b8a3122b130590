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
	// Cloud is "aws" or "azure". On Azure, Account is the subscription id, Region the
	// location, Namespace the resource type and Resource the ARM resource id.
	Cloud      string      `json:"cloud"`
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
	// percentage points per hour for a memory leak (used memory rises, available memory
	// falls by that much).
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
			Cloud: "aws", Kind: kind, Account: s.Account, Region: s.Region, Namespace: s.Namespace,
			MetricName: s.MetricName, Dimensions: s.Dimensions, Resource: s.Resource, Start: begin,
		}
		shape(&a, h)
		set.add(a)
	}
	return set
}

// shape sets an anomaly's end, magnitude and description from its kind and hash.
func shape(a *Anomaly, h uint64) {
	begin := a.Start
	switch a.Kind {
	case AnomalySpike:
		a.End = begin.Add(time.Duration(5+mix(h^3)%20) * time.Minute)
		a.Magnitude = between(mix(h^4), 1.5, 3)
		a.Description = fmt.Sprintf("%s rises to %.1fx its base level", a.MetricName, 1+a.Magnitude)
	case AnomalyLevelShift:
		a.End = begin.Add(6 * time.Hour)
		a.Magnitude = between(mix(h^4), 0.8, 1.5)
		a.Description = fmt.Sprintf("%s shifts up by %.0f%% of its base level for 6h", a.MetricName, 100*a.Magnitude)
	case AnomalyMemoryLeak:
		a.End = begin.Add(12 * time.Hour)
		a.Magnitude = between(mix(h^4), 3, 6)
		a.Description = fmt.Sprintf("memory grows %.1f percentage points per hour for 12h", a.Magnitude)
		if a.Cloud == "azure" {
			a.Description = fmt.Sprintf("%s falls %.1f percentage points per hour for 12h (Available Memory Bytes with it)", a.MetricName, a.Magnitude)
		}
	case AnomalyStatusCheck:
		a.End = begin.Add(time.Duration(3+mix(h^3)%10) * time.Minute)
		a.Magnitude = 1
		a.Description = "status check fails"
	}
}

func (set *anomalySet) add(a Anomaly) {
	k := anomalyKey(a.Account, a.Region, a.Namespace, a.MetricName, a.Resource)
	set.index[k] = append(set.index[k], len(set.list))
	set.list = append(set.list, a)
}

// azureAnomalyTargets is the cycle of Azure anomalies: kind, resource type and metric. Azure
// has no status check metric among those simulated, so it has spikes on databases instead.
var azureAnomalyTargets = []struct{ kind, namespace, metric string }{
	{AnomalySpike, AzureVMNamespace, "Percentage CPU"},
	{AnomalyLevelShift, AzureVMNamespace, "Network In Total"},
	{AnomalyMemoryLeak, AzureVMNamespace, "Available Memory Percentage"},
	{AnomalySpike, AzurePostgresNamespace, "cpu_percent"},
	{AnomalyLevelShift, AzurePostgresNamespace, "active_connections"},
	{AnomalySpike, AzureVMNamespace, "Disk Write Operations/Sec"},
}

// addAzure places count anomalies on series of running Azure resources, in the same window
// as the AWS ones and from their own hash stream, so adding Azure moved no AWS anomaly.
func (set *anomalySet) addAzure(seed int64, f *AzureFleet, cfg AnomalyConfig, start time.Time) {
	if f == nil {
		return
	}
	cands := map[string][]Series{}
	for _, vm := range f.VMs {
		if vm.PowerState != PowerRunning {
			continue
		}
		for _, s := range f.ResourceSeries(vm.ID) {
			cands[s.Namespace+"|"+s.MetricName] = append(cands[s.Namespace+"|"+s.MetricName], s)
		}
	}
	for _, pg := range f.PostgresServers {
		for _, s := range f.ResourceSeries(pg.ID) {
			cands[s.Namespace+"|"+s.MetricName] = append(cands[s.Namespace+"|"+s.MetricName], s)
		}
	}
	for n := 0; n < cfg.Count; n++ {
		t := azureAnomalyTargets[n%len(azureAnomalyTargets)]
		c := cands[t.namespace+"|"+t.metric]
		if len(c) == 0 {
			continue
		}
		set.placeOn("azure", t.kind, c, hashOf(seed, "azure-anomaly", n), start, cfg.Window)
	}
}

// placeOn adds an anomaly of a kind on one of the candidate series, chosen, started within the
// window after start and shaped by the hash h: how the clouds other than AWS place theirs.
func (set *anomalySet) placeOn(cloud, kind string, cands []Series, h uint64, start time.Time, window time.Duration) {
	s := cands[int(mix(h^1)%uint64(len(cands)))]
	a := Anomaly{
		Cloud: cloud, Kind: kind, Account: s.Account, Region: s.Region, Namespace: s.Namespace,
		MetricName: s.MetricName, Dimensions: []Dimension{}, Resource: s.Resource,
		Start: start.Add(time.Duration(unit(mix(h^2))*float64(window/time.Minute)) * time.Minute),
	}
	shape(&a, h)
	set.add(a)
}

// apply adds the anomalies of a series to a value at a minute; falls marks metrics of what
// is left (available memory), which a memory leak lowers.
func (set anomalySet) apply(ser Series, minute time.Time, v, base float64, falls bool) float64 {
	for _, i := range set.index[anomalyKey(ser.Account, ser.Region, ser.Namespace, ser.MetricName, ser.Resource)] {
		a := set.list[i]
		if minute.Before(a.Start) || !minute.Before(a.End) {
			continue
		}
		switch a.Kind {
		case AnomalySpike, AnomalyLevelShift:
			v += a.Magnitude * base
		case AnomalyMemoryLeak:
			if falls {
				v -= a.Magnitude * minute.Sub(a.Start).Hours()
			} else {
				v += a.Magnitude * minute.Sub(a.Start).Hours()
			}
		case AnomalyStatusCheck:
			v = 1
		}
	}
	return v
}
