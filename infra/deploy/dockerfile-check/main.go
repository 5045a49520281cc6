// dockerfile-check reads a Dockerfile with BuildKit's own parser and linter (the code `docker build` runs) and prints
// what it found as JSON: the build stages with their bases and the stages their COPY --from names, the global ARGs
// with their defaults, and every lint warning. Exit 1 with the parser's message when BuildKit would refuse the file.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type stage struct {
	Name     string   `json:"name"`
	Base     string   `json:"base"`
	CopyFrom []string `json:"copyFrom"`
}

type report struct {
	Stages   []stage           `json:"stages"`
	Args     map[string]string `json:"args"`
	Warnings []string          `json:"warnings"`
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: dockerfile-check DOCKERFILE")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail(err.Error())
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		fail(err.Error())
	}
	out := report{Args: map[string]string{}, Warnings: []string{}}
	for _, w := range ast.Warnings {
		out.Warnings = append(out.Warnings, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, _ []parser.Range) {
		out.Warnings = append(out.Warnings, rule+": "+msg)
	}})
	stages, metaArgs, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		fail(err.Error())
	}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				out.Args[kv.Key] = *kv.Value
			}
		}
	}
	for _, s := range stages {
		st := stage{Name: s.Name, Base: s.BaseName, CopyFrom: []string{}}
		for _, c := range s.Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
				st.CopyFrom = append(st.CopyFrom, cp.From)
			}
		}
		out.Stages = append(out.Stages, st)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "dockerfile-check:", msg)
	os.Exit(1)
}
