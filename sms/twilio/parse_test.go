package twilio

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rosterkit/roster/sms"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*") // the recorded answers, not testdata/fuzz
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(201, "", b)
		f.Add(400, "5", b)
	}
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"code":"20429","message":null}`))
	f.Add(500, "", []byte(`{"code":[1],"num_segments":{}}`))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		rc, err := parse(status, retryAfter, body, "hello", time.Unix(1e9, 0))
		if status/100 == 2 {
			if err != nil || rc.Segments < 1 || len(rc.ID) > 64 {
				t.Fatalf("success read as %+v, %v", rc, err)
			}
			return
		}
		var pe *sms.ProviderError
		if !errors.As(err, &pe) || pe.Status != status || pe.Refused && pe.Retryable {
			t.Fatalf("failure read as %+v, %v", rc, err)
		}
		if pe.RetryAfter < 0 || len(pe.Message) > 300+len("…") || len(pe.Code) > 10 {
			t.Fatalf("bad error %+v", pe)
		}
	})
}
