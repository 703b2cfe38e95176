package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rosterkit/roster/usermgmt"
)

// Config configures a Service. Only Users is required.
type Config struct {
	// Users is the user-management service the import creates users
	// through: its rules, store, clock and audit. Required.
	Users *usermgmt.Service
	// Hasher hashes plaintext passwords and vets pre-hashed ones
	// (*auth.Hasher). Without it, files whose Password column holds
	// anything are refused; files without passwords import as pending
	// users.
	Hasher Hasher
	// Invites makes ownership requests and sends welcome messages
	// (package invite). Without it, a row whose user exists in another
	// account is an error, and no message is sent.
	Invites Invites
	// Limits bound what a file may hold; the zero value is the
	// defaults (10 MiB, 5,000 data rows, ...).
	Limits Limits
	// Workers is how many rows are validated in parallel; 0 means
	// GOMAXPROCS. Phone number parsing dominates validation.
	Workers int
	// Now times reports. If nil, the clock of Users is used.
	Now func() time.Time
	// Logger receives one line per import (counts only, never personal
	// data). If nil, nothing is logged.
	Logger *slog.Logger
}

// Service imports users in bulk: all or nothing (seed 002), each row
// checked with the rules of an interactive create.
//
// A Service is safe for concurrent use.
type Service struct {
	users   *usermgmt.Service
	hasher  Hasher
	invites Invites
	lim     Limits
	workers int
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Service, or an error saying how to fix the
// configuration.
func New(cfg Config) (*Service, error) {
	if cfg.Users == nil {
		return nil, errors.New("importer: missing Config.Users (try usermgmt.New with your store)")
	}
	if cfg.Workers < 0 {
		return nil, errors.New("importer: Config.Workers must not be negative (0 means GOMAXPROCS)")
	}
	s := &Service{users: cfg.Users, hasher: cfg.Hasher, invites: cfg.Invites, lim: cfg.Limits.withDefaults(),
		workers: cfg.Workers, now: cfg.Now, log: cfg.Logger}
	if s.workers == 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	if s.now == nil {
		s.now = cfg.Users.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Limits returns the limits in force, defaults filled in.
func (s *Service) Limits() Limits { return s.lim }

// errRollback ends a transaction that must write nothing: a dry run, a
// probe, or an import with errors.
var errRollback = errors.New("importer: rollback")

// rowPlan is what validation made of one row.
type rowPlan struct {
	user     usermgmt.User
	password string // plaintext, to hash
	hash     string // pre-hashed, vetted
	bad      bool   // the row has an error
}

// run is the state of one import.
type run struct {
	s       *Service
	opt     Options
	actor   string
	rep     *Report
	t       *Table
	m       *Mapping
	group   usermgmt.Group
	plans   []rowPlan
	rowErrs [][]RowError // per row, filled by validation workers
	anyBad  bool         // some row failed validation
}

// Import reads an uploaded file and creates its users in the actor's
// account, all or none (seeds 000 and 002).
//
// In order: the actor must hold PermImport and PermUsers over the target
// group (else ErrForbidden, audited); the file is read and its columns
// mapped (see ReadTable, MapColumns); every row is checked in parallel
// with the rules of an interactive create (usermgmt.Service.PrepareUser);
// usernames, e-mail addresses, mobile phones and customer codes repeated
// within the file are errors; then, in one transaction, every user is
// created with its audit event. A row whose user already exists in the
// account is an error; one whose user exists in another account gets an
// ownership request instead (through Config.Invites), listed in the
// report. The seat limit holds for the whole batch: too few seats fail
// the import with "the import needs N seats, M are free". Plaintext
// passwords are hashed in parallel (Config.Hasher) only once the rows are
// known to be good; pre-hashed passwords (PHC or bcrypt strings) are
// vetted and stored as they are; rows without a password become pending
// users. After the commit, ownership requests are sent and, with
// Options.SendWelcome, every created user gets an activation or welcome
// message; a failed delivery is recorded in the report and does not undo
// the import.
//
// An import refused for its content returns the Report, whose Errors
// list every problem by row and column and which writes the errors file,
// and an *ImportError matching usermgmt.ErrInvalid. Nothing is written
// then, nor when ctx is cancelled at any stage before the commit, nor in
// a dry run. Other errors (store failures, configuration) come back as
// they are, with the Report so far.
func (s *Service) Import(ctx context.Context, actor string, src Source, opt Options) (rep *Report, err error) {
	r := &run{s: s, opt: opt, actor: actor,
		rep: &Report{File: src.Name, DryRun: opt.DryRun, Started: s.now().UTC()}}
	rep = r.rep
	defer func() {
		rep.Finished = s.now().UTC()
		s.log.InfoContext(ctx, "import", "rows", rep.Rows, "created", rep.Created, "ownership", len(rep.Ownership),
			"errors", len(rep.Errors), "dry_run", opt.DryRun, "ok", err == nil,
			"ms", rep.Finished.Sub(rep.Started).Milliseconds())
	}()
	if opt.ServiceLevel != "" && !opt.ServiceLevel.Valid() {
		ve := &usermgmt.ValidationError{}
		ve.Add("service_level", usermgmt.CodeInvalid, "must be archive or pro")
		return rep, ve
	}
	a, err := r.authorize(ctx)
	if err != nil {
		return rep, err
	}
	if err := r.read(ctx, src); err != nil {
		return rep, err
	}
	if err := r.validate(ctx, a); err != nil {
		return rep, err
	}
	if r.anyBad {
		// Rows failed: nothing will be written, but a pass over the
		// store (rolled back) also finds the good rows' users that
		// already exist, so the report lists every problem at once.
		if err := r.write(ctx, nil, false); err != nil && !errors.As(err, new(*ImportError)) {
			return rep, err
		}
		return rep, r.failed()
	}
	hashing := slices.ContainsFunc(r.plans, func(p rowPlan) bool { return p.password != "" })
	if opt.DryRun || !hashing {
		return rep, r.write(ctx, nil, !opt.DryRun)
	}
	// Find existing users and seat shortfalls before spending the hashes.
	if err := r.write(ctx, nil, false); err != nil {
		return rep, err
	}
	hashes, err := r.hash(ctx)
	if err != nil {
		return rep, err
	}
	return rep, r.write(ctx, hashes, true)
}

// progress reports a stage's progress to the host, if it asked.
func (r *run) progress(stage Stage, done, total int) {
	if r.opt.Progress != nil {
		r.opt.Progress(Progress{Stage: stage, Done: done, Total: total})
	}
}

// authorize checks that the actor may import into the target group, and
// returns the actor as loaded.
func (r *run) authorize(ctx context.Context) (*usermgmt.Actor, error) {
	var out *usermgmt.Actor
	err := r.s.users.Run(ctx, r.actor, "user.import", func(_ usermgmt.Tx, a *usermgmt.Actor) error {
		g, err := r.target(a)
		if err != nil {
			return err
		}
		out, r.group = a, g
		return nil
	})
	return out, err
}

// target checks the actor's permissions over the target group.
func (r *run) target(a *usermgmt.Actor) (usermgmt.Group, error) {
	id := r.opt.Group
	if id == "" {
		id = a.Account.RootGroupID
	}
	if _, err := a.TargetGroup(usermgmt.PermImport, id); err != nil {
		return usermgmt.Group{}, err
	}
	return a.TargetGroup(usermgmt.PermUsers, id)
}

// read reads and maps the file.
func (r *run) read(ctx context.Context, src Source) error {
	r.progress(StageRead, 0, 0)
	t, err := ReadTable(ctx, src.Reader, src.Name, r.s.lim)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
			return err
		}
		var fe *FormatError
		var le *LimitError
		switch {
		case errors.As(err, &fe), errors.As(err, &le), errors.Is(err, ErrEmpty):
			e := RowError{Index: -1, Code: CodeFile, Message: ErrEmpty.Error()}
			switch {
			case fe != nil:
				e.Row, e.Message = fe.Line, fe.Reason
			case le != nil:
				e.Row = le.Line
				e.Message = strings.TrimPrefix((&LimitError{Limit: le.Limit, Max: le.Max, Column: le.Column}).Error(), "importer: ")
			}
			r.rep.Errors = append(r.rep.Errors, e)
			return &ImportError{Report: r.rep, cause: err, msg: "the file cannot be imported: " + r.rep.Errors[0].String()}
		}
		return err
	}
	r.t, r.rep.table, r.rep.Format, r.rep.Rows = t, t, t.Format, len(t.Rows)
	m, err := t.Mapping()
	r.m, r.rep.Unknown = m, m.Unknown
	var ce *ColumnsError
	if errors.As(err, &ce) {
		for _, f := range ce.Missing {
			r.rep.Errors = append(r.rep.Errors, RowError{Index: -1, Column: f.Header(), Field: f, Code: CodeMissingColumn,
				Message: "this mandatory column is missing"})
		}
		for _, d := range ce.Duplicates {
			for _, c := range d.Columns[1:] {
				r.rep.Errors = append(r.rep.Errors, RowError{Index: -1, Column: c.Name(), Field: d.Field, Code: CodeDuplicateColumn,
					Message: "is the same column as " + strconv.Quote(d.Columns[0].Name())})
			}
		}
		return &ImportError{Report: r.rep, cause: err, msg: strings.TrimPrefix(err.Error(), "importer: ")}
	}
	if err != nil {
		return err
	}
	if len(t.Rows) == 0 {
		r.rep.Errors = append(r.rep.Errors, RowError{Index: -1, Code: CodeFile, Message: "the file has a header but no users"})
		return &ImportError{Report: r.rep, cause: ErrEmpty, msg: "the file has a header but no users"}
	}
	if m.Has(FieldPassword) && r.s.hasher == nil {
		i, _ := m.Column(FieldPassword)
		for _, row := range t.Rows {
			if row.Cell(i.Index) != "" {
				return errors.New("importer: the file has passwords, and Config.Hasher is needed to import them (try auth.NewHasher)")
			}
		}
	}
	r.progress(StageRead, len(t.Rows), len(t.Rows))
	return nil
}

// validate checks every row in parallel, then looks for values repeated
// within the file.
func (r *run) validate(ctx context.Context, a *usermgmt.Actor) error {
	n := len(r.t.Rows)
	r.plans = make([]rowPlan, n)
	r.rowErrs = make([][]RowError, n)
	groups := r.groupIndex(a)
	const chunk = 64
	workers := max(1, min(r.s.workers, (n+chunk-1)/chunk))
	var next atomic.Int64
	done := make(chan int, workers)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for {
				start := int(next.Add(chunk) - chunk)
				if start >= n {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				end := min(start+chunk, n)
				for i := start; i < end; i++ {
					r.validateRow(a, groups, i)
				}
				done <- end - start
			}
		})
	}
	go func() {
		_ = g.Wait()
		close(done)
	}()
	validated := 0
	r.progress(StageValidate, 0, n)
	for k := range done {
		validated += k
		r.progress(StageValidate, validated, n)
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.duplicates()
	r.anyBad = slices.ContainsFunc(r.plans, func(p rowPlan) bool { return p.bad })
	return ctx.Err()
}

