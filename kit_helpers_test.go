package roster_test

import "os"

// tempDir makes a directory for an example; examples cannot use t.TempDir.
func tempDir() string {
	d, err := os.MkdirTemp("", "roster-example-")
	if err != nil {
		panic(err)
	}
	return d
}
