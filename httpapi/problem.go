package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Problem is an RFC 9457 problem details body, served as
// application/problem+json. It never holds a secret nor the text of an
// internal error.
type Problem struct {
	// Type names the kind of problem, e.g. "urn:roster:problem:validation".
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists every failing field of a validation problem (422).
	Errors []usermgmt.FieldError `json:"errors,omitempty"`
	// Field names the field that collided, for a conflict (409).
	Field string `json:"field,omitempty"`
	// RequestID ties the answer to the access log.
	RequestID string `json:"request_id,omitempty"`
}

// Problem types.
const (
	ProblemValidation   = "urn:roster:problem:validation"
	ProblemBadRequest   = "urn:roster:problem:bad-request"
	ProblemUnauthorized = "urn:roster:problem:unauthenticated"
	ProblemForbidden    = "urn:roster:problem:forbidden"
	ProblemNotFound     = "urn:roster:problem:not-found"
	ProblemConflict     = "urn:roster:problem:conflict"
	ProblemSeatLimit    = "urn:roster:problem:seat-limit"
	ProblemExpired      = "urn:roster:problem:expired"
	ProblemUsed         = "urn:roster:problem:already-used"
	ProblemRateLimited  = "urn:roster:problem:rate-limited"
	ProblemTooLarge     = "urn:roster:problem:too-large"
	ProblemUnsupported  = "urn:roster:problem:unsupported-media-type"
	ProblemInternal     = "urn:roster:problem:internal"
)

// requestError is a problem found while reading the request itself.
type requestError struct {
	status int
	typ    string
	detail string
}

func (e *requestError) Error() string { return e.detail }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, typ: ProblemBadRequest, detail: fmt.Sprintf(format, args...)}
}

// errUnauthenticated is the answer to a request that needs an actor and
// has none.
var errUnauthenticated = &requestError{status: http.StatusUnauthorized, typ: ProblemUnauthorized, detail: "sign in first"}

// retryAfter is implemented by errors that say when to try again.
type retryAfter interface{ RetryAfter() time.Duration }

// problemFor maps an error from roster's services to its problem. The
// order matters: ErrHidden matches both ErrNotFound and ErrForbidden and
// must answer 404, exactly as a missing target does.
func problemFor(err error) Problem {
	var re *requestError
	var ve *usermgmt.ValidationError
	var ce *usermgmt.ConflictError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &re):
		return Problem{Type: re.typ, Title: http.StatusText(re.status), Status: re.status, Detail: re.detail}
	case errors.As(err, &mbe):
		return Problem{Type: ProblemTooLarge, Title: "Request body too large", Status: http.StatusRequestEntityTooLarge,
			Detail: "the body is over " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	case errors.As(err, &ve):
		return Problem{Type: ProblemValidation, Title: "Invalid input", Status: http.StatusUnprocessableEntity,
			Detail: "one or more fields are invalid", Errors: ve.Fields}
	case errors.Is(err, usermgmt.ErrNotFound):
		return Problem{Type: ProblemNotFound, Title: "Not found", Status: http.StatusNotFound}
	case errors.Is(err, usermgmt.ErrInvalidCredentials):
		return Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: "the credentials were not accepted"}
	case errors.Is(err, usermgmt.ErrForbidden):
		return Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden}
	case errors.Is(err, usermgmt.ErrSeatLimit):
		return Problem{Type: ProblemSeatLimit, Title: "Seat limit reached", Status: http.StatusConflict,
			Detail: "the account has no free seat"}
	case errors.As(err, &ce):
		return Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Field: ce.Field,
			Detail: ce.Error()}
	case errors.Is(err, usermgmt.ErrConflict):
		return Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict}
	case errors.Is(err, usermgmt.ErrExpired):
		return Problem{Type: ProblemExpired, Title: "Expired", Status: http.StatusGone, Detail: "the link or code has expired"}
	case errors.Is(err, usermgmt.ErrUsed):
		return Problem{Type: ProblemUsed, Title: "Already used", Status: http.StatusGone, Detail: "the link has already been used"}
	case errors.Is(err, usermgmt.ErrRateLimited), errors.Is(err, usermgmt.ErrLocked):
		return Problem{Type: ProblemRateLimited, Title: "Too many requests", Status: http.StatusTooManyRequests}
	case errors.Is(err, usermgmt.ErrInvalid):
		return Problem{Type: ProblemValidation, Title: "Invalid input", Status: http.StatusUnprocessableEntity}
	}
	return Problem{Type: ProblemInternal, Title: "Internal error", Status: http.StatusInternalServerError}
}

// writeProblem answers err as problem+json.
func (a *API) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.RequestID = requestID(r.Context())
	if p.Status == http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "request failed", "request_id", p.RequestID, "err", err)
	}
	var ra retryAfter
	if p.Status == http.StatusTooManyRequests && errors.As(err, &ra) {
		if secs := int(ra.RetryAfter().Round(time.Second) / time.Second); secs > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	if err := json.NewEncoder(w).Encode(p); err != nil {
		a.log.DebugContext(r.Context(), "write problem", "err", err)
	}
}
