// Package demo fills a database with a realistic, deterministic data set of
// one omni-channel retailer, so that `vox demo` shows dashboards with a story
// (a trend, an app release gone wrong, a regional delivery breakdown, strong
// and weak employees, churn that follows bad experiences) instead of noise.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vox/internal/auth"
	"vox/internal/ingest"
	"vox/internal/store"
)

// Demo logins. The password is fixed and printed: the demo database is for
// looking around on one machine, not for production.
const (
	OwnerEmail   = "demo@vox.local"
	DemoPassword = "vox-demo-2025"
)

// Credentials is what `vox demo` prints so that a person can log in and a
// script can call the API at once.
type Credentials struct {
	Email, Password, APIKey, Workspace string
}

// demoUser is a login with a role in some workspaces.
type demoUser struct {
	email, name, lang string
	roles             []struct{ ws, role string }
	employee          string // external id of the employee record this login is, in the main workspace
}

func roles(pairs ...string) []struct{ ws, role string } {
	var out []struct{ ws, role string }
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, struct{ ws, role string }{pairs[i], pairs[i+1]})
	}
	return out
}

var demoUsers = []demoUser{
	{OwnerEmail, "Demo Owner", "en", roles(MainWorkspace, store.RoleOwner, "acme-kz", store.RoleOwner), ""},
	{"manager@vox.local", "Мария Ковалёва", "ru", roles(MainWorkspace, store.RoleManager), ""},
	{"agent@vox.local", "Олег Сидоров", "ru", roles(MainWorkspace, store.RoleAgent), ""},
	{"viewer@vox.local", "李娜", "zh", roles(MainWorkspace, store.RoleViewer), ""},
	{"anna.smirnova@vox.local", "Анна Смирнова", "ru", roles(MainWorkspace, store.RoleEmployee), "E-101"},
	{"kz.manager@vox.local", "Асель Нурланова", "ru", roles("acme-kz", store.RoleManager), ""},
}

// Seed fills the database with the demo company and returns the owner's
// login and a fresh API key of the main workspace. It is safe to run again:
// a workspace that already holds all its items is left alone, an
// interrupted one is completed (items, transactions and churn are matched by
// external id or status, so nothing is stored twice). API keys are stored
// hashed, so every run makes a new key named "demo".
func Seed(ctx context.Context, db *store.DB, svc *ingest.Service, opt Options, progress func(done, total int)) (Credentials, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	p := generate(opt)
	ids := map[string]int64{}
	total := 0
	for _, w := range p.workspaces {
		ws, err := db.WorkspaceBySlug(ctx, w.spec.slug)
		if errors.Is(err, store.ErrNotFound) {
			ws, err = db.CreateWorkspace(ctx, w.spec.slug, w.spec.name, w.spec.tz)
		}
		if err != nil {
			return Credentials{}, fmt.Errorf("demo workspace: %w", err)
		}
		ids[w.spec.slug] = ws.ID
		total += len(w.customers) + len(w.items) + len(w.txs)
	}
	if err := seedUsers(ctx, db, ids); err != nil {
		return Credentials{}, err
	}
	done := 0
	step := func(n int) { done += n; progress(done, total) }
	for _, w := range p.workspaces {
		if err := seedWorkspace(ctx, db, svc, ids[w.spec.slug], w, step); err != nil {
			return Credentials{}, fmt.Errorf("demo workspace %s: %w", w.spec.slug, err)
		}
		// After the items, so the rules do not fire live on the history.
		if err := seedCases(ctx, db, ids[w.spec.slug], w, p.opt); err != nil {
			return Credentials{}, fmt.Errorf("demo workspace %s: %w", w.spec.slug, err)
		}
		if err := seedCurrency(ctx, db, ids[w.spec.slug], w.spec, storyFor(p.opt).end); err != nil {
			return Credentials{}, fmt.Errorf("demo workspace %s: %w", w.spec.slug, err)
		}
	}
	progress(total, total)
	_, key, err := db.CreateAPIKey(ctx, ids[MainWorkspace], "demo")
	if err != nil {
		return Credentials{}, fmt.Errorf("demo api key: %w", err)
	}
	return Credentials{Email: OwnerEmail, Password: DemoPassword, APIKey: key, Workspace: MainWorkspace}, nil
}

func seedUsers(ctx context.Context, db *store.DB, ws map[string]int64) error {
	var hash string
	for _, du := range demoUsers {
		u, err := db.UserByEmail(ctx, du.email)
		if errors.Is(err, store.ErrNotFound) {
			if hash == "" {
				if hash, err = auth.HashPassword(DemoPassword); err != nil {
					return fmt.Errorf("demo password: %w", err)
				}
			}
			u, err = db.CreateUser(ctx, du.email, du.name, hash, du.lang)
		}
		if err != nil {
			return fmt.Errorf("demo user: %w", err)
		}
		for _, r := range du.roles {
			if err := db.AddMember(ctx, ws[r.ws], u.ID, r.role); err != nil {
				return err
			}
		}
		if du.employee != "" {
			// The employee login sees the feedback about their own service.
			empID, err := db.UpsertEmployee(ctx, ws[MainWorkspace], store.EmployeeInput{ExternalID: du.employee, Name: du.name})
			if err != nil {
				return fmt.Errorf("demo employee: %w", err)
			}
			if err := db.LinkEmployeeUser(ctx, ws[MainWorkspace], empID, u.ID); err != nil {
				return fmt.Errorf("demo employee: %w", err)
			}
		}
	}
	return nil
}

