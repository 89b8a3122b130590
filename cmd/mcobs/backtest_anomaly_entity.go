package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/tsio"
)

// entitySuffix marks a folder of entity files: a file <name>.csv in <cat>_entity stands for one
// entity (a server) whose metrics are the files <cat>/<name>_*.csv in the sibling folder, as in
// the asd data set of ../shared/data. Only its rows' times matter: the entity is scored, row by
// row, by the group model of the anomaly processor (detect.Multi) over those metrics.
const entitySuffix = "_entity"

// entityMembers returns the metric files of the entity file path, in name order, or nil when
// path is not an entity file.
func entityMembers(path string) ([]string, error) {
	dir := filepath.Dir(path)
	cat := filepath.Base(dir)
	if !strings.HasSuffix(cat, entitySuffix) {
		return nil, nil
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	pattern := filepath.Join(filepath.Dir(dir), strings.TrimSuffix(cat, entitySuffix), name+"_*.csv")
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	if len(files) < 2 || len(files) > detect.MaxDims {
		return nil, fmt.Errorf("entity %s: %d metric files match %s, want 2 to %d", path, len(files), pattern, detect.MaxDims)
	}
	sort.Strings(files)
	return files, nil
}

// scoreEntity scores each row of the entity s with a group model over its metric files: the
// vector of the metrics' values at the row's time. A row where a metric has no value is scored
// 0. It returns the scores and, for each row, the name of the metric that contributed most to
// the group's energy ("" where the model gave no score), which lets the bench compare it with
// the metrics the operators named.
func scoreEntity(warn io.Writer, s tsio.Series, memberFiles []string) ([]float64, []string, error) {
	members := make([]map[int64]float64, len(memberFiles))
	names := make([]string, len(memberFiles))
	for i, f := range memberFiles {
		m, err := readSeries(warn, f)
		if err != nil {
			return nil, nil, err
		}
		names[i] = m.Name
		members[i] = make(map[int64]float64, len(m.Points))
		for _, p := range m.Points {
			members[i][p.Time.UnixNano()] = p.Value
		}
	}
	model, err := detect.NewMulti(detect.DefaultMultiConfig(len(memberFiles)))
	if err != nil {
		return nil, nil, err
	}
	scores := make([]float64, len(s.Points))
	tops := make([]string, len(s.Points))
	x := make([]float64, len(members))
	for i, p := range s.Points {
		complete := true
		for j, m := range members {
			v, ok := m[p.Time.UnixNano()]
			complete = complete && ok
			x[j] = v
		}
		if !complete {
			continue
		}
		r := model.Update(x)
		scores[i] = r.Score
		if r.Score > 0 && r.Top >= 0 {
			tops[i] = names[r.Top]
		}
	}
	return scores, tops, nil
}
