package mail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// maxDepth bounds how deeply multipart messages are read.
const maxDepth = 8

// received is what the dev mailbox reads from a message: every field
// valid UTF-8 without NUL bytes, empty when the message lacks it.
type received struct {
	messageID string
	subject   string
	// text and html are the first text/plain and text/html parts that
	// are not attachments, decoded.
	text, html string
}

// parseMessage reads the parts the dev mailbox shows from a raw RFC 5322
// message. It never fails: what it cannot read stays empty, and the raw
// message is kept anyway.
func parseMessage(raw []byte) received {
	var p received
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return p
	}
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	p.subject = msg.Header.Get("Subject")
	if s, err := dec.DecodeHeader(p.subject); err == nil {
		p.subject = s
	}
	p.subject = clip(strings.Join(strings.Fields(p.subject), " "), 1000)
	p.messageID = clip(strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>"), 1000)
	p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	// SMTP carries CRLF line ends; the page and tests want LF.
	p.text = clip(strings.ReplaceAll(p.text, "\r\n", "\n"), devMaxMessage)
	p.html = clip(strings.ReplaceAll(p.html, "\r\n", "\n"), devMaxMessage)
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); !strings.HasPrefix(mt, "multipart/") {
		// A single-part body ends with the line end that DATA's closing
		// dot needs; in a multipart one it belongs to the boundary.
		p.text = strings.TrimSuffix(p.text, "\n")
		p.html = strings.TrimSuffix(p.html, "\n")
	}
	return p
}

// walk reads one MIME entity, descending into multipart ones.
func (p *received) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err != nil {
				return
			}
			p.walk(part.Header, part, depth+1)
		}
	}
	if d, _, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && d == "attachment" {
		return
	}
	switch {
	case mt == "text/plain" && p.text == "":
		p.text = decodeBody(h, params["charset"], body)
	case mt == "text/html" && p.html == "":
		p.html = decodeBody(h, params["charset"], body)
	}
}

// decodeBody undoes a part's transfer encoding and charset.
func decodeBody(h textproto.MIMEHeader, charset string, body io.Reader) string {
	r := io.LimitReader(body, devMaxMessage)
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	if cr, err := charsetReader(charset, r); err == nil {
		r = cr
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

// charsetReader converts from charset to UTF-8; UTF-8, US-ASCII and no
// charset pass unchanged.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}