func seedWorkspace(ctx context.Context, db *store.DB, svc *ingest.Service, wsID int64, w *wsPlan, step func(int)) error {
	have, err := db.CountFeedback(ctx, wsID)
	if err != nil {
		return err
	}
	if have >= len(w.items) {
		byCRM, churned, err := storedCustomers(ctx, db, wsID)
		if err != nil {
			return err
		}
		planned := 0
		for _, c := range w.customers {
			if !c.churnAt.IsZero() {
				planned++
			}
		}
		// Churn is written last, so all items and all churners stored
		// mean a complete workspace.
		if len(byCRM) >= len(w.customers) && churned >= planned {
			step(len(w.customers) + len(w.items) + len(w.txs))
			return nil
		}
	}
	return fillWorkspace(ctx, db, svc, wsID, w, step)
}

// storedCustomers maps the demo's CRM ids to stored customers and counts
// the churned ones, with a few paged reads instead of a write per customer.
func storedCustomers(ctx context.Context, db *store.DB, wsID int64) (map[string]store.Customer, int, error) {
	out := map[string]store.Customer{}
	churned := 0
	f := store.CustomerFilter{Limit: 500}
	for {
		page, err := db.Customers(ctx, wsID, f)
		if err != nil {
			return nil, 0, fmt.Errorf("list customers: %w", err)
		}
		for _, c := range page {
			if crm, ok := c.Attributes["crm_id"].(string); ok {
				out[crm] = c
			}
			if c.Status == "churned" {
				churned++
			}
		}
		if len(page) < f.Limit {
			return out, churned, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// fillWorkspace writes the plan of one workspace; every write is matched on
// what is already stored, so running it again stores nothing twice. Items
// go first because their first mention of a customer creates the profile
// (one write transaction per 1000 items instead of one per customer).
func fillWorkspace(ctx context.Context, db *store.DB, svc *ingest.Service, wsID int64, w *wsPlan, step func(int)) error {
	for _, e := range w.spec.employees {
		if _, err := db.UpsertEmployee(ctx, wsID, store.EmployeeInput{ExternalID: e.extID, Name: e.name,
			Email: e.email, Team: e.team, Region: e.region}); err != nil {
			return fmt.Errorf("employee: %w", err)
		}
	}
	for start := 0; start < len(w.items); start += ingest.MaxBatch {
		chunk := w.items[start:min(start+ingest.MaxBatch, len(w.items))]
		if _, err := svc.Ingest(ctx, wsID, chunk, ""); err != nil {
			return fmt.Errorf("ingest items %d-%d: %w", start+1, start+len(chunk), err)
		}
		step(len(chunk))
	}
	byCRM, _, err := storedCustomers(ctx, db, wsID)
	if err != nil {
		return err
	}
	custIDs := make([]int64, len(w.customers))
	for i, c := range w.customers {
		if sc, ok := byCRM[c.crm]; ok {
			custIDs[i] = sc.ID
			continue
		}
		// A customer who never left feedback: a profile from the CRM alone.
		ref := c.fullRef()
		if custIDs[i], err = db.UpsertCustomer(ctx, wsID, ref.Input()); err != nil {
			return fmt.Errorf("customer: %w", err)
		}
		byCRM[c.crm] = store.Customer{ID: custIDs[i], Status: "active"}
	}
	step(len(w.customers))
	const txChunk = 2000
	for start := 0; start < len(w.txs); start += txChunk {
		chunk := w.txs[start:min(start+txChunk, len(w.txs))]
		txs := make([]store.Transaction, len(chunk))
		for i, t := range chunk {
			txs[i] = store.Transaction{CustomerID: custIDs[t.customer], Amount: t.amount, Currency: t.currency,
				OccurredAt: t.at, ExternalID: t.externalID}
		}
		if _, err := db.InsertTransactions(ctx, wsID, txs); err != nil {
			return err
		}
		step(len(chunk))
	}
	for i, c := range w.customers {
		if c.churnAt.IsZero() || byCRM[c.crm].Status == "churned" {
			continue
		}
		if _, err := db.InsertChurnEvent(ctx, wsID, store.ChurnEvent{CustomerID: custIDs[i], OccurredAt: c.churnAt,
			Reason: c.churnReason}); err != nil {
			return err
		}
	}
	return nil
}

// seedCurrency sets the workspace's reporting currency and its rates, so
// that revenue in rubles, yuan and dollars adds up to one meaningful total.
func seedCurrency(ctx context.Context, db *store.DB, wsID int64, spec *workspaceSpec, end time.Time) error {
	loc := store.LoadLocation(spec.tz)
	cs := store.CurrencySettings{ReportingCurrency: spec.currency}
	for _, r := range spec.rates {
		rate := store.ExchangeRate{Currency: r.currency, Rate: r.rate}
		if r.monthsAgo > 0 {
			rate.ValidFrom = store.DayOf(end.AddDate(0, -r.monthsAgo, 0), loc).Start(loc)
		}
		cs.Rates = append(cs.Rates, rate)
	}
	return db.SetCurrencySettings(ctx, wsID, cs, store.AuditActor{Name: "demo"})
}