// groupIndex maps the ids and names of the target group's subtree, for
// the Group column.
type groupIndex struct {
	ids    map[string]bool
	byName map[string][]string
}

func (r *run) groupIndex(a *usermgmt.Actor) groupIndex {
	gi := groupIndex{ids: map[string]bool{}, byName: map[string][]string{}}
	if !r.m.Has(FieldGroup) {
		return gi
	}
	for _, g := range a.Groups() {
		if r.group.Contains(g) {
			gi.ids[g.ID] = true
			k := strings.ToLower(strings.TrimSpace(g.Name))
			gi.byName[k] = append(gi.byName[k], g.ID)
		}
	}
	return gi
}

// validateRow checks row i; it runs on a validation worker.
func (r *run) validateRow(a *usermgmt.Actor, groups groupIndex, i int) {
	row := r.t.Rows[i]
	rec := r.m.Record(row.Cells)
	u := usermgmt.User{
		GroupID:       r.group.ID,
		FirstName:     rec[FieldFirstName],
		LastName:      rec[FieldLastName],
		Username:      rec[FieldUsername],
		Email:         rec[FieldEmail],
		MobilePhone:   rec[FieldMobilePhone],
		BusinessPhone: rec[FieldBusinessPhone],
		Company:       rec[FieldCompany],
		CustomerCode:  rec[FieldCustomerCode],
		UDID:          rec[FieldUDID],
		TimeZone:      rec[FieldTimeZone],
		Language:      rec[FieldLanguage],
		Country:       rec[FieldCountry],
		FriendlyName:  rec[FieldFriendlyName],
		Notes:         rec[FieldNotes],
		ServiceLevel:  serviceLevel(rec[FieldServiceLevel], r.opt.ServiceLevel),
		Services:      services(rec[FieldServices]),
	}
	var errs []RowError
	add := func(f Field, code, msg string) {
		errs = append(errs, RowError{Row: row.Line, Index: i, Column: r.m.ColumnName(f), Field: f, Code: code, Message: msg})
	}
	if name := rec[FieldGroup]; name != "" {
		switch ids := groups.byName[strings.ToLower(name)]; {
		case groups.ids[name]:
			u.GroupID = name
		case len(ids) == 1:
			u.GroupID = ids[0]
		case len(ids) == 0:
			add(FieldGroup, CodeGroup, "names no group within "+strconv.Quote(r.group.Name))
		default:
			add(FieldGroup, CodeGroup, "more than one group is named "+strconv.Quote(name)+": use the group's id")
		}
	}
	in := usermgmt.NewUser{User: u}
	plan := rowPlan{}
	if pw := rec[FieldPassword]; pw != "" && r.s.hasher != nil { // read refuses passwords without a hasher
		switch herr := r.s.hasher.Check(pw); {
		case herr == nil:
			in.PasswordHash, plan.hash = pw, pw
		case looksHashed(pw):
			add(FieldPassword, usermgmt.CodeInvalid, "looks like a password hash, but not one that can be imported (argon2, bcrypt, scrypt and pbkdf2 within the configured limits)")
		default:
			in.Password, plan.password = pw, pw
		}
	}
	prepared, err := r.s.users.PrepareUser(a, in)
	var ve *usermgmt.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			f := Field(fe.Field)
			if !f.Valid() {
				errs = append(errs, RowError{Row: row.Line, Index: i, Column: fe.Field, Code: fe.Code, Message: fe.Message})
				continue
			}
			add(f, fe.Code, fe.Message)
		}
	} else if err != nil {
		errs = append(errs, RowError{Row: row.Line, Index: i, Code: usermgmt.CodeInvalid, Message: err.Error()})
	}
	plan.user = prepared
	plan.bad = len(errs) > 0
	r.plans[i] = plan
	r.rowErrs[i] = errs
}

