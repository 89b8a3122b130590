package detect

const (
	day  = 86400
	week = 7 * day
)

// slot locates time sec in a cyclic profile of n slots over period seconds: the two slots whose
// centres surround it and the weight of the second, so that profiles are read and learnt by
// linear interpolation and a smooth daily curve needs few slots.
func slot(sec, period int64, n int) (i0, i1 int, w float64) {
	p := float64(mod(sec, period))/float64(period)*float64(n) - 0.5
	if p < 0 {
		p += float64(n)
	}
	i0 = int(p)
	w = p - float64(i0)
	if i0 >= n {
		i0 = n - 1
	}
	i1 = i0 + 1
	if i1 == n {
		i1 = 0
	}
	return i0, i1, w
}

func profileAt(prof []float64, sec, period int64) float64 {
	i0, i1, w := slot(sec, period, len(prof))
	return (1-w)*prof[i0] + w*prof[i1]
}

// learnProfile moves the profile at sec towards target; alpha is the smoothing per update.
func learnProfile(prof []float64, sec, period int64, target, alpha float64) {
	i0, i1, w := slot(sec, period, len(prof))
	e := target - ((1-w)*prof[i0] + w*prof[i1])
	prof[i0] += alpha * (1 - w) * e
	prof[i1] += alpha * w * e
}

func mod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

// model picks the seasonal model to use: 0 none, 1 daily, 2 weekly. A profile qualifies once it
// has seen two periods and predicts clearly better than the plain level.
func (s *state) model() int {
	span := s.LastT - s.FirstT
	best, bestErr := 0, s.Err[0]*seasonGain
	if span >= 2*day && s.Err[1] < bestErr {
		best, bestErr = 1, s.Err[1]
	}
	if span >= 2*week && s.Err[2] < bestErr {
		best = 2
	}
	return best
}

func (s *state) seasonal(m int, sec int64) float64 {
	switch m {
	case 1:
		return profileAt(s.Daily[:], sec, day)
	case 2:
		return profileAt(s.Weekly[:], sec, week)
	}
	return 0
}

// learnSeasons updates both profiles with the detrended value d at sec.
func (s *state) learnSeasons(sec int64, d float64) {
	span := float64(s.LastT - s.FirstT)
	s.learn(s.Daily[:], sec, day, d, span)
	s.learn(s.Weekly[:], sec, week, d, span)
}

// learn smooths one profile so that each slot forgets at seasonPerDay per period whatever the
// sampling interval, and averages evenly over the first periods so it is usable early.
func (s *state) learn(prof []float64, sec, period int64, d, span float64) {
	perPeriod := seasonPerDay
	if seen := span / float64(period); seen < 1/seasonPerDay-1 {
		perPeriod = 1 / (seen + 1)
	}
	width := float64(period) / float64(len(prof))
	updates := 1.0
	if s.Dt > 0 && width > s.Dt {
		updates = width / s.Dt
	}
	learnProfile(prof, sec, period, d, perPeriod/updates)
}
