//go:build tune

package detect

// The tuning harness behind the held-out figures of the README: coordinate descent of the tuned
// constants on one NAB fold, scored with the NAB scorer, then the result scored on the other
// fold, which the descent never saw. It is behind the "tune" build tag because it needs the NAB
// data and python3, and takes minutes:
//
//	cd internal/analytics && TUNE_FOLD=0 TUNE_START=pre go test -tags tune -run TestTuneFold -timeout 2h -v ./detect/
//
// TUNE_FOLD is the fold tuned on (the other is reported; -1 tunes on all files); TUNE_START is
// "pre" (the constants before the whole-set descent) or "current" (the defaults); TUNE_ROUNDS
// the descent rounds (default 2); TUNE_OBJECTIVE "innercv" (default) or "insample". NAB_DATA and
// NAB_EVAL locate the data and the scorer.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mcobs/mcobs/internal/tsio"
)

// tunable is one constant: a pointer to it and whether it is perturbed as 1-x (a factor close
// to 1) rather than x.
type tunable struct {
	name       string
	p          *float64
	complement bool
}

func tunables() []tunable {
	return []tunable{
		{"levelAlpha", &levelAlpha, false}, {"trendAlpha", &trendAlpha, false},
		{"trendDamp", &trendDamp, true}, {"errAlpha", &errAlpha, false},
		{"madAlpha", &madAlpha, false}, {"madClip", &madClip, false},
		{"seasonPerDay", &seasonPerDay, false}, {"seasonGain", &seasonGain, true},
		{"shortAlpha", &shortAlpha, false}, {"longAlpha", &longAlpha, false},
		{"varShort", &varShort, false}, {"varClip", &varClip, false},
		{"vigilance", &vigilance, false}, {"protoRate", &protoRate, false},
		{"usageDecay", &usageDecay, true}, {"wChg", &wChg, false}, {"wVar", &wVar, false},
		{"wNov", &wNov, false}, {"wExt", &wExt, false}, {"rangeDecay", &rangeDecay, false},
		{"suppressDamping", &suppressDamping, false}, {"defaultSuppress", &defaultSuppress, false},
		{"rateAlpha", &rateAlpha, false}, {"rateWeight", &rateWeight, false}, {"rateBase", &rateBase, false},
	}
}

// preDescent are the constants of commit ede210d, before the coordinate descent on all 41 files.
var preDescent = map[string]float64{
	"madAlpha": 0.01, "madClip": 6.5, "seasonPerDay": 0.2, "varShort": 0.05, "protoRate": 0.1,
	"wNov": 10.0 / 3, "defaultSuppress": 133, "rateAlpha": 0.0001,
}

