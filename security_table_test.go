package roster_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecurityTable checks SECURITY.md: every test and fuzz target it
// names exists in the package it names, so that the table cannot point
// at a test that was renamed or removed.
func TestSecurityTable(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("SECURITY.md")
	require.NoError(t, err)
	funcs := map[string]map[string]bool{} // package dir → function names
	names := func(dir string) map[string]bool {
		if m, ok := funcs[dir]; ok {
			return m
		}
		m := map[string]bool{}
		files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		fset := token.NewFileSet()
		for _, f := range files {
			af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			for _, d := range af.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
					m[fd.Name.Name] = true
				}
			}
		}
		funcs[dir] = m
		return m
	}
	pkgRE := regexp.MustCompile("`([a-z/]+)`")
	testRE := regexp.MustCompile(`\b(Test|Fuzz)[A-Z0-9][A-Za-z0-9_]*`)
	rows := 0
	for line := range strings.SplitSeq(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !regexp.MustCompile(`^ [A-Z][0-9] $`).MatchString(cells[1]) {
			continue
		}
		rows++
		// "`pkg` TestA, TestB; `pkg2` TestC": each test belongs to the
		// package named last before it.
		for part := range strings.SplitSeq(cells[3], ";") {
			m := pkgRE.FindStringSubmatch(part)
			if m == nil {
				continue
			}
			dir := m[1]
			if dir == "roster" {
				dir = "."
			}
			if _, err := os.Stat(dir); err != nil {
				continue // storetest subtests and scripts are named, not functions
			}
			for _, name := range testRE.FindAllString(part, -1) {
				assert.True(t, names(dir)[name], "SECURITY.md %s names %s in %s, which has no such function", cells[1], name, dir)
			}
		}
	}
	assert.GreaterOrEqual(t, rows, 37, "a row for every property of the security brief")
}
