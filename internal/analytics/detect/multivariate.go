package detect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MultiConfig holds the tunables of a Multi model.
type MultiConfig struct {
	// Dims is the number of metrics modelled jointly, 2 to MaxDims.
	Dims int
	// Percentile of the recent energies used as the threshold, in (50, 100). Default 99.
	Percentile float64
	// Window is the number of recent energies the percentile is taken over. Default 512.
	Window int
	// WarmUp is the number of vectors learnt before any score is reported. Default 64.
	WarmUp int
}

// MaxDims bounds the size of a multivariate model: 32 metrics keep a model under 40 KiB and its
// eigen-decomposition, every multiRefresh vectors, under a millisecond.
const MaxDims = 32

// Multivariate tuning: how fast the mean, spread and covariance follow the data, how often the
// covariance is decomposed, and the ridge that keeps it invertible.
const (
	multiAlpha     = 0.002
	multiRefresh   = 32
	multiRidge     = 1e-3
	multiHuberSq   = 9.0 // vectors beyond this energy are down-weighted when learning
	multiMinScale  = 1e-9
	multiScaleWarm = 10 // vectors that set the scales before the correlation is learnt
)

// DefaultMultiConfig returns the default configuration for dims metrics.
func DefaultMultiConfig(dims int) MultiConfig {
	return MultiConfig{Dims: dims, Percentile: 99, Window: 512, WarmUp: 64}
}

// Validate reports every problem of the configuration at once.
func (c MultiConfig) Validate() error {
	var errs []error
	if c.Dims < 2 || c.Dims > MaxDims {
		errs = append(errs, fmt.Errorf("dims must be in [2, %d], got %d", MaxDims, c.Dims))
	}
	if !(c.Percentile > 50 && c.Percentile < 100) {
		errs = append(errs, fmt.Errorf("percentile must be in (50, 100), got %v", c.Percentile))
	}
	if c.Window < 16 || c.Window > 1<<16 {
		errs = append(errs, fmt.Errorf("window must be in [16, 65536], got %d", c.Window))
	}
	if c.WarmUp < 0 {
		errs = append(errs, fmt.Errorf("warm_up must not be negative, got %d", c.WarmUp))
	}
	return errors.Join(errs...)
}

// MultiResult is what a Multi model says about one vector.
type MultiResult struct {
	// Score in [0, 1): energy/(energy+threshold), so 0.5 is the threshold.
	Score float64
	// Energy is the squared Mahalanobis distance of the standardised vector from the robust
	// mean under the learnt covariance.
	Energy float64
	// Threshold is the configured percentile of the recent energies.
	Threshold float64
	// Top is the index of the metric that contributed most to the energy.
	Top int
	// Anomalous says whether Energy is above Threshold after warm-up.
	Anomalous bool
}

// Multi models the joint normal behaviour of a few metrics of one resource: a robust
// (Huber-weighted, exponentially forgetting) mean, scale and correlation matrix of the metrics,
// whose eigen-decomposition, refreshed every few vectors, gives each vector's energy as a sum
// over principal components. The energy splits exactly into per-metric contributions
// z_j (C⁻¹z)_j, which name the top metric. Not safe for concurrent use.
type Multi struct {
	cfg MultiConfig
	// model
	n              int64
	mean, variance []float64
	cov            []float64 // dims x dims, of the standardised vectors
	// cached decomposition of cov + ridge: inverse, refreshed every multiRefresh vectors
	inv []float64
	// recent energies, a ring
	ring []float64
	pos  int32
	// scratch
	z, w, sorted []float64
}

// NewMulti returns an empty model, or an error if cfg is invalid.
func NewMulti(cfg MultiConfig) (*Multi, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := cfg.Dims
	m := &Multi{
		cfg:      cfg,
		mean:     make([]float64, d),
		variance: make([]float64, d),
		cov:      make([]float64, d*d),
		inv:      make([]float64, d*d),
		ring:     make([]float64, 0, cfg.Window),
		z:        make([]float64, d),
		w:        make([]float64, d),
		sorted:   make([]float64, 0, cfg.Window),
	}
	for i := range d {
		m.cov[i*d+i] = 1
		m.inv[i*d+i] = 1
	}
	return m, nil
}

// Size returns the bytes the model keeps (model, window and scratch).
func (m *Multi) Size() int {
	d := m.cfg.Dims
	return 8*(2*d+2*d*d+2*d) + 16*m.cfg.Window + 64
}

// Update scores x (one value per metric, in configuration order) and learns it. A vector with a
// non-finite value is neither scored nor learnt.
func (m *Multi) Update(x []float64) MultiResult {
	d := m.cfg.Dims
	if len(x) != d {
		return MultiResult{Top: -1}
	}
	for _, v := range x {
		if !Usable(v) {
			return MultiResult{Top: -1}
		}
	}
	if m.n == 0 {
		copy(m.mean, x)
	}
	m.n++
	for i, v := range x {
		m.z[i] = (v - m.mean[i]) / math.Sqrt(m.variance[i]+multiMinScale*(1+math.Abs(m.mean[i])))
	}
	// w = C⁻¹ z; energy = z·w; contribution_j = z_j w_j.
	energy, top, topC := 0.0, 0, math.Inf(-1)
	for i := range d {
		var s float64
		for j := range d {
			s += m.inv[i*d+j] * m.z[j]
		}
		m.w[i] = s
		c := m.z[i] * s
		energy += c
		if c > topC {
			top, topC = i, c
		}
	}
	if energy < 0 || !isFinite(energy) {
		energy = 0
	}
	thr := m.threshold()
	res := MultiResult{Energy: energy, Threshold: thr, Top: top}
	if m.n > int64(m.cfg.WarmUp) && thr > 0 {
		res.Score = energy / (energy + thr)
		res.Anomalous = energy > thr
	}
	m.learn(x, energy)
	return res
}