type nabEnv struct {
	data, eval, tmp string
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// score runs the detector with the current constants over files, writes NAB layout under
// env.tmp/name and returns the scorer's JSON for the selection (thresholds optimised, or fixed
// from thrJSON when it is not empty).
func (e nabEnv) score(t *testing.T, name string, files []string, thrJSON string) (std, lowFP, lowFN float64, jsonPath string) {
	t.Helper()
	root := filepath.Join(e.tmp, name)
	_ = os.RemoveAll(root)
	args := []string{filepath.Join(e.eval, "score.py"), filepath.Join(root, "mcobs"), "--nab-dir", e.data}
	for _, f := range files {
		s, _, err := tsio.ReadWith(f, tsio.Lenient)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeScores(filepath.Join(root, "mcobs", s.Category, "mcobs_"+s.Name+".csv"), s); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--files", s.Category+"/"+s.Name+".csv")
	}
	jsonPath = root + ".json"
	args = append(args, "--json", jsonPath)
	if thrJSON != "" {
		args = append(args, "--thresholds-json", thrJSON)
	}
	if out, err := exec.Command("python3", args...).CombinedOutput(); err != nil {
		t.Fatalf("score.py: %v\n%s", err, out)
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Detectors map[string]map[string]struct{ Score float64 } `json:"detectors"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	d := j.Detectors["mcobs"]
	return d["standard"].Score, d["reward_low_FP_rate"].Score, d["reward_low_FN_rate"].Score, jsonPath
}

func writeScores(path string, s tsio.Series) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// DefaultConfig reads defaultSuppress when called, so it follows the descent.
	d, err := New(DefaultConfig())
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "timestamp,value,anomaly_score")
	for _, p := range s.Points {
		r := d.Update(p.Time, p.Value)
		fmt.Fprintf(w, "%s,%s,%s\n", tsio.FormatTime(p.Time), strconv.FormatFloat(p.Value, 'g', -1, 64), strconv.FormatFloat(r.Score, 'g', -1, 64))
	}
	return w.Flush()
}

// innerCV is the objective of the descent: the training files are dealt into two halves (as
// tsio.Fold does) and each half is scored with the threshold optimised on the other, so a
// change is kept only if it helps files whose threshold it did not see. Plain in-sample descent
// (TUNE_OBJECTIVE=insample) raised the tuned fold by 3 and lowered the other by 4.
func (e nabEnv) innerCV(t *testing.T, train []string) float64 {
	t.Helper()
	if envOr("TUNE_OBJECTIVE", "innercv") == "insample" {
		s, _, _, _ := e.score(t, "train", train, "")
		return s
	}
	a, _ := tsio.Fold(train, 0, 2)
	b, _ := tsio.Fold(train, 1, 2)
	_, _, _, ja := e.score(t, "a", a, "")
	_, _, _, jb := e.score(t, "b", b, "")
	sa, _, _, _ := e.score(t, "a_thr_b", a, jb)
	sb, _, _, _ := e.score(t, "b_thr_a", b, ja)
	return (sa*float64(len(a)) + sb*float64(len(b))) / float64(len(a)+len(b))
}

func TestTuneFold(t *testing.T) {
	env := nabEnv{data: envOr("NAB_DATA", "../../../../shared/data/nab"), eval: envOr("NAB_EVAL", "../../../../shared/eval/nab"), tmp: t.TempDir()}
	fold, _ := strconv.Atoi(envOr("TUNE_FOLD", "0"))
	rounds, _ := strconv.Atoi(envOr("TUNE_ROUNDS", "2"))
	all, err := tsio.Expand([]string{filepath.Join(env.data, "data")})
	if err != nil {
		t.Fatal(err)
	}
	// TUNE_FOLD=-1 tunes on every file and reports no held-out fold.
	train, test := all, []string(nil)
	if fold >= 0 {
		train, _ = tsio.Fold(all, fold, 2)
		test, _ = tsio.Fold(all, 1-fold, 2)
	}
	ts := tunables()
	if envOr("TUNE_START", "pre") == "pre" {
		for _, c := range ts {
			if v, ok := preDescent[c.name]; ok {
				*c.p = v
			}
		}
	}
	report := func(label string) {
		s0, f0, n0, thr := env.score(t, "train", train, "")
		t.Logf("%s: tuned files %.2f/%.2f/%.2f", label, s0, f0, n0)
		if test != nil {
			s1, f1, n1, _ := env.score(t, "test", test, "")
			s2, f2, n2, _ := env.score(t, "testthr", test, thr)
			t.Logf("%s: held-out fold %d own threshold %.2f/%.2f/%.2f, tuned files' threshold %.2f/%.2f/%.2f",
				label, 1-fold, s1, f1, n1, s2, f2, n2)
		}
	}
	report("start")
	best := env.innerCV(t, train)
	t.Logf("start: objective %.2f", best)
	for r := range rounds {
		improved := false
		for _, c := range ts {
			orig := *c.p
			for _, f := range []float64{0.7, 0.85, 1.2, 1.4} {
				if c.complement {
					*c.p = 1 - (1-orig)*f
				} else {
					*c.p = orig * f
				}
				if s := env.innerCV(t, train); s > best+0.1 {
					best, orig, improved = s, *c.p, true
					t.Logf("round %d: %s = %.6g: objective %.2f", r, c.name, *c.p, s)
				}
			}
			*c.p = orig
		}
		if !improved {
			break
		}
	}
	var sb strings.Builder
	for _, c := range ts {
		fmt.Fprintf(&sb, "%s=%.6g ", c.name, *c.p)
	}
	t.Logf("constants: %s", sb.String())
	report("tuned")
}
