package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/usermgmt"
)

// Import job states.
const (
	ImportRunning = "running" // validating or writing
	ImportDone    = "done"    // imported (or, in a dry run, valid)
	ImportFailed  = "failed"  // rows failed: nothing was written; see Report.Errors
	ImportError   = "error"   // the file could not be read, or the import could not run; see Problem
	importJobsMax = 64        // jobs kept at once, finished ones dropped first
	importJobTTL  = time.Hour // how long a finished job is kept
	importRunMax  = 2         // imports running at once (they use every core)
	importTimeout = 10 * time.Minute
)

// ImportJob is an import as it runs and once it has finished: poll it
// for a progress bar, then read its report.
type ImportJob struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	File   string `json:"file"`
	DryRun bool   `json:"dry_run"`
	// Progress is the last step reported (parse, validate, hash, write).
	Progress importer.Progress `json:"progress"`
	// Report is the outcome, once State is done or failed.
	Report *importer.Report `json:"report,omitempty"`
	// Problem says why the import could not run, when State is error.
	Problem *Problem `json:"problem,omitempty"`
	// ErrorsFile is where the errors file is, when State is failed.
	ErrorsFile string `json:"errors_file,omitempty"`
}

// importJob is a job with what only the server keeps.
type importJob struct {
	ImportJob
	actor    string
	finished time.Time
	done     chan struct{}
}

// importJobs holds the recent imports, bounded in number and age.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
	run  chan struct{}
}

func newImportJobs() *importJobs {
	return &importJobs{jobs: map[string]*importJob{}, run: make(chan struct{}, importRunMax)}
}

// add stores j, dropping expired jobs and, when full, the oldest
// finished one; it refuses when every slot holds a running job.
func (s *importJobs) add(j *importJob, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest *importJob
	for id, o := range s.jobs {
		if o.State == ImportRunning {
			continue
		}
		if now.Sub(o.finished) > importJobTTL {
			delete(s.jobs, id)
			continue
		}
		if oldest == nil || o.finished.Before(oldest.finished) {
			oldest = o
		}
	}
	if len(s.jobs) >= importJobsMax {
		if oldest == nil {
			return &retryError{after: time.Minute}
		}
		delete(s.jobs, oldest.ID)
	}
	s.jobs[j.ID] = j
	return nil
}

// get returns a copy of the actor's job id.
func (s *importJobs) get(actor, id string) (*importJob, ImportJob, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok || j.actor != actor {
		return nil, ImportJob{}, usermgmt.ErrNotFound
	}
	return j, j.ImportJob, nil
}

// update changes a job under the lock.
func (s *importJobs) update(j *importJob, fn func(*ImportJob)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&j.ImportJob)
}

// retryError is a 429 with Retry-After.
type retryError struct{ after time.Duration }

func (e *retryError) Error() string             { return "too many imports at once" }
func (e *retryError) Is(target error) bool      { return target == usermgmt.ErrRateLimited }
func (e *retryError) RetryAfter() time.Duration { return e.after }

func importParams() []param {
	return []param{
		{name: "filename", desc: "the file's name when the body is the file itself (its extension says the format: .csv, .txt or .xlsx)"},
		{name: "group", desc: "the group the users join; the account's root by default"},
		{name: "service_level", desc: "archive or pro: the level of rows without one"},
		{name: "dry_run", desc: "true validates everything and writes nothing"},
		{name: "send_welcome", desc: "true sends each new user the welcome mail (a set-password link when imported without a password)"},
		{name: "wait", desc: "true answers when the import has finished, instead of at once"},
	}
}

func boolParam(c *call, name string) (bool, error) {
	s := c.q(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("%s must be true or false", name)
	}
	return b, nil
}

// upload reads the uploaded file: the "file" part of a multipart form,
// or the whole body with the name in the filename parameter.
func (a *API) upload(c *call) (name string, data []byte, err error) {
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := c.r.ParseMultipartForm(1 << 20); err != nil {
			return "", nil, bodyError(err)
		}
		defer c.r.MultipartForm.RemoveAll()
		f, h, err := c.r.FormFile("file")
		if err != nil {
			return "", nil, badRequest(`the form has no file part named "file"`)
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return "", nil, bodyError(err)
		}
		return path.Base(h.Filename), data, nil
	}
	name = c.q("filename")
	if name == "" {
		return "", nil, badRequest("name the file with the filename parameter (e.g. users.csv), or upload it as multipart/form-data")
	}
	data, err = io.ReadAll(c.r.Body)
	if err != nil {
		return "", nil, bodyError(err)
	}
	return path.Base(name), data, nil
}

// bodyError keeps a too-large body a 413.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe
	}
	return badRequest("the upload could not be read")
}

// importProblem answers the errors an import may end with that are
// about the file (its format, its limits, its columns): their text names
// the file's own problems and is safe to show.
func importProblem(err error) Problem {
	return problemFor(fileError(err))
}

// fileError turns the errors about the file into a 422 naming what is
// wrong with it; others are returned as they are.
func fileError(err error) error {
	if errors.Is(err, importer.ErrFormat) || errors.Is(err, importer.ErrLimit) || errors.Is(err, importer.ErrColumns) {
		return &requestError{status: http.StatusUnprocessableEntity, typ: ProblemValidation,
			detail: strings.TrimPrefix(err.Error(), "importer: ")}
	}
	return err
}

