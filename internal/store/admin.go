package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// AdminUser is an operator of the back office. PasswordHash is an argon2id
// PHC string.
type AdminUser struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

const adminUserSelect = `SELECT id, email, name, role, password_hash, created_at, disabled_at FROM admin_user`

func scanAdminUser(s scanner) (AdminUser, error) {
	var u AdminUser
	var disabled sql.NullTime
	err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &disabled)
	u.DisabledAt = nullTime(disabled)
	return u, err
}

// InsertAdminUser stores a new operator.
func InsertAdminUser(ctx context.Context, q db.Q, u *AdminUser) error {
	id, err := insertID(ctx, q, `INSERT INTO admin_user (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, db.Time(u.CreatedAt))
	u.ID = id
	return err
}

// AdminUserByEmail finds an operator by lower-case e-mail address.
func AdminUserByEmail(ctx context.Context, q db.Q, email string) (AdminUser, error) {
	return one(ctx, q, scanAdminUser, adminUserSelect+` WHERE email = $1`, email)
}

// AdminUserByID finds an operator.
func AdminUserByID(ctx context.Context, q db.Q, id int64) (AdminUser, error) {
	return one(ctx, q, scanAdminUser, adminUserSelect+` WHERE id = $1`, id)
}

// ListAdminUsers lists operators by e-mail address, at most limit.
func ListAdminUsers(ctx context.Context, q db.Q, limit int) ([]AdminUser, error) {
	return all(ctx, q, scanAdminUser, adminUserSelect+` ORDER BY email LIMIT $1`, limit)
}

// CountAdminUsers counts operators, disabled ones too.
func CountAdminUsers(ctx context.Context, q db.Q) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_user`).Scan(&n)
	return n, err
}

// UpdateAdminUser saves an operator's name, role, password hash and
// disabled time.
func UpdateAdminUser(ctx context.Context, q db.Q, u AdminUser) error {
	var disabled any
	if u.DisabledAt != nil {
		disabled = db.Time(*u.DisabledAt)
	}
	_, err := q.ExecContext(ctx, `UPDATE admin_user SET name = $2, role = $3, password_hash = $4, disabled_at = $5 WHERE id = $1`,
		u.ID, u.Name, u.Role, u.PasswordHash, disabled)
	return err
}

// AdminSession is a signed-in browser. IDHash is the SHA-256 of the
// cookie's secret; FormToken is the per-session token every form carries.
type AdminSession struct {
	IDHash     string
	UserID     int64
	FormToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// InsertAdminSession stores a new session.
func InsertAdminSession(ctx context.Context, q db.Q, s AdminSession) error {
	_, err := q.ExecContext(ctx, `INSERT INTO admin_session (id_hash, user_id, form_token, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.IDHash, s.UserID, s.FormToken, db.Time(s.CreatedAt), db.Time(s.LastSeenAt), db.Time(s.ExpiresAt))
	return err
}

// AdminSessionByHash finds a session and its operator.
func AdminSessionByHash(ctx context.Context, q db.Q, hash string) (AdminSession, AdminUser, error) {
	type pair struct {
		s AdminSession
		u AdminUser
	}
	p, err := one(ctx, q, func(sc scanner) (pair, error) {
		var p pair
		var disabled sql.NullTime
		err := sc.Scan(&p.s.IDHash, &p.s.UserID, &p.s.FormToken, &p.s.CreatedAt, &p.s.LastSeenAt, &p.s.ExpiresAt,
			&p.u.ID, &p.u.Email, &p.u.Name, &p.u.Role, &p.u.PasswordHash, &p.u.CreatedAt, &disabled)
		p.u.DisabledAt = nullTime(disabled)
		return p, err
	}, `SELECT s.id_hash, s.user_id, s.form_token, s.created_at, s.last_seen_at, s.expires_at,
		u.id, u.email, u.name, u.role, u.password_hash, u.created_at, u.disabled_at
		FROM admin_session s JOIN admin_user u ON u.id = s.user_id WHERE s.id_hash = $1`, hash)
	return p.s, p.u, err
}

// TouchAdminSession records that a session was used at now.
func TouchAdminSession(ctx context.Context, q db.Q, hash string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE admin_session SET last_seen_at = $2 WHERE id_hash = $1`, hash, db.Time(now))
	return err
}

// DeleteAdminSession removes a session.
func DeleteAdminSession(ctx context.Context, q db.Q, hash string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM admin_session WHERE id_hash = $1`, hash)
	return err
}

// DeleteAdminSessionsOf removes every session of an operator.
func DeleteAdminSessionsOf(ctx context.Context, q db.Q, userID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM admin_session WHERE user_id = $1`, userID)
	return err
}

