package importer

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Hasher is what an import needs of a password hasher; *auth.Hasher
// implements it.
type Hasher interface {
	// HashMany hashes passwords in parallel within the hasher's
	// concurrency bound and returns the hashes in the same order; when
	// ctx ends it returns ctx's error and no hashes.
	HashMany(ctx context.Context, passwords []string) ([]string, error)
	// Check reports whether a stored hash (a PHC or bcrypt string from
	// another system) can be verified, computing nothing.
	Check(encoded string) error
}

// Invites is what an import needs of package invite, declared here so
// that the importer does not depend on invite's exact shape: ownership
// requests for users who already exist in another account (seed 000:
// "an ownership request will be sent to the user"), and the messages
// that tell created users about their account.
//
// Ownership requests are made in two steps, so that they are written in
// the import's transaction (all or nothing) and sent only once it has
// committed.
type Invites interface {
	// RequestOwnershipTx records, within tx, a request that user (a live
	// user of another account) move into the actor's account, in group
	// groupID, and returns the request's id. It sends nothing.
	RequestOwnershipTx(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, user usermgmt.User, groupID string) (requestID string, err error)
	// SendOwnership delivers a request RequestOwnershipTx made, after the
	// import committed.
	SendOwnership(ctx context.Context, requestID string) error
	// Welcome tells a user the import created about the account, after
	// the commit: a pending user (imported without a password) gets the
	// activation link to set one, an active user a welcome message.
	Welcome(ctx context.Context, actorID string, user usermgmt.User) error
}

// Source is an uploaded file.
type Source struct {
	// Name is the file's name; its extension (.csv, .txt, .xlsx) says
	// which format the content must be.
	Name string
	// Reader holds the content. It is read once, up to Limits.MaxBytes.
	Reader io.Reader
}

// Options choose how one import runs.
type Options struct {
	// Group is the id of the group the users join; "" means the
	// account's root group. The actor needs PermImport and PermUsers over
	// it. A Group column may place rows in groups of its subtree, by name
	// (or id).
	Group string
	// ServiceLevel is the level of rows without a Service Level value
	// (seed 000: "[Specify Service Level]"); "" means the account's
	// default.
	ServiceLevel usermgmt.ServiceLevel
	// DryRun validates everything (rows, duplicates, existing users, the
	// seat limit) and writes nothing: the transaction is rolled back.
	DryRun bool
	// SendWelcome, after the commit, sends every created user a message
	// through Config.Invites: the activation link to pending users (rows
	// without a password), a welcome to the others. Without it, pending
	// users wait until an admin sends their activation.
	SendWelcome bool
	// Progress, when set, is called as the import goes, from the
	// goroutine that called Import, never concurrently.
	Progress func(Progress)
}

// Stage is a step of an import.
type Stage string

// The stages of an import, in order.
const (
	StageRead     Stage = "read"     // the file is read and its columns mapped
	StageValidate Stage = "validate" // rows are checked
	StageHash     Stage = "hash"     // plaintext passwords are hashed
	StageWrite    Stage = "write"    // users are created in one transaction
	StageNotify   Stage = "notify"   // requests and welcome messages go out
)

// Progress reports how far an import is: Done of Total rows (or
// messages, at StageNotify) through Stage.
type Progress struct {
	Stage Stage `json:"stage"`
	Done  int   `json:"done"`
	Total int   `json:"total"`
}

// Error codes of RowError beyond usermgmt's field codes.
const (
	// CodeDuplicate: the value is in another row of the file too.
	CodeDuplicate = "duplicate"
	// CodeExists: the user already exists in the importing account.
	CodeExists = "exists"
	// CodeMissingColumn: a mandatory column is missing.
	CodeMissingColumn = "missing_column"
	// CodeDuplicateColumn: two columns name the same field.
	CodeDuplicateColumn = "duplicate_column"
	// CodeFile: the file cannot be read (format, encoding, limits).
	CodeFile = "file"
	// CodeSeats: the account has too few free seats.
	CodeSeats = "seat_limit"
	// CodeGroup: the Group column names no group the import may use.
	CodeGroup = "group"
)

// RowError is one problem of an import: a row's field, a column, or the
// whole file.
type RowError struct {
	// Row is the 1-based line or worksheet row of the problem in the
	// file, as a spreadsheet shows it; 0 for the whole file.
	Row int `json:"row"`
	// Index is the row's index in Report.Table().Rows, or -1.
	Index int `json:"index"`
	// Column is the column's header as in the file (or the template's
	// header), or "" when the problem has no column.
	Column string `json:"column,omitempty"`
	// Field is the user field, or "".
	Field Field `json:"field,omitempty"`
	// Code is stable and machine-readable: a usermgmt code such as
	// "too_short", or one of the Code constants of this package.
	Code string `json:"code"`
	// Message is a readable, lower-case sentence fragment.
	Message string `json:"message"`
}