// importRoutes registers the import routes (package importer); only
// when Config.Importer is set.
func (a *API) importRoutes() {
	im := a.cfg.Importer
	jobs := newImportJobs()
	a.handle(&route{method: "POST", path: "/imports", id: "startImport", tag: "import",
		summary: "Import users from a CSV, TXT or XLSX file, all or nothing (seed 002); poll the job for progress and the report",
		upload:  true, query: importParams(), limit: a.cfg.MaxUploadBytes + 64<<10,
		out: ImportJob{}, status: http.StatusAccepted, h: func(c *call) (any, error) {
			var opt importer.Options
			var err error
			if opt.DryRun, err = boolParam(c, "dry_run"); err != nil {
				return nil, err
			}
			if opt.SendWelcome, err = boolParam(c, "send_welcome"); err != nil {
				return nil, err
			}
			wait, err := boolParam(c, "wait")
			if err != nil {
				return nil, err
			}
			opt.Group = c.q("group")
			opt.ServiceLevel = usermgmt.ServiceLevel(c.q("service_level"))
			name, data, err := a.upload(c)
			if err != nil {
				return nil, err
			}
			if _, err := importer.FormatOf(name); err != nil {
				return nil, fileError(err)
			}
			// The actor's right to import into the group is checked
			// before the job starts, so that a refusal is the answer to
			// this request (the import checks again).
			me, err := a.users.LoadActor(c.r.Context(), a.users.Store(), c.actor)
			if err != nil {
				return nil, err
			}
			group := opt.Group
			if group == "" {
				group = me.Account.RootGroupID
			}
			if !me.CanGroup(usermgmt.PermImport, group) || !me.CanGroup(usermgmt.PermUsers, group) {
				if me.SeesGroup(group) {
					return nil, usermgmt.ErrForbidden
				}
				return nil, usermgmt.ErrNotFound
			}
			j := &importJob{ImportJob: ImportJob{ID: newRequestID() + newRequestID(), State: ImportRunning,
				File: name, DryRun: opt.DryRun}, actor: c.actor, done: make(chan struct{})}
			if err := jobs.add(j, a.now()); err != nil {
				return nil, err
			}
			opt.Progress = func(p importer.Progress) { jobs.update(j, func(v *ImportJob) { v.Progress = p }) }
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.Context()), importTimeout)
			go func() {
				defer cancel()
				defer close(j.done)
				jobs.run <- struct{}{}
				defer func() { <-jobs.run }()
				rep, err := im.Import(ctx, c.actor, importer.Source{Name: name, Reader: bytes.NewReader(data)}, opt)
				var ie *importer.ImportError
				jobs.update(j, func(v *ImportJob) {
					switch {
					case err == nil:
						v.State, v.Report = ImportDone, rep
					case errors.As(err, &ie) && ie.Report != nil:
						v.State, v.Report = ImportFailed, ie.Report
						if ie.Report.Failed() {
							v.ErrorsFile = "imports/" + v.ID + "/errors"
						}
					default:
						p := importProblem(err)
						if p.Status == http.StatusInternalServerError {
							a.log.ErrorContext(ctx, "import failed", "job", v.ID, "err", err)
						}
						v.State, v.Problem = ImportError, &p
					}
				})
				jobs.mu.Lock()
				j.finished = a.now()
				jobs.mu.Unlock()
			}()
			if wait {
				select {
				case <-j.done:
				case <-c.r.Context().Done():
					return nil, c.r.Context().Err()
				}
			}
			_, view, err := jobs.get(c.actor, j.ID)
			return view, err
		}})
	a.handle(&route{method: "GET", path: "/imports/{id}", id: "getImport", tag: "import",
		summary: "An import's state, progress and, once finished, its report", out: ImportJob{},
		h: func(c *call) (any, error) {
			_, view, err := jobs.get(c.actor, c.r.PathValue("id"))
			return view, err
		}})
	a.handle(&route{method: "GET", path: "/imports/{id}/errors", id: "getImportErrors", tag: "import",
		summary: "The uploaded rows in the uploaded format with an Errors column (formulas neutralised)",
		raw:     true, mime: "application/octet-stream", mimes: []string{importer.CSV.ContentType(), importer.TXT.ContentType(), importer.XLSX.ContentType()},
		h: func(c *call) (any, error) {
			_, view, err := jobs.get(c.actor, c.r.PathValue("id"))
			if err != nil {
				return nil, err
			}
			if view.Report == nil || !view.Report.Failed() {
				return nil, usermgmt.ErrNotFound
			}
			var buf bytes.Buffer
			if err := view.Report.WriteErrorsFile(c.r.Context(), &buf); err != nil {
				return nil, err
			}
			name := view.Report.ErrorsFileName()
			format, _ := importer.FormatOf(name)
			c.w.Header().Set("Content-Type", format.ContentType())
			c.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
			c.w.Header().Set("Cache-Control", "no-store")
			_, err = c.w.Write(buf.Bytes())
			return nil, err
		}})
	a.handle(&route{method: "GET", path: "/imports/template", id: "getImportTemplate", tag: "import",
		summary: "The example file (seed 002's Download Example): the header row, an example row and each column's rules",
		query:   []param{{name: "format", desc: "csv (default) or xlsx"}},
		raw:     true, mime: "application/octet-stream", mimes: []string{importer.CSV.ContentType(), importer.XLSX.ContentType()},
		h: func(c *call) (any, error) {
			f := importer.CSV
			switch c.q("format") {
			case "", "csv":
			case "xlsx":
				f = importer.XLSX
			default:
				return nil, badRequest("format must be csv or xlsx")
			}
			var buf bytes.Buffer
			if err := im.WriteTemplate(c.r.Context(), &buf, f); err != nil {
				return nil, err
			}
			c.w.Header().Set("Content-Type", f.ContentType())
			c.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "users-template" + f.Ext()}))
			_, err := c.w.Write(buf.Bytes())
			return nil, err
		}})
}