// looksHashed reports whether a password cell holds what is meant to be
// a stored hash rather than a password: "$id$...$..." (PHC, bcrypt) or
// Django's "pbkdf2_sha256$...".
func looksHashed(s string) bool {
	return len(s) >= 30 && strings.Count(s, "$") >= 3 && (s[0] == '$' || strings.HasPrefix(s, "pbkdf2_"))
}

// serviceLevel reads a Service Level cell: "pro", "Pro User", "archive";
// empty means the import's level.
func serviceLevel(cell string, def usermgmt.ServiceLevel) usermgmt.ServiceLevel {
	if cell == "" {
		return def
	}
	l := strings.ToLower(strings.TrimSpace(cell))
	l = strings.TrimSpace(strings.TrimSuffix(l, "user"))
	return usermgmt.ServiceLevel(l)
}

// services reads a Services cell: "sms", "SMS, Fax", "sms/fax".
func services(cell string) []usermgmt.Channel {
	if cell == "" {
		return nil
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(",;/| +&", r) })
	out := make([]usermgmt.Channel, len(parts))
	for i, p := range parts {
		out[i] = usermgmt.Channel(p)
	}
	return out
}

// duplicates reports values that identify a user and appear in several
// rows: the second and later rows point to the first.
func (r *run) duplicates() {
	type key struct {
		f Field
		v string
	}
	first := make(map[key]int, 4*len(r.plans))
	for i := range r.plans {
		p := &r.plans[i]
		for _, k := range []key{
			{FieldUsername, usermgmt.UsernameKey(p.user.Username)},
			{FieldEmail, usermgmt.EmailKey(p.user.Email)},
			{FieldMobilePhone, p.user.MobilePhone},
			{FieldCustomerCode, p.user.CustomerCode},
		} {
			if k.v == "" || hasFieldError(r.rowErrs[i], k.f) {
				continue
			}
			j, seen := first[k]
			if !seen {
				first[k] = i
				continue
			}
			r.rowErrs[i] = append(r.rowErrs[i], RowError{Row: r.t.Rows[i].Line, Index: i, Column: r.m.ColumnName(k.f),
				Field: k.f, Code: CodeDuplicate, Message: "is also in row " + strconv.Itoa(r.t.Rows[j].Line)})
			p.bad = true
		}
	}
}

