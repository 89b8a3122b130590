package tsio

import (
	"fmt"
	"path/filepath"
	"sort"
)

// Fold returns the files of fold k of n for cross-validation: within each folder (a NAB
// category), the files sorted by name are dealt out in turn, the i-th to fold i mod n. Dealing
// within a category gives every fold each kind of series, and the split depends only on the
// file names, so it is fixed before any result is seen and the same on every machine.
func Fold(files []string, k, n int) ([]string, error) {
	if n < 1 || k < 0 || k >= n {
		return nil, fmt.Errorf("fold %d of %d: want 0 <= fold < folds", k, n)
	}
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	seen := map[string]int{}
	var out []string
	for _, f := range sorted {
		dir := filepath.Dir(f)
		if seen[dir]%n == k {
			out = append(out, f)
		}
		seen[dir]++
	}
	return out, nil
}
