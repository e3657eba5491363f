// Package admin serves Seam's HTML pages for operators. So far it holds
// the dev mailbox (Mailbox), which shows the mail Seam sent while no SMTP
// server was configured.
package admin