func hasFieldError(errs []RowError, f Field) bool {
	return slices.ContainsFunc(errs, func(e RowError) bool { return e.Field == f })
}

// failed gathers the errors into the report, in file order, and returns
// an *ImportError when there are any.
func (r *run) failed() error {
	var all []RowError
	for i, errs := range r.rowErrs {
		if len(errs) == 0 {
			continue
		}
		slices.SortStableFunc(errs, func(x, y RowError) int { return cmp.Compare(r.columnIndex(x.Field), r.columnIndex(y.Field)) })
		all = append(all, errs...)
		r.rowErrs[i] = nil
	}
	r.rep.Errors = append(r.rep.Errors, all...)
	if len(r.rep.Errors) == 0 {
		return nil
	}
	rows := 0
	last := -2
	for _, e := range r.rep.Errors {
		if e.Index != last {
			rows++
			last = e.Index
		}
	}
	msg := fmt.Sprintf("%d errors in %s, nothing was imported", len(r.rep.Errors), plural(rows, "row"))
	if len(r.rep.Errors) == 1 {
		msg = "1 error, nothing was imported: " + r.rep.Errors[0].String()
	}
	return &ImportError{Report: r.rep, msg: msg}
}

// plural returns "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// columnIndex orders a row's errors by column; errors without a column
// come last.
func (r *run) columnIndex(f Field) int {
	if c, ok := r.m.Column(f); ok {
		return c.Index
	}
	return 1 << 30
}

