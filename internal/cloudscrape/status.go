package cloudscrape

import (
	"slices"
	"sort"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Collection states of an account, as the overview dashboard shows them.
const (
	StatusSuccess = "success"
	StatusFailed  = "failed"
	StatusNotUsed = "not_used"
)

// Normalized instance states of the inventory metric.
const (
	InstanceRunning = "running"
	InstanceStopped = "stopped"
	InstanceOther   = "other"
)

// Names of the metrics every cloud receiver emits about its own collection.
const (
	MetricInventoryInstances = "mcobs.inventory.instances"
	MetricCollectionStatus   = "mcobs.collection.status"
)

// Report accumulates, over one poll, instance counts by state and each account's collection
// status, and appends them as metrics. Instance states are normalized to running, stopped and
// other; the provider's own state is not lost: it is the resource attribute of each instance.
type Report struct {
	provider  string
	mu        sync.Mutex          // the targets of a poll report concurrently
	instances map[[4]string]int64 // account, region, platform, state
	status    map[string][2]string
}

// NewReport starts a report for provider.
func NewReport(provider string) *Report {
	return &Report{provider: provider, instances: map[[4]string]int64{}, status: map[string][2]string{}}
}

// Instance counts one instance (a VM, a managed database: its cloud.platform tells) of account
// and region in state, which the provider has normalized to running, stopped or other.
func (r *Report) Instance(account, region, platform, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Every state of a region that has instances is reported, 0 included: a count that fell to
	// zero must read 0, not vanish and linger in last_over_time windows (no staleness markers
	// in remote write).
	for _, s := range [...]string{InstanceRunning, InstanceStopped, InstanceOther} {
		k := [4]string{account, region, platform, s}
		if _, ok := r.instances[k]; !ok {
			r.instances[k] = 0
		}
	}
	r.instances[[4]string{account, region, platform, state}]++
}

// Status records the collection state of an account; a failure wins over success so one
// failing region shows.
func (r *Report) Status(account, state, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.status[account]; ok && prev[0] == StatusFailed {
		return
	}
	r.status[account] = [2]string{state, reason}
}

// LastStatus remembers, across polls, the collection state each account was last reported in,
// so a state the account leaves is reported once more with 0 instead of vanishing. Remote write
// carries no staleness markers: a vanished series lingers in every last_over_time window, and an
// alert on a failed state would go on firing for that long after the account recovered. Kept in
// memory: after a restart a left state vanishes as before. The zero value is ready to use.
type LastStatus struct {
	mu sync.Mutex
	m  map[string][2]string
}

// swap records cur as account's state and returns the previous one if it differs.
func (l *LastStatus) swap(account string, cur [2]string) ([2]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string][2]string{}
	}
	prev, ok := l.m[account]
	l.m[account] = cur
	return prev, ok && prev != cur
}

// AppendTo adds the report's metrics to md as one resource of the provider, stamped at ts. With
// last, a state an account has left since the previous report is appended with 0.
func (r *Report) AppendTo(md pmetric.Metrics, ts pcommon.Timestamp, last *LastStatus) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("cloud.provider", r.provider)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("github.com/mcobs/mcobs/internal/cloudscrape")

	inv := sm.Metrics().AppendEmpty()
	inv.SetName(MetricInventoryInstances)
	inv.SetUnit("{instance}")
	inv.SetDescription("Instances (VMs, managed databases) by account, region, platform and state (running, stopped, other).")
	g := inv.SetEmptyGauge()
	keys := make([][4]string, 0, len(r.instances))
	for k := range r.instances {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [4]string) int { return slices.Compare(a[:], b[:]) })
	for _, k := range keys {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(r.instances[k])
		dp.Attributes().PutStr("cloud.account.id", k[0])
		dp.Attributes().PutStr("cloud.region", k[1])
		dp.Attributes().PutStr("cloud.platform", k[2])
		dp.Attributes().PutStr("state", k[3])
	}

	st := sm.Metrics().AppendEmpty()
	st.SetName(MetricCollectionStatus)
	st.SetUnit("") // a state, not a ratio: no unit, so Prometheus adds no _ratio suffix
	st.SetDescription("1 for the account's current collection state (success, failed, not_used), with the failure reason.")
	sg := st.SetEmptyGauge()
	accounts := make([]string, 0, len(r.status))
	for a := range r.status {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	put := func(account string, st [2]string, v int64) {
		dp := sg.DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(v)
		dp.Attributes().PutStr("cloud.account.id", account)
		dp.Attributes().PutStr("state", st[0])
		dp.Attributes().PutStr("reason", st[1])
	}
	for _, a := range accounts {
		put(a, r.status[a], 1)
		if last == nil {
			continue
		}
		if prev, changed := last.swap(a, r.status[a]); changed {
			put(a, prev, 0)
		}
	}
}