// Contributions appends to dst each metric's share of the last Update's energy, z_j·(C⁻¹z)_j in
// configuration order: they sum to the energy, and a negative one is a metric that made the
// vector less unusual (it moved the way its correlated partners did). Valid until the next
// Update; zeros before the first.
func (m *Multi) Contributions(dst []float64) []float64 {
	for i := range m.cfg.Dims {
		dst = append(dst, m.z[i]*m.w[i])
	}
	return dst
}

// threshold is the configured percentile of the recent energies.
func (m *Multi) threshold() float64 {
	if len(m.ring) == 0 {
		return 0
	}
	m.sorted = append(m.sorted[:0], m.ring...)
	k := int(math.Ceil(m.cfg.Percentile/100*float64(len(m.sorted)))) - 1
	return selectKth(m.sorted, max(0, min(k, len(m.sorted)-1)))
}

// selectKth returns the k-th smallest element of a (which it reorders): Hoare's quickselect with
// a median-of-three pivot, linear on average where a sort would be n log n per vector.
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

func (m *Multi) learn(x []float64, energy float64) {
	d := m.cfg.Dims
	// Huber weight: an outlying vector moves the model less.
	wt := 1.0
	if m.n > int64(m.cfg.WarmUp) && energy > multiHuberSq*float64(d) {
		wt = multiHuberSq * float64(d) / energy
	}
	a := multiAlpha * wt
	if m.n <= 1/multiAlpha {
		a = wt / float64(m.n)
	}
	for i, v := range x {
		dv := v - m.mean[i]
		m.mean[i] += a * dv
		m.variance[i] = (1 - a) * (m.variance[i] + a*dv*dv)
	}
	// The correlation is learnt only once the scales mean something; before, z is noise.
	if n := m.n - multiScaleWarm; n > 0 {
		ca := wt * math.Max(multiAlpha, 1/float64(n))
		for i := range d {
			for j := range d {
				m.cov[i*d+j] = (1-ca)*m.cov[i*d+j] + ca*m.z[i]*m.z[j]
			}
		}
	}
	if len(m.ring) < cap(m.ring) {
		m.ring = append(m.ring, energy)
	} else {
		m.ring[m.pos] = energy
		m.pos = (m.pos + 1) % int32(len(m.ring))
	}
	if m.n%multiRefresh == 0 {
		m.refresh()
	}
}

// refresh inverts the ridge-regularised correlation matrix through its eigen-decomposition,
// dropping nothing but flooring tiny eigenvalues, so collinear metrics do not explode the
// energy.
func (m *Multi) refresh() {
	d := m.cfg.Dims
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (m.cov[i*d+j]+m.cov[j*d+i])/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var trace float64
	for _, l := range vals {
		trace += math.Max(l, 0)
	}
	floor := multiRidge * math.Max(trace/float64(d), 1e-12)
	for i := range d {
		for j := range d {
			var s float64
			for k := range d {
				s += vecs.At(i, k) * vecs.At(j, k) / math.Max(vals[k], floor)
			}
			m.inv[i*d+j] = s
		}
	}
}

const (
	multiMagic   = "MCMV"
	multiVersion = 1
)

// MarshalBinary writes the model as a versioned little-endian record.
func (m *Multi) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(multiMagic)
	buf.WriteByte(multiVersion)
	hdr := []int64{int64(m.cfg.Dims), int64(m.cfg.Window), m.n, int64(m.pos), int64(len(m.ring))}
	if err := binary.Write(&buf, binary.LittleEndian, hdr); err != nil {
		return nil, err
	}
	for _, v := range [][]float64{m.mean, m.variance, m.cov, m.inv, m.ring} {
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary replaces the model with one written by MarshalBinary for the same number of
// metrics and window. On error the model is left unchanged.
func (m *Multi) UnmarshalBinary(b []byte) error {
	h := len(multiMagic) + 1
	if len(b) < h || string(b[:len(multiMagic)]) != multiMagic {
		return fmt.Errorf("%w: bad header", ErrCheckpoint)
	}
	if b[len(multiMagic)] != multiVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrCheckpoint, b[len(multiMagic)], multiVersion)
	}
	r := bytes.NewReader(b[h:])
	var hdr [5]int64
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	d, win, n, pos, fill := hdr[0], hdr[1], hdr[2], hdr[3], hdr[4]
	if d != int64(m.cfg.Dims) || win != int64(m.cfg.Window) || n < 0 || fill < 0 || fill > win || pos < 0 || (fill < win && pos != 0) || (fill == win && pos >= win) {
		return fmt.Errorf("%w: shape %d/%d (n %d, ring %d of %d at %d) does not match %d/%d", ErrCheckpoint, d, win, n, fill, win, pos, m.cfg.Dims, m.cfg.Window)
	}
	mean, variance := make([]float64, d), make([]float64, d)
	cov, inv := make([]float64, d*d), make([]float64, d*d)
	ring := make([]float64, fill, win)
	for _, v := range [][]float64{mean, variance, cov, inv, ring} {
		if err := binary.Read(r, binary.LittleEndian, v); err != nil {
			return fmt.Errorf("%w: %w", ErrCheckpoint, err)
		}
		for _, x := range v {
			if !isFinite(x) {
				return fmt.Errorf("%w: non-finite model value", ErrCheckpoint)
			}
		}
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCheckpoint, r.Len())
	}
	m.n, m.pos = n, int32(pos)
	m.mean, m.variance, m.cov, m.inv, m.ring = mean, variance, cov, inv, ring
	return nil
}