// hash hashes the plaintext passwords in batches, so that progress can be
// reported, and returns the hashes by row.
func (r *run) hash(ctx context.Context) ([]string, error) {
	var idx []int
	for i, p := range r.plans {
		if p.password != "" {
			idx = append(idx, i)
		}
	}
	hashes := make([]string, len(r.plans))
	const batch = 256
	r.progress(StageHash, 0, len(idx))
	pw := make([]string, 0, batch)
	for start := 0; start < len(idx); start += batch {
		end := min(start+batch, len(idx))
		pw = pw[:0]
		for _, i := range idx[start:end] {
			pw = append(pw, r.plans[i].password)
		}
		out, err := r.s.hasher.HashMany(ctx, pw)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, fmt.Errorf("importer: hash passwords: %w", err)
		}
		for k, i := range idx[start:end] {
			hashes[i] = out[k]
		}
		r.progress(StageHash, end, len(idx))
	}
	return hashes, nil
}

// outcome is what one pass of the transaction found.
type outcome struct {
	created   []usermgmt.User
	rows      []int // row index of each created user
	ownership []Ownership
	errs      []RowError
	short     int // rows that found no free seat
	free      int // free seats at the start (-1: unlimited)
}

// write runs the transaction: every good row is created (with hashes[i],
// or the vetted pre-hash), existing users are classified, and the
// transaction commits only when commit is set and nothing failed.
func (r *run) write(ctx context.Context, hashes []string, commit bool) error {
	var out outcome
	err := r.s.users.Run(ctx, r.actor, "user.import", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		out = outcome{free: -1}
		if _, err := r.target(a); err != nil {
			return err
		}
		if a.Account.SeatLimit > 0 {
			out.free = max(0, a.Account.SeatLimit-a.Account.SeatsUsed)
		}
		if err := r.insertAll(ctx, tx, a, hashes, &out); err != nil {
			return err
		}
		if !commit || len(out.errs) > 0 || out.short > 0 {
			return errRollback
		}
		return r.s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
			Action: "user.import", TargetType: "group", TargetID: r.group.ID})
	})
	if err != nil && !errors.Is(err, errRollback) {
		return err
	}
	if err := r.report(&out, commit || r.opt.DryRun); err != nil {
		return err
	}
	if commit {
		r.notify(ctx, out)
	}
	return nil
}

