package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
)

const privacyUsage = `usage:
  vox privacy export    --workspace SLUG (--customer ID | --email E | --phone P | --telegram-id T | --telegram-username U | --external-id X) [--out FILE]
  vox privacy erase     --workspace SLUG (same person flags) --yes
  vox privacy retention --workspace SLUG [--days N] [--survey ID=DAYS]... [--run]`

// runPrivacy exports or erases one person, or shows, sets and applies a
// workspace's retention policy (GDPR). Every export and erase is audited
// with the actor "cli".
func runPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase" && args[0] != "retention") {
		return errors.New(privacyUsage)
	}
	sub := args[0]
	fs, load := newFlags("privacy "+sub, stderr)
	workspace := fs.String("workspace", "", "workspace slug")
	customer := fs.Int64("customer", 0, "customer id")
	idns := map[string]*string{}
	for _, kind := range store.IdentityKinds {
		idns[kind] = fs.String(strings.ReplaceAll(kind, "_", "-"), "", "the person's "+strings.ReplaceAll(kind, "_", " "))
	}
	out := fs.String("out", "", "export: write the JSON here instead of stdout")
	yes := fs.Bool("yes", false, "erase: confirm that the person's data is to be deleted for good")
	days := fs.Int("days", -1, "retention: delete feedback older than N days (0: keep forever)")
	var overrides surveyDays
	fs.Var(&overrides, "survey", "retention: ID=DAYS for one survey's answers (repeatable; 0 keeps them forever)")
	run := fs.Bool("run", false, "retention: apply the policy now")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || *workspace == "" {
		return errors.New(privacyUsage)
	}
	e, ws, err := openWorkspace(ctx, load, *workspace)
	if err != nil {
		return err
	}
	defer e.db.Close()
	actor := store.AuditActor{Name: "cli"}
	if sub == "retention" {
		return privacyRetention(ctx, e.db, ws, *days, overrides, *run, actor, stdout)
	}
	id, err := personFlag(ctx, e.db, ws.ID, *customer, idns)
	if err != nil {
		return err
	}
	if sub == "export" {
		ex, err := e.db.ExportPerson(ctx, ws.ID, id, actor)
		if err != nil {
			return err
		}
		w := stdout
		if *out != "" {
			f, err := os.OpenFile(*out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ex); err != nil {
			return err
		}
		if *out != "" {
			fmt.Fprintf(stderr, "exported customer %d (%d feedback items) to %s\n", ex.CustomerID, len(ex.Feedback), *out)
		}
		return nil
	}
	if !*yes {
		return fmt.Errorf("erasing customer %d cannot be undone: add --yes", id)
	}
	rep, err := e.db.ErasePerson(ctx, ws.ID, id, actor)
	if err != nil {
		return err
	}
	if rep.AlreadyErased {
		fmt.Fprintf(stdout, "customer %d was erased before\n", id)
		return nil
	}
	fmt.Fprintf(stdout, "erased customer %d: %d profiles, %d identities, %d feedback items, %d invitations, %d responses, "+
		"%d transactions, %d churn events, %d jobs; %d cases kept anonymous\n", rep.CustomerID, rep.Profiles, rep.Identities,
		rep.Feedback, rep.Invitations, rep.Responses, rep.Transactions, rep.ChurnEvents, rep.Jobs, rep.CasesScrubbed)
	return nil
}

// personFlag resolves --customer or exactly one identity flag.
func personFlag(ctx context.Context, db *store.DB, ws, customer int64, idns map[string]*string) (int64, error) {
	var kind, value string
	n := 0
	for k, v := range idns {
		if strings.TrimSpace(*v) != "" {
			kind, value, n = k, *v, n+1
		}
	}
	switch {
	case customer > 0 && n == 0:
		return customer, nil
	case customer == 0 && n == 1:
		id, err := db.FindCustomerByIdentity(ctx, ws, kind, value)
		if err != nil {
			return 0, fmt.Errorf("no customer with %s %q in this workspace", kind, value)
		}
		return id, nil
	}
	return 0, errors.New("name the person by --customer or by exactly one identity flag\n" + privacyUsage)
}

func privacyRetention(ctx context.Context, db *store.DB, ws store.Workspace, days int, overrides surveyDays, run bool,
	actor store.AuditActor, stdout io.Writer) error {
	if days >= 0 || len(overrides) > 0 {
		p, err := db.RetentionPolicyOf(ctx, ws.ID)
		if err != nil {
			return err
		}
		if days >= 0 {
			p.Days = days
		}
		for id, d := range overrides {
			p.Surveys[id] = d
		}
		if err := db.SetRetentionPolicy(ctx, ws.ID, p, actor); err != nil {
			return err
		}
	}
	p, err := db.RetentionPolicyOf(ctx, ws.ID)
	if err != nil {
		return err
	}
	if p.Days == 0 {
		fmt.Fprintf(stdout, "%s: feedback is kept forever\n", ws.Slug)
	} else {
		fmt.Fprintf(stdout, "%s: feedback is deleted after %d days\n", ws.Slug, p.Days)
	}
	for id, d := range p.Surveys {
		fmt.Fprintf(stdout, "  survey %d: %s\n", id, map[bool]string{true: "kept forever", false: strconv.Itoa(d) + " days"}[d == 0])
	}
	if run {
		res, err := db.ApplyRetention(ctx, ws.ID, time.Now(), 1000)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %d feedback items, %d invitations, %d finished jobs\n", res.Feedback, res.Invitations, res.Jobs)
	}
	return nil
}

// surveyDays collects repeated --survey ID=DAYS flags.
type surveyDays map[int64]int

func (s *surveyDays) String() string { return fmt.Sprint(map[int64]int(*s)) }

func (s *surveyDays) Set(v string) error {
	a, b, ok := strings.Cut(v, "=")
	id, err1 := strconv.ParseInt(a, 10, 64)
	d, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || id <= 0 || d < 0 {
		return errors.New("must be SURVEY_ID=DAYS, e.g. 12=90")
	}
	if *s == nil {
		*s = surveyDays{}
	}
	(*s)[id] = d
	return nil
}

var _ flag.Value = (*surveyDays)(nil)
