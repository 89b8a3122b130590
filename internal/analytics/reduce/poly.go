package reduce

import "math"

// maxVertices caps the feasible polygon of a connected segment, so state stays bounded.
const maxVertices = 5

// poly is a convex polygon of feasible (y, s) pairs for a connected linear segment: y is the
// value of the knot it starts from (still open within the previous segment's interval) and s
// the slope. Every sample of the segment clips it by two half-planes. When clipping would give
// more than maxVertices vertices, the vertex spanning the smallest triangle is dropped: the
// hull of the remaining vertices lies inside the old one, so every pair left is still feasible.
type poly struct {
	y, s [maxVertices]float64
	n    int32
}

// init sets the parallelogram y in [lo, hi], vlo <= y + s*dx <= vhi.
func (p *poly) init(lo, hi, dx, vlo, vhi float64) {
	p.n = 0
	p.add(lo, (vlo-lo)/dx)
	p.add(hi, (vlo-hi)/dx)
	p.add(hi, (vhi-hi)/dx)
	p.add(lo, (vhi-lo)/dx)
}

// add appends a vertex unless it repeats the previous one (or the first, closing the loop).
func (p *poly) add(y, s float64) {
	if p.n > 0 && p.y[p.n-1] == y && p.s[p.n-1] == s {
		return
	}
	if p.n > 0 && p.y[0] == y && p.s[0] == s {
		return
	}
	p.y[p.n], p.s[p.n] = y, s
	p.n++
}

// clip keeps the part where sign*(y + s*dx - c) <= 0 and reports whether any is left.
func (p *poly) clip(dx, c, sign float64) bool {
	var ny, ns [maxVertices + 2]float64
	m := 0
	push := func(y, s float64) {
		if m > 0 && ny[m-1] == y && ns[m-1] == s {
			return
		}
		ny[m], ns[m] = y, s
		m++
	}
	n := int(p.n)
	for i := range n {
		j := (i + 1) % n
		fi := sign * (p.y[i] + p.s[i]*dx - c)
		fj := sign * (p.y[j] + p.s[j]*dx - c)
		if fi <= 0 {
			push(p.y[i], p.s[i])
		}
		if (fi < 0 && fj > 0) || (fi > 0 && fj < 0) {
			t := fi / (fi - fj)
			push(p.y[i]+t*(p.y[j]-p.y[i]), p.s[i]+t*(p.s[j]-p.s[i]))
		}
	}
	if m > 1 && ny[0] == ny[m-1] && ns[0] == ns[m-1] {
		m--
	}
	for m > maxVertices {
		m = dropSmallest(ny[:m], ns[:m])
	}
	p.n = int32(m)
	copy(p.y[:], ny[:m])
	copy(p.s[:], ns[:m])
	return m > 0
}

// dropSmallest removes the vertex whose triangle with its neighbours has the smallest area.
func dropSmallest(y, s []float64) int {
	m := len(y)
	best, bestA := 0, -1.0
	for i := range m {
		a, b := (i+m-1)%m, (i+1)%m
		area := (y[i]-y[a])*(s[b]-s[a]) - (y[b]-y[a])*(s[i]-s[a])
		if area < 0 {
			area = -area
		}
		if bestA < 0 || area < bestA {
			best, bestA = i, area
		}
	}
	copy(y[best:], y[best+1:])
	copy(s[best:], s[best+1:])
	return m - 1
}

// slice returns the range of feasible slopes at y = at.
func (p *poly) slice(at float64) (lo, hi float64, ok bool) {
	n := int(p.n)
	for i := range n {
		j := (i + 1) % n
		yi, yj := p.y[i], p.y[j]
		if (yi-at)*(yj-at) > 0 {
			continue
		}
		var s float64
		switch {
		case yi == at:
			s = p.s[i]
		case yj == at:
			s = p.s[j]
		default:
			s = p.s[i] + (at-yi)/(yj-yi)*(p.s[j]-p.s[i])
		}
		if !ok {
			lo, hi, ok = s, s, true
		} else {
			lo, hi = min(lo, s), max(hi, s)
		}
	}
	return lo, hi, ok
}

// widest returns the start value whose feasible slope range is widest, so the segment's end
// stays as open as possible for the next one; ties go to the value closest to pref.
func (p *poly) widest(pref float64) (at, lo, hi float64) {
	bestW := -1.0
	for i := range int(p.n) {
		l, h, ok := p.slice(p.y[i])
		if !ok {
			continue
		}
		w := h - l
		better := w > bestW || (w == bestW && abs(p.y[i]-pref) < abs(at-pref))
		if better {
			at, lo, hi, bestW = p.y[i], l, h, w
		}
	}
	return at, lo, hi
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// fit narrows the polygon to vlo <= y + s*dx <= vhi and reports whether any of it is left. It
// first projects the vertices: when the band holds them all nothing changes, and when it misses
// them all the polygon is gone, so most samples cost no clipping.
func (p *poly) fit(dx, vlo, vhi float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range int(p.n) {
		x := p.y[i] + p.s[i]*dx
		lo, hi = min(lo, x), max(hi, x)
	}
	switch {
	case hi < vlo || lo > vhi:
		return false
	case lo >= vlo && hi <= vhi:
		return true
	}
	q := *p
	if (hi > vhi && !q.clip(dx, vhi, 1)) || (lo < vlo && !q.clip(dx, vlo, -1)) {
		return false
	}
	*p = q
	return true
}