// insertAll creates every row's user through tx and sorts out the rows
// whose identifiers are taken.
func (r *run) insertAll(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, hashes []string, out *outcome) error {
	n := len(r.plans)
	requested := map[string]int{} // existing user id → row index
	r.progress(StageWrite, 0, n)
	for i := range r.plans {
		if i&255 == 255 {
			if err := ctx.Err(); err != nil {
				return err
			}
			r.progress(StageWrite, i, n)
		}
		p := &r.plans[i]
		if p.bad {
			continue
		}
		hash := p.hash
		if hashes != nil && hashes[i] != "" {
			hash = hashes[i]
		}
		u, err := r.s.users.CreateUserTx(ctx, tx, a, p.user, hash)
		if err == nil {
			out.created = append(out.created, u)
			out.rows = append(out.rows, i)
			continue
		}
		var ce *usermgmt.ConflictError
		seats := errors.Is(err, usermgmt.ErrSeatLimit)
		if !seats && !errors.As(err, &ce) {
			return err
		}
		existing, errs, err := r.existing(ctx, tx, a, i, ce)
		if err != nil {
			return err
		}
		switch {
		case len(errs) > 0:
			out.errs = append(out.errs, errs...)
		case existing != nil:
			row := r.t.Rows[i].Line
			if j, dup := requested[existing.ID]; dup {
				out.errs = append(out.errs, RowError{Row: row, Index: i, Code: CodeDuplicate,
					Message: "is the same existing user as row " + strconv.Itoa(r.t.Rows[j].Line)})
				continue
			}
			requested[existing.ID] = i
			// The report names the user by what the file says, never by
			// what the other account holds.
			own := Ownership{Row: row, Username: p.user.Username, Email: p.user.Email}
			if own.RequestID, err = r.s.invites.RequestOwnershipTx(ctx, tx, a, *existing, p.user.GroupID); err != nil {
				return fmt.Errorf("importer: ownership request: %w", err)
			}
			out.ownership = append(out.ownership, own)
		case seats:
			out.short++
		}
	}
	r.progress(StageWrite, n, n)
	return nil
}

