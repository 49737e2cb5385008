package report

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"vox/internal/store"
)

// Scheduled reports: a workspace asks for the PDF every week by email. The
// job worker calls RunWeekly on its schedule (e.g. a periodic job every
// Monday 07:00 in the workspace's time zone); the report covers the last
// full Monday-to-Sunday week before now.
//
// Missing for email delivery (see the report note): a per-workspace
// subscription table (recipients, language, weekday/hour, enabled) and a
// Mailer that sends attachments through the outbox. Both belong to the
// surveys/alerts email channel; this file defines only the seam.

// Attachment is a rendered report ready to be mailed.
type Attachment struct {
	Meta
	Subject string
	Body    []byte
}

// Mailer sends a report to recipients. The email channel implements it
// (enqueueing in the durable outbox, so a report survives a restart and is
// retried like any notification).
type Mailer interface {
	SendReport(ctx context.Context, workspaceID int64, to []string, a Attachment) error
}

// Subscription is one workspace's weekly report order.
type Subscription struct {
	WorkspaceID int64
	Recipients  []string
	Lang        string
}

// LastFullWeek returns the Monday..Sunday local days of the week before the
// one holding now.
func LastFullWeek(now time.Time, loc *time.Location) (from, to store.Day) {
	today := store.DayOf(now, loc)
	weekday := (int(today.Date().Weekday()) + 6) % 7 // Monday = 0
	thisMonday := today - store.Day(weekday)
	return thisMonday - 7, thisMonday - 1
}

// RunWeekly renders last week's PDF for sub and hands it to the mailer.
func RunWeekly(ctx context.Context, db *store.DB, mail Mailer, sub Subscription, now time.Time) error {
	if len(sub.Recipients) == 0 {
		return nil
	}
	ws, err := db.Workspace(ctx, sub.WorkspaceID)
	if err != nil {
		return err
	}
	from, to := LastFullWeek(now, store.LoadLocation(ws.Timezone))
	req := Request{WorkspaceID: sub.WorkspaceID, From: from, To: to, Format: "pdf", Lang: sub.Lang}
	data, err := Collect(ctx, db, req, now)
	if err != nil {
		return fmt.Errorf("weekly report: %w", err)
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, data); err != nil {
		return fmt.Errorf("weekly report: %w", err)
	}
	return mail.SendReport(ctx, sub.WorkspaceID, sub.Recipients, Attachment{
		Meta:    Meta{ContentType: contentTypes["pdf"], Filename: Filename(req)},
		Subject: fmt.Sprintf("%s: %s — %s, %s", label(sub.Lang, "title"), from, to, ws.Name),
		Body:    buf.Bytes(),
	})
}
