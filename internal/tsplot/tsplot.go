// Package tsplot draws time series with bands and markers to PNG or SVG (chosen by the file
// extension) with gonum/plot. The backtests use it to show a person what an algorithm did.
package tsplot

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Line is a series drawn as a polyline.
type Line struct {
	Name  string
	Times []time.Time
	Vals  []float64
	Color color.Color
}

// Band is a shaded area between Lower and Upper, such as a dynamic threshold or an interval.
type Band struct {
	Name         string
	Times        []time.Time
	Lower, Upper []float64
	Color        color.Color
}

// Markers are points drawn as glyphs, such as anomalies or kept samples.
type Markers struct {
	Name  string
	Times []time.Time
	Vals  []float64
	Color color.Color
}

// Chart is one figure.
type Chart struct {
	Title   string
	Bands   []Band
	Lines   []Line
	Markers []Markers
}

// Common colours, so every backtest draws alike.
var (
	Blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	Orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	Red    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	Grey   = color.RGBA{R: 150, G: 150, B: 150, A: 90}
	Green  = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	Purple = color.RGBA{R: 148, G: 103, B: 189, A: 255}
	Brown  = color.RGBA{R: 140, G: 86, B: 75, A: 255}
	Pink   = color.RGBA{R: 227, G: 119, B: 194, A: 255}
)

// Save draws the chart to path; the extension (.png or .svg) picks the format.
func Save(c Chart, path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("plot %q: extension must be .png or .svg", path)
	}
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Tick.Marker = plot.TimeTicks{Format: "01-02\n15:04"}
	p.Legend.Top = true
	for _, b := range c.Bands {
		pts := make(plotter.XYs, 0, 2*len(b.Times))
		for i, t := range b.Times {
			pts = append(pts, plotter.XY{X: unix(t), Y: b.Upper[i]})
		}
		for i := len(b.Times) - 1; i >= 0; i-- {
			pts = append(pts, plotter.XY{X: unix(b.Times[i]), Y: b.Lower[i]})
		}
		if len(pts) == 0 {
			continue
		}
		poly, err := plotter.NewPolygon(pts)
		if err != nil {
			return err
		}
		poly.Color = b.Color
		poly.Width = 0
		p.Add(poly)
		p.Legend.Add(b.Name, poly)
	}
	for _, l := range c.Lines {
		ln, err := plotter.NewLine(xys(l.Times, l.Vals))
		if err != nil {
			return err
		}
		ln.Color = l.Color
		ln.Width = vg.Points(0.8)
		p.Add(ln)
		p.Legend.Add(l.Name, ln)
	}
	for _, m := range c.Markers {
		if len(m.Times) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys(m.Times, m.Vals))
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: m.Color, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(m.Name, sc)
	}
	return p.Save(14*vg.Inch, 5*vg.Inch, path)
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func xys(ts []time.Time, vs []float64) plotter.XYs {
	pts := make(plotter.XYs, len(ts))
	for i := range ts {
		pts[i] = plotter.XY{X: unix(ts[i]), Y: vs[i]}
	}
	return pts
}
