package gql

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"seam/internal/media"
)

// Limits of a multipart request (the GraphQL multipart request spec).
const (
	// MaxUploadBody bounds a multipart request: one picture of
	// media.MaxBytes and the rest of the form.
	MaxUploadBody = media.MaxBytes + 1<<20
	// MaxUploadFiles is the most files one request may carry.
	MaxUploadFiles = 10
)

// isMultipart reports whether a request is a multipart form.
func isMultipart(r *http.Request) bool {
	t, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return t == "multipart/form-data"
}

// upload is a multipart request read: the operations JSON, and the files
// to put into its variables.
type upload struct {
	operations []byte
	// hashed is what identifies the request for Idempotency-Key: the
	// operations, the map and each file's SHA-256.
	hashed  []byte
	mapping map[string][]string
	files   map[string]graphql.Upload
}

// uploadError is a multipart request that cannot run, with its status.
type uploadError struct {
	status int
	msg    string
}

func (e *uploadError) Error() string { return e.msg }

func badUpload(format string, args ...any) error {
	return &uploadError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// readUpload reads a multipart request: the field operations, then map,
// then the files map names, as the spec orders them. Files are held in
// memory; the body is bounded by MaxUploadBody.
func readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badUpload("The multipart body cannot be read: %v.", err)
	}
	u := &upload{files: map[string]graphql.Upload{}}
	var hashed bytes.Buffer
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, tooBigOr(err, "The multipart body cannot be read: %v.", err)
		}
		name := part.FormName()
		switch {
		case name == "operations":
			if u.operations, err = io.ReadAll(io.LimitReader(part, MaxBody+1)); err != nil {
				return nil, tooBigOr(err, "The operations field cannot be read: %v.", err)
			}
			if len(u.operations) > MaxBody {
				return nil, &uploadError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("The operations field is over %d bytes.", MaxBody)}
			}
			hashed.Write(u.operations)
		case name == "map":
			if u.operations == nil {
				return nil, badUpload("The multipart field operations must come before map.")
			}
			raw, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return nil, tooBigOr(err, "The map field cannot be read: %v.", err)
			}
			if err := json.Unmarshal(raw, &u.mapping); err != nil {
				return nil, badUpload("The map field is not a JSON object of file field names to lists of paths: %v.", err)
			}
			if len(u.mapping) > MaxUploadFiles {
				return nil, badUpload("The map names %d files; at most %d are taken in one request.", len(u.mapping), MaxUploadFiles)
			}
			hashed.WriteString("\n")
			hashed.Write(raw)
		default:
			if u.mapping == nil {
				return nil, badUpload("The multipart fields operations and map must come before the files.")
			}
			if _, ok := u.mapping[name]; !ok {
				return nil, badUpload("The multipart field %q is not named in map.", name)
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, tooBigOr(err, "The file %q cannot be read: %v.", name, err)
			}
			sum := sha256.Sum256(data)
			hashed.WriteString("\n" + name + ":" + hex.EncodeToString(sum[:]))
			u.files[name] = graphql.Upload{File: bytes.NewReader(data), Filename: part.FileName(), Size: int64(len(data)),
				ContentType: part.Header.Get("Content-Type")}
		}
	}
	if u.operations == nil || u.mapping == nil {
		return nil, badUpload("A multipart request needs the fields operations and map (the GraphQL multipart request spec).")
	}
	for name := range u.mapping {
		if _, ok := u.files[name]; !ok {
			return nil, badUpload("The file %q named in map is not in the request.", name)
		}
	}
	u.hashed = hashed.Bytes()
	return u, nil
}

func tooBigOr(err error, format string, args ...any) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &uploadError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("The request body is over %d bytes: a picture may be at most %d bytes (20 MB).", MaxUploadBody, media.MaxBytes)}
	}
	return badUpload(format, args...)
}

// place puts the files into the variables at the paths map gives
// ("variables.input.file", "variables.files.0").
func (u *upload) place(vars map[string]any) error {
	for name, paths := range u.mapping {
		for _, p := range paths {
			parts := strings.Split(p, ".")
			if len(parts) < 2 || parts[0] != "variables" {
				return badUpload("The map path %q must start with variables. (batched operations are not supported).", p)
			}
			if err := setPath(vars, parts[1:], u.files[name]); err != nil {
				return badUpload("The map path %q: %v.", p, err)
			}
		}
	}
	return nil
}

func setPath(v any, path []string, file graphql.Upload) error {
	for i, key := range path {
		last := i == len(path)-1
		switch c := v.(type) {
		case map[string]any:
			if last {
				c[key] = file
				return nil
			}
			v = c[key]
		case []any:
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("no list item %s", key)
			}
			if last {
				c[n] = file
				return nil
			}
			v = c[n]
		default:
			return fmt.Errorf("no variable at %s", strings.Join(path[:i+1], "."))
		}
	}
	return errors.New("empty path")
}