// DeleteStaleAdminSessions removes sessions past their absolute end or
// idle since before idleSince.
func DeleteStaleAdminSessions(ctx context.Context, q db.Q, now, idleSince time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM admin_session WHERE expires_at <= $1 OR last_seen_at < $2`, db.Time(now), db.Time(idleSince))
	return err
}

// InsertLoginFailure records a failed sign-in.
func InsertLoginFailure(ctx context.Context, q db.Q, email, ip string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO admin_login_failure (email, ip, created_at) VALUES ($1, $2, $3)`, email, ip, db.Time(at))
	return err
}

// LoginFailures counts the failed sign-ins since since for an e-mail
// address and for an IP address.
func LoginFailures(ctx context.Context, q db.Q, email, ip string, since time.Time) (byEmail, byIP int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM admin_login_failure WHERE email = $1 AND created_at >= $3),
		(SELECT COUNT(*) FROM admin_login_failure WHERE ip = $2 AND created_at >= $3)`, email, ip, db.Time(since)).Scan(&byEmail, &byIP)
	return byEmail, byIP, err
}

// DeleteOldLoginFailures forgets failures from before before.
func DeleteOldLoginFailures(ctx context.Context, q db.Q, before time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM admin_login_failure WHERE created_at < $1`, db.Time(before))
	return err
}

// AuditEntry is a row of the audit log.
type AuditEntry struct {
	ID int64
	Audit
}

// AuditFilter narrows the audit log; zero fields match everything.
type AuditFilter struct {
	Actor      string
	ObjectType string
	ObjectIDs  []string
	From, To   *time.Time
	// BeforeID pages: only entries older than this id.
	BeforeID int64
}

// ListAudit lists the audit log newest first, at most limit entries.
func ListAudit(ctx context.Context, q db.Q, f AuditFilter, limit int) ([]AuditEntry, error) {
	query := `SELECT id, actor, action, object_type, object_id, detail, created_at FROM audit_log WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		query += " AND " + cond + " $" + itoa(len(args))
	}
	if f.Actor != "" {
		add("actor =", f.Actor)
	}
	if f.ObjectType != "" {
		add("object_type =", f.ObjectType)
	}
	if len(f.ObjectIDs) > 0 {
		marks, ids := db.In(len(args)+1, f.ObjectIDs)
		args = append(args, ids...)
		query += " AND object_id IN (" + marks + ")"
	}
	if f.From != nil {
		add("created_at >=", db.Time(*f.From))
	}
	if f.To != nil {
		add("created_at <", db.Time(*f.To))
	}
	if f.BeforeID > 0 {
		add("id <", f.BeforeID)
	}
	args = append(args, limit)
	query += " ORDER BY id DESC LIMIT $" + itoa(len(args))
	return all(ctx, q, func(s scanner) (AuditEntry, error) {
		var e AuditEntry
		var detail sql.NullString
		err := s.Scan(&e.ID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &detail, &e.CreatedAt)
		e.Detail = nullString(detail)
		return e, err
	}, query, args...)
}

// PaymentLinkOfOrder finds the payment link an order used.
func PaymentLinkOfOrder(ctx context.Context, q db.Q, orderID int64) (PaymentLink, error) {
	return one(ctx, q, scanPaymentLink, paymentLinkSelect+` WHERE order_id = $1`, orderID)
}

// OrdersNewestFirst lists orders by number, newest first, one page: the
// back office's order list. Its plain ORDER BY number DESC walks the
// number index backwards on both engines instead of sorting every match.
func OrdersNewestFirst(ctx context.Context, q db.Q, f OrderFilter, p Page) ([]Order, error) {
	w := f.where()
	return all(ctx, q, scanOrder, orderSelect+w.sql()+` ORDER BY number DESC`+p.sqlClause(), w.args...)
}