// String returns e.g. "row 17: Login: must be at least 4 characters".
func (e RowError) String() string {
	var b strings.Builder
	if e.Row > 0 {
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(": ")
	}
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Ownership is an ownership request an import made for a row whose user
// exists in another account.
type Ownership struct {
	Row       int    `json:"row"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	RequestID string `json:"request_id,omitempty"` // empty in a dry run
	// SendError says why the request could not be delivered after the
	// commit; the request itself is kept and can be sent again.
	SendError string `json:"send_error,omitempty"`
}

// Imported is a user an import created.
type Imported struct {
	Row      int             `json:"row"`
	ID       string          `json:"id,omitempty"` // empty in a dry run
	Username string          `json:"username"`
	Status   usermgmt.Status `json:"status"`
}

// Report is the outcome of an import, successful or not: the summary a
// host shows (seed 002: "a summary with the status of the import is
// displayed"), every error, and the errors file.
type Report struct {
	// File is the uploaded file's name, Format its format.
	File   string `json:"file"`
	Format Format `json:"format,omitempty"`
	// DryRun is set when nothing was to be written.
	DryRun bool `json:"dry_run"`
	// Rows is the number of data rows read.
	Rows int `json:"rows"`
	// Users lists the users created (or, in a dry run, that would be),
	// in file order. Created is their number.
	Users   []Imported `json:"users,omitempty"`
	Created int        `json:"created"`
	// Ownership lists the ownership requests made, in file order.
	Ownership []Ownership `json:"ownership,omitempty"`
	// Welcomed counts the welcome and activation messages handed to
	// Invites; WelcomeFailed those it could not take.
	Welcomed      int `json:"welcomed"`
	WelcomeFailed int `json:"welcome_failed,omitempty"`
	// SeatsNeeded and SeatsFree are set when the account's seat limit
	// was in the way.
	SeatsNeeded int `json:"seats_needed,omitempty"`
	SeatsFree   int `json:"seats_free,omitempty"`
	// Unknown lists columns that name no field and were not imported.
	Unknown []Column `json:"unknown_columns,omitempty"`
	// Errors lists every problem in file order: rows, then columns
	// within a row. An import with errors wrote nothing.
	Errors []RowError `json:"errors,omitempty"`
	// Started and Finished time the import.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`

	table *Table
}

// Failed reports whether the import was refused for its content.
func (r *Report) Failed() bool { return len(r.Errors) > 0 }

// Table returns the file as read, or nil when it could not be read. It
// holds every cell, passwords included; the Report's JSON form does not.
func (r *Report) Table() *Table { return r.table }

// Summary returns one line for an admin, e.g. "5000 rows read, 4990
// users created, 10 ownership requests sent, 4990 welcome messages
// queued, 0 errors", or for a dry run "5000 rows read, 4990 users to
// create, 10 ownership requests to send, 0 errors (dry run)".
func (r *Report) Summary() string {
	if r.DryRun {
		return fmt.Sprintf("%s read, %s to create, %s to send, %s (dry run)", plural(r.Rows, "row"),
			plural(r.Created, "user"), plural(len(r.Ownership), "ownership request"), plural(len(r.Errors), "error"))
	}
	return fmt.Sprintf("%s read, %s created, %s sent, %s queued, %s", plural(r.Rows, "row"),
		plural(r.Created, "user"), plural(len(r.Ownership), "ownership request"),
		plural(r.Welcomed, "welcome message"), plural(len(r.Errors), "error"))
}

// RowMessages returns the messages of each row with errors, keyed by the
// row's index in Table().Rows, as WriteErrors takes them: "Column:
// message" each.
func (r *Report) RowMessages() map[int][]string {
	out := make(map[int][]string)
	for _, e := range r.Errors {
		if e.Index < 0 {
			continue
		}
		msg := e.Message
		if e.Column != "" {
			msg = e.Column + ": " + msg
		}
		out[e.Index] = append(out[e.Index], msg)
	}
	return out
}

// ErrorsFileName returns a name for the errors file: "users-errors.csv"
// for "users.csv".
func (r *Report) ErrorsFileName() string {
	base := r.File
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	ext := r.Format.Ext()
	if r.Format == "" {
		ext = ".csv"
	}
	if len(base) >= len(ext) && strings.EqualFold(base[len(base)-len(ext):], ext) {
		base = base[:len(base)-len(ext)]
	}
	if base == "" {
		base = "import"
	}
	return base + "-errors" + ext
}

// WriteErrorsFile writes the errors file (see WriteErrors): the uploaded
// rows in the upload's format with an Errors column. It fails when the
// file could not be read at all; Errors then says why.
//
// The errors file holds the upload's cells as they were, passwords
// included, so that the corrected file imports as it is: serve it to the
// admin who uploaded the file, and do not store it.
func (r *Report) WriteErrorsFile(ctx context.Context, w io.Writer) error {
	if r.table == nil {
		return fmt.Errorf("importer: %s could not be read, so it has no errors file", r.File)
	}
	return WriteErrors(ctx, w, r.table, r.RowMessages())
}

// ImportError is the error of an import refused for its content: a file
// that cannot be read, columns that cannot be mapped, rows that fail
// validation, or too few seats. It matches usermgmt.ErrInvalid, and its
// cause: ErrFormat, ErrLimit, ErrEmpty, ErrColumns or
// usermgmt.ErrSeatLimit. Report holds the details.
type ImportError struct {
	Report *Report
	cause  error
	msg    string
}

// Error returns a summary such as "importer: 3 errors in 2 rows, nothing
// was imported".
func (e *ImportError) Error() string { return "importer: " + e.msg }

// Is reports whether target is usermgmt.ErrInvalid.
func (e *ImportError) Is(target error) bool { return target == usermgmt.ErrInvalid }

// Unwrap returns the cause, if any.
func (e *ImportError) Unwrap() error { return e.cause }
