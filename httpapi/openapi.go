package httpapi

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// openAPI builds the OpenAPI 3.1 document from the route table and the
// Go types of the bodies, so that it cannot drift from the handlers.
func (a *API) openAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, r := range a.routes {
		op := map[string]any{
			"operationId": r.id,
			"summary":     r.summary,
			"tags":        []string{r.tag},
		}
		var params []any
		for _, name := range pathParams(r.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}})
		}
		for _, q := range r.query {
			s := map[string]any{"type": "string"}
			if q.integer {
				s = map[string]any{"type": "integer", "minimum": 1, "maximum": 1000}
			}
			if q.array {
				s = map[string]any{"type": "array", "items": s}
			}
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": s})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.upload {
			binary := map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}},
				"application/octet-stream": binary,
				"text/csv":                 binary,
				"text/plain":               binary,
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": binary,
			}}
		}
		if r.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.in), true)}}}
		}
		responses := map[string]any{}
		switch {
		case r.raw:
			content := map[string]any{}
			for _, m := range append([]string{r.mime}, r.mimes...) {
				content[m] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			responses["200"] = map[string]any{"description": "the file", "content": content}
		case r.out == nil:
			responses["204"] = map[string]any{"description": "done"}
		default:
			status := r.status
			if status == 0 {
				status = 200
			}
			responses[itoa(status)] = map[string]any{"description": "success", "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.out), false)}}}
		}
		problem := map[string]any{"$ref": "#/components/responses/Problem"}
		for _, code := range []string{"400", "401", "403", "404", "409", "410", "413", "415", "422", "429", "500"} {
			if code == "401" && r.public {
				continue
			}
			responses[code] = problem
		}
		if r.public && (strings.HasPrefix(r.path, "/auth/")) {
			responses["401"] = problem
		}
		op["responses"] = responses
		if r.public {
			op["security"] = []any{}
		}
		oapiPath := r.path
		if paths[oapiPath] == nil {
			paths[oapiPath] = map[string]any{}
		}
		paths[oapiPath][strings.ToLower(r.method)] = op
	}
	g.schema(reflect.TypeOf(Problem{}), false)
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "roster",
			"version":     "1",
			"description": "User management for a business-messaging admin portal: accounts, users, groups, access, invitations, imports, login with an SMS PIN.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"responses": map[string]any{"Problem": map[string]any{
				"description": "an RFC 9457 problem",
				"content": map[string]any{"application/problem+json": map[string]any{
					"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
			}},
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": a.cfg.CookieName},
				"apiKey":  map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []any{map[string]any{"session": []any{}}, map[string]any{"apiKey": []any{}}},
	}
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

func pathParams(path string) []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// schemaGen turns Go types into JSON Schemas under components/schemas.
// Named struct types become components: "Name" for responses (with the
// fields that are always present marked required) and "NameInput" for
// request bodies (nothing required: the services validate).
type schemaGen struct {
	defs map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	enums    = map[reflect.Type][]string{
		reflect.TypeOf(usermgmt.Status("")):       {"pending", "active", "suspended", "disabled", "deleted"},
		reflect.TypeOf(usermgmt.ServiceLevel("")): {"archive", "pro"},
		reflect.TypeOf(usermgmt.UserType("")):     {"owner", "admin", "end_user"},
		reflect.TypeOf(usermgmt.Kind("")):         {"person", "system"},
		reflect.TypeOf(usermgmt.Channel("")):      {"sms", "fax"},
	}
)

func (g *schemaGen) schema(t reflect.Type, input bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if e, ok := enums[t]; ok {
		if input {
			return map[string]any{"type": "string"}
		}
		return map[string]any{"type": "string", "enum": e}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), input)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), input)}
	case reflect.Struct:
		name := componentName(t)
		if input {
			name += "Input"
		}
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, ok := g.defs[name]; ok {
			return ref
		}
		g.defs[name] = map[string]any{} // placeholder for recursion
		props := map[string]any{}
		var required []string
		g.fields(t, input, props, &required)
		s := map[string]any{"type": "object", "properties": props}
		if !input {
			s["additionalProperties"] = false
		}
		if len(required) > 0 {
			s["required"] = required
		}
		g.defs[name] = s
		return ref
	}
	return map[string]any{}
}

// fields adds the JSON fields of struct t, flattening embedded structs.
func (g *schemaGen) fields(t reflect.Type, input bool, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, input, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type, input)
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if !optional && !input && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// componentName names a struct type for components, generics included
// ("Page[usermgmt.User]" becomes "PageUser").
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		arg := name[i+1 : len(name)-1]
		if j := strings.LastIndexAny(arg, "./"); j >= 0 {
			arg = arg[j+1:]
		}
		name = name[:i] + arg
	}
	return name
}
