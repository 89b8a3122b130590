package sim

import (
	"sort"
	"strings"
	"sync"
)

// CallCount is the number of calls of one operation by one account in one region.
type CallCount struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Count     int    `json:"count"`
}

// FaultCount is the number of injected faults of one kind for one operation and account.
type FaultCount struct {
	Account   string `json:"account"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Kind      string `json:"kind"`
	Count     int    `json:"count"`
}

// MetricsCount is the number of metrics requested by GetMetricData calls of an account,
// CloudWatch's billed unit.
type MetricsCount struct {
	Account string `json:"account"`
	Count   int    `json:"count"`
}

// MetricBatchCount sums the Azure metrics:getBatch calls of one subscription, region and
// resource type (metric namespace), so a test can check how a collector splits its work
// (at most 50 resources and 20 metrics per call).
type MetricBatchCount struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Namespace string `json:"namespace"`
	// Calls is the number of calls that passed validation.
	Calls int `json:"calls"`
	// Resources sums the resource ids of those calls.
	Resources int `json:"resources"`
	// Metrics sums resource ids times metric names of those calls.
	Metrics int `json:"metrics"`
}

// RejectCount is the number of requests rejected before reaching an operation.
type RejectCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Stats is a snapshot of the simulator's counters, served at GET /sim/stats.
type Stats struct {
	// Calls counts every authenticated call, including those answered with an injected fault.
	Calls []CallCount `json:"calls"`
	// MetricsRequested counts the queries of successful GetMetricData calls and the
	// resources times metric names of Azure metrics:getBatch calls.
	MetricsRequested []MetricsCount `json:"metrics_requested"`
	// MetricBatches counts Azure metrics:getBatch calls per subscription, region and namespace.
	MetricBatches []MetricBatchCount `json:"metric_batches"`
	Faults        []FaultCount       `json:"faults"`
	Rejected      []RejectCount      `json:"rejected"`
}

// CallsOf returns the number of calls of an operation; an empty account sums all accounts.
func (s Stats) CallsOf(account, service, operation string) int {
	n := 0
	for _, c := range s.Calls {
		if (account == "" || c.Account == account) && c.Service == service && c.Operation == operation {
			n += c.Count
		}
	}
	return n
}

// CallsIn returns the number of calls of an operation by an account in one region.
func (s Stats) CallsIn(account, region, service, operation string) int {
	n := 0
	for _, c := range s.Calls {
		if c.Account == account && c.Region == region && c.Service == service && c.Operation == operation {
			n += c.Count
		}
	}
	return n
}

// MetricsRequestedBy returns the billed metrics of an account; empty sums all accounts.
func (s Stats) MetricsRequestedBy(account string) int {
	n := 0
	for _, c := range s.MetricsRequested {
		if account == "" || c.Account == account {
			n += c.Count
		}
	}
	return n
}

// MetricBatchesIn returns the metrics:getBatch counts of a subscription, region and namespace
// (matched case-insensitively); an empty region or namespace sums all of them.
func (s Stats) MetricBatchesIn(account, region, namespace string) MetricBatchCount {
	out := MetricBatchCount{Account: account, Region: region, Namespace: namespace}
	for _, b := range s.MetricBatches {
		if b.Account == account && (region == "" || strings.EqualFold(b.Region, region)) &&
			(namespace == "" || strings.EqualFold(b.Namespace, namespace)) {
			out.Calls += b.Calls
			out.Resources += b.Resources
			out.Metrics += b.Metrics
		}
	}
	return out
}

// FaultsOf returns the number of injected faults of a kind; empty operation sums all.
func (s Stats) FaultsOf(kind, operation string) int {
	n := 0
	for _, c := range s.Faults {
		if c.Kind == kind && (operation == "" || c.Operation == operation) {
			n += c.Count
		}
	}
	return n
}

// RejectedFor returns the number of requests rejected for a reason.
func (s Stats) RejectedFor(reason string) int {
	for _, r := range s.Rejected {
		if r.Reason == reason {
			return r.Count
		}
	}
	return 0
}

type statsStore struct {
	mu       sync.Mutex
	calls    map[CallCount]int
	metrics  map[string]int
	batches  map[MetricBatchCount]MetricBatchCount
	faults   map[FaultCount]int
	rejected map[string]int
}

func newStatsStore() *statsStore {
	s := &statsStore{}
	s.reset()
	return s
}

func (s *statsStore) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[CallCount]int{}
	s.metrics = map[string]int{}
	s.batches = map[MetricBatchCount]MetricBatchCount{}
	s.faults = map[FaultCount]int{}
	s.rejected = map[string]int{}
}

func (s *statsStore) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{
		Calls: []CallCount{}, MetricsRequested: []MetricsCount{}, MetricBatches: []MetricBatchCount{},
		Faults: []FaultCount{}, Rejected: []RejectCount{},
	}
	for k, n := range s.calls {
		k.Count = n
		out.Calls = append(out.Calls, k)
	}
	sort.Slice(out.Calls, func(i, j int) bool {
		a, b := out.Calls[i], out.Calls[j]
		return a.Account+a.Region+a.Service+a.Operation < b.Account+b.Region+b.Service+b.Operation
	})
	for a, n := range s.metrics {
		out.MetricsRequested = append(out.MetricsRequested, MetricsCount{a, n})
	}
	sort.Slice(out.MetricsRequested, func(i, j int) bool { return out.MetricsRequested[i].Account < out.MetricsRequested[j].Account })
	for _, b := range s.batches {
		out.MetricBatches = append(out.MetricBatches, b)
	}
	sort.Slice(out.MetricBatches, func(i, j int) bool {
		a, b := out.MetricBatches[i], out.MetricBatches[j]
		return a.Account+a.Region+a.Namespace < b.Account+b.Region+b.Namespace
	})
	for k, n := range s.faults {
		k.Count = n
		out.Faults = append(out.Faults, k)
	}
	sort.Slice(out.Faults, func(i, j int) bool {
		a, b := out.Faults[i], out.Faults[j]
		return a.Account+a.Service+a.Operation+a.Kind < b.Account+b.Service+b.Operation+b.Kind
	})
	for r, n := range s.rejected {
		out.Rejected = append(out.Rejected, RejectCount{r, n})
	}
	sort.Slice(out.Rejected, func(i, j int) bool { return out.Rejected[i].Reason < out.Rejected[j].Reason })
	return out
}

// CountCall records one authenticated call.
func (s *Simulator) CountCall(account, region, service, operation string) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.calls[CallCount{Account: account, Region: region, Service: service, Operation: operation}]++
}

// CountMetricsRequested records the billed metrics of a successful GetMetricData call.
func (s *Simulator) CountMetricsRequested(account string, n int) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.metrics[account] += n
}

// CountMetricBatch records one validated Azure metrics:getBatch call of resources resource ids
// and metricNames metric names; the product is also added to the subscription's metrics
// requested.
func (s *Simulator) CountMetricBatch(account, region, namespace string, resources, metricNames int) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	k := MetricBatchCount{Account: account, Region: region, Namespace: namespace}
	b := s.stats.batches[k]
	b.Account, b.Region, b.Namespace = account, region, namespace
	b.Calls++
	b.Resources += resources
	b.Metrics += resources * metricNames
	s.stats.batches[k] = b
	s.stats.metrics[account] += resources * metricNames
}

// CountRejected records a request rejected before reaching an operation.
func (s *Simulator) CountRejected(reason string) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.rejected[reason]++
}

func (s *Simulator) countFault(account, service, operation, kind string) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.faults[FaultCount{Account: account, Service: service, Operation: operation, Kind: kind}]++
}

// Stats returns a snapshot of the counters.
func (s *Simulator) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters (not the fault sequence, which stays a function of the seed
// and the call order).
func (s *Simulator) ResetStats() { s.stats.reset() }
