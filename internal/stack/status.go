package stack

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Status is the live summary `mcobs up` prints.
type Status struct {
	// Series is the number of series in Prometheus's head block.
	Series uint64
	// SamplesPerSecond is the rate at which Prometheus appends samples, remote write included.
	SamplesPerSecond float64
	// Firing counts alerts in state firing.
	Firing int
}

func (s Status) String() string {
	return fmt.Sprintf("series %d · samples/s %.0f · alerts firing %d", s.Series, s.SamplesPerSecond, s.Firing)
}

// ReadStatus asks Prometheus at url for the figures of Status.
func ReadStatus(ctx context.Context, url string) (Status, error) {
	c, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		return Status{}, err
	}
	papi := v1.NewAPI(c)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var st Status
	tsdb, err := papi.TSDB(ctx)
	if err != nil {
		return st, fmt.Errorf("tsdb status: %w", err)
	}
	st.Series = uint64(tsdb.HeadStats.NumSeries)
	alerts, err := papi.Alerts(ctx)
	if err != nil {
		return st, fmt.Errorf("alerts: %w", err)
	}
	for _, a := range alerts.Alerts {
		if a.State == v1.AlertStateFiring {
			st.Firing++
		}
	}
	v, _, err := papi.Query(ctx, "sum(rate(prometheus_tsdb_head_samples_appended_total[1m]))", time.Now())
	if err != nil {
		return st, fmt.Errorf("samples rate: %w", err)
	}
	if vec, ok := v.(model.Vector); ok && len(vec) == 1 {
		st.SamplesPerSecond = float64(vec[0].Value)
	}
	return st, nil
}
