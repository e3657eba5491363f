package checkout

import (
	"context"
	"strconv"
	"time"

	"seam/internal/db"
	"seam/internal/store"
)

// Code attempts (a voucher or gift certificate code tried by POST
// /vouchers or a balance check) allowed per minute. Codes are meant to be
// typed, not guessed: a shopper's session or selection gets
// CodeAttemptsPerSession, an IP address (which a caller cannot shed, as it
// can a session by sending no API-Token) CodeAttemptsPerIP.
const (
	CodeAttemptsPerSession = 10
	CodeAttemptsPerIP      = 30
)

// Attempter is who tries a code: the caller's session and selection, and
// the client's IP address ("" for a storefront server with the shared
// secret, which calls for many shoppers from one address).
type Attempter struct {
	IP        string
	Session   *store.Session
	Selection string
}

// TryCode runs try, a lookup of a code the attempter typed, as one code
// attempt: it first takes an attempt from each of the attempter's subjects
// (IP address, session, selection), all or none, in rows shared by every
// process, so that concurrent guesses cannot slip past the limit; over a
// limit it answers a *RateLimitedError saying when the minute's window
// ends, without running try. When try succeeds (the code was right) the
// attempts are given back: only wrong codes use up the limit, so shoppers
// behind one address who type valid codes are never held up.
func (s *Service) TryCode(ctx context.Context, a Attempter, try func() error) error {
	subjects := a.subjects()
	now := s.Now()
	window := now.UnixMilli() / 60_000 * 60_000
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, sub := range subjects {
			ok, err := store.CountCodeAttempt(ctx, tx, sub.name, window, sub.limit)
			if err != nil {
				return err
			}
			if !ok {
				return &RateLimitedError{What: "code attempts", RetryAfter: time.Duration(window+60_000-now.UnixMilli()) * time.Millisecond}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := try(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, sub := range subjects {
			if err := store.ReturnCodeAttempt(ctx, tx, sub.name, window); err != nil {
				return err
			}
		}
		return nil
	})
}

type attemptSubject struct {
	name  string
	limit int
}

func (a Attempter) subjects() []attemptSubject {
	var out []attemptSubject
	if a.IP != "" {
		out = append(out, attemptSubject{"ip:" + a.IP, CodeAttemptsPerIP})
	}
	if a.Session != nil {
		out = append(out, attemptSubject{"session:" + strconv.FormatInt(a.Session.ID, 10), CodeAttemptsPerSession})
	}
	if a.Selection != "" {
		out = append(out, attemptSubject{"selection:" + a.Selection, CodeAttemptsPerSession})
	}
	return out
}
