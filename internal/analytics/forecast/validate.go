package forecast

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Rolling-origin validation. The candidates' parameters are fitted on the first part of the
// history only; every candidate then forecasts the rest from many origins, each forecast made
// from the values up to its origin. The candidate (or the mean of the best two or three) with
// the lowest mean absolute error on those forecasts is the model, and the same errors, by
// horizon, calibrate its intervals: both are judged on forecasts the model had not seen, as
// the forecasts it will be asked for.
const (
	maxValOrigins  = 200 // origins scored when choosing a model
	maxValHorizons = 48  // horizons scored per origin when choosing
	maxCombo       = 3   // the most candidates averaged
)

// valSplit is the fitting part [0, c) and the validation part [c, n) of a grid of n slots, and
// the longest horizon validated.
type valSplit struct {
	n, c, h int
}

// newSplit keeps for validation a quarter of the history, at least twice the horizon, at most
// half: long enough that forecasts from many origins reach the horizon, short enough that the
// parameters see most of the history. The longest horizon validated leaves at least
// minKnotErrs origins (or half of them on short histories) at it.
func newSplit(n, horizon int) valSplit {
	v := min(n/2, max(2*horizon, n/4))
	return valSplit{n: n, c: n - v, h: max(1, min(horizon, v-min(v/2, minKnotErrs)))}
}

type pair struct{ o, h int }

// pairs are the (origin, horizon) forecasts scored in selection: origins spread evenly over the
// validation part, horizons spread evenly up to s.h, only where the target was observed.
func (s valSplit) pairs(y []float64) []pair {
	ostride := max(1, (s.n-s.c+maxValOrigins-1)/maxValOrigins)
	hstride := max(1, s.h/maxValHorizons)
	var out []pair
	for o := s.n - 2; o >= s.c-1 && o >= 0; o -= ostride {
		for h := 1; h <= s.h && o+h < s.n; h += hstride {
			if !math.IsNaN(y[o+h]) {
				out = append(out, pair{o, h})
			}
		}
	}
	return out
}

// candidate is one model tried.
type candidate struct {
	name   string
	kind   Kind
	season time.Duration // the (first) season, 0 without one
	period int
	extra  time.Duration // the second season of a double seasonal model
	pred   predictor
	ets    *etsModel // nil for the seasonal naive
	parts  []*candidate
	mae    float64
	preds  []float64 // forecasts at the selection pairs
}

// score records c's forecasts at the pairs and their mean absolute error.
func (c *candidate) score(y []float64, pairs []pair) {
	c.preds = make([]float64, len(pairs))
	var sum float64
	for i, p := range pairs {
		c.preds[i] = c.pred.predictFrom(p.o, p.h)
		sum += math.Abs(y[p.o+p.h] - c.preds[i])
	}
	c.mae = sum / float64(max(len(pairs), 1))
	if len(pairs) == 0 || !finite(c.mae) {
		c.mae = math.Inf(1)
	}
}

// choose returns the candidate, or the equal-weight mean of the best two or three, with the
// lowest validation error, and a note of every score.
func choose(cands []*candidate, y []float64, pairs []pair) (*candidate, string) {
	for _, c := range cands {
		c.score(y, pairs)
	}
	ranked := slices.Clone(cands)
	// Stable: ties keep the order of the candidates, richest first.
	slices.SortStableFunc(ranked, func(a, b *candidate) int {
		switch {
		case a.mae < b.mae:
			return -1
		case a.mae > b.mae:
			return 1
		}
		return 0
	})
	best := ranked[0]
	var notes []string
	for _, c := range ranked {
		notes = append(notes, fmt.Sprintf("%s %.4g", c.name, c.mae))
	}
	for k := 2; k <= min(maxCombo, len(ranked)); k++ {
		if math.IsInf(ranked[k-1].mae, 1) {
			break
		}
		cb := &candidate{kind: KindCombination, parts: ranked[:k:k], preds: make([]float64, len(pairs))}
		var names []string
		var preds []predictor
		for _, p := range cb.parts {
			names = append(names, p.name)
			preds = append(preds, p.pred)
		}
		cb.name = "mean(" + strings.Join(names, ", ") + ")"
		cb.pred = &combo{parts: preds}
		var sum float64
		for i, p := range pairs {
			for _, part := range cb.parts {
				cb.preds[i] += part.preds[i]
			}
			cb.preds[i] /= float64(k)
			sum += math.Abs(y[p.o+p.h] - cb.preds[i])
		}
		cb.mae = sum / float64(len(pairs))
		notes = append(notes, fmt.Sprintf("%s %.4g", cb.name, cb.mae))
		if cb.mae < best.mae {
			best = cb
		}
	}
	return best, strings.Join(notes, ", ")
}
