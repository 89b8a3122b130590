// Command gendoc writes docs/canonical-model.md from the canonical model's tables.
package main

import (
	"fmt"
	"os"

	"github.com/mcobs/mcobs/internal/canonical"
)

func main() {
	out := "docs/canonical-model.md"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, []byte(canonical.Markdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendoc:", err)
		os.Exit(1)
	}
}