// existing finds who holds the identifiers of row i. It returns the
// user of another account to request ownership of, or the row's errors:
// identifiers held in this account, held by several users, or an
// ownership request impossible without Invites. Neither, for a row that
// only found no free seat.
func (r *run) existing(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, i int, ce *usermgmt.ConflictError) (*usermgmt.User, []RowError, error) {
	p := &r.plans[i]
	row := r.t.Rows[i].Line
	var errs []RowError
	add := func(f Field, code, msg string) {
		errs = append(errs, RowError{Row: row, Index: i, Column: r.m.ColumnName(f), Field: f, Code: code, Message: msg})
	}
	type hit struct {
		f Field
		u usermgmt.User
	}
	var hits []hit
	lookups := []struct {
		f   Field
		v   string
		get func(context.Context, string) (usermgmt.User, error)
	}{
		{FieldUsername, p.user.Username, tx.GetUserByUsername},
		{FieldEmail, p.user.Email, tx.GetUserByEmail},
		{FieldMobilePhone, p.user.MobilePhone, tx.GetUserByPhone},
	}
	for _, l := range lookups {
		if l.v == "" {
			continue
		}
		u, err := l.get(ctx, l.v)
		if errors.Is(err, usermgmt.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		hits = append(hits, hit{l.f, u})
	}
	var other *usermgmt.User
	for _, h := range hits {
		switch {
		case h.u.AccountID == a.Account.ID:
			add(h.f, CodeExists, "already a user of this account")
		case other == nil:
			u := h.u
			other = &u
		case other.ID != h.u.ID:
			add(h.f, usermgmt.CodeTaken, "belongs to another existing user than "+r.m.ColumnName(hits[0].f)+" does")
		}
	}
	switch {
	case len(errs) > 0:
		return nil, errs, nil
	case other != nil && r.s.invites == nil:
		add(hits[0].f, usermgmt.CodeTaken, "belongs to a user of another account, and ownership requests are not set up")
		return nil, errs, nil
	case other != nil:
		return other, nil, nil
	case ce != nil && ce.Field == "customer_code":
		add(FieldCustomerCode, usermgmt.CodeTaken, "is already used by another user of this account")
		return nil, errs, nil
	case ce != nil:
		f := Field(ce.Field)
		add(f, usermgmt.CodeTaken, "is already in use")
		return nil, errs, nil
	}
	return nil, nil, nil
}

// report copies a transaction's outcome into the report (the users and
// requests only when final: not for the probe before hashing), and
// returns an *ImportError when rows failed or seats were short.
func (r *run) report(out *outcome, final bool) error {
	rep := r.rep
	if !final || r.anyBad {
		out.created, out.rows, out.ownership = nil, nil, nil
	}
	rep.Users = make([]Imported, len(out.created))
	for k, u := range out.created {
		rep.Users[k] = Imported{Row: r.t.Rows[out.rows[k]].Line, Username: u.Username, Status: u.Status}
		if !rep.DryRun {
			rep.Users[k].ID = u.ID
		}
	}
	rep.Created = len(out.created)
	rep.Ownership = out.ownership
	if rep.DryRun {
		for k := range rep.Ownership {
			rep.Ownership[k].RequestID = ""
		}
	}
	if r.anyBad {
		out.short = 0 // the seats needed are not known until the rows are fixed
	}
	if out.short > 0 {
		rep.SeatsNeeded, rep.SeatsFree = len(out.created)+out.short, out.free
	}
	for _, e := range out.errs {
		r.rowErrs[e.Index] = append(r.rowErrs[e.Index], e)
	}
	if len(out.errs) > 0 {
		rep.Users, rep.Created, rep.Ownership = nil, 0, nil
		return r.failed()
	}
	if out.short > 0 {
		msg := fmt.Sprintf("the import needs %d seats, %d are free", rep.SeatsNeeded, rep.SeatsFree)
		rep.Errors = append(rep.Errors, RowError{Index: -1, Code: CodeSeats, Message: msg})
		rep.Users, rep.Created, rep.Ownership = nil, 0, nil
		return &ImportError{Report: rep, cause: usermgmt.ErrSeatLimit, msg: msg}
	}
	return nil
}

// notify sends the ownership requests and welcome messages after the
// commit, recording failures in the report.
func (r *run) notify(ctx context.Context, out outcome) {
	if r.s.invites == nil {
		return
	}
	total := len(out.ownership)
	if r.opt.SendWelcome {
		total += len(out.created)
	}
	if total == 0 {
		return
	}
	done := 0
	r.progress(StageNotify, 0, total)
	for k := range r.rep.Ownership {
		if err := r.s.invites.SendOwnership(ctx, r.rep.Ownership[k].RequestID); err != nil {
			r.rep.Ownership[k].SendError = err.Error()
			r.s.log.WarnContext(ctx, "import: ownership request not sent", "request", r.rep.Ownership[k].RequestID, "err", err)
		}
		done++
		r.progress(StageNotify, done, total)
	}
	if !r.opt.SendWelcome {
		return
	}
	for _, u := range out.created {
		if err := r.s.invites.Welcome(ctx, r.actor, u); err != nil {
			r.rep.WelcomeFailed++
			r.s.log.WarnContext(ctx, "import: welcome not sent", "user", u.ID, "err", err)
		} else {
			r.rep.Welcomed++
		}
		done++
		if done%64 == 0 || done == total {
			r.progress(StageNotify, done, total)
		}
	}
}
