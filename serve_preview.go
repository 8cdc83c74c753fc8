package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
)

// The Start page shows what check shows, read by the same code: the
// reader, the provider's balance and catalogue as submit asks them, the
// workspace guard's preview, and check itself, run in this process, whose
// verdict (its exit code) decides whether the batch may be confirmed.

type pidLine struct {
	Pid, Name   string
	Rows        int
	Price, Cost juhe.Money
	Known       bool
}

type countLine struct {
	Name string
	Rows int
}

type preview struct {
	Err      string // the file is refused as a whole
	ErrZh    string // the same in Chinese
	Info     journal.InputInfo
	Header   int
	Extra    string
	Problems []input.Problem
	NProblem int
	Hidden   int
	Footers  []input.Footer

	ToSend    int
	Pids      []pidLine
	Carriers  []countLine
	Estimate  juhe.Money
	Unpriced  []string
	PriceNote string

	BalanceKnown bool
	Balance      juhe.Money
	Account      string
	BalanceNote  string
	Shortfall    juhe.Money
	Credentials  string // what the balance answer proved of the key, in the page's language
	Verified     bool   // the key and the OpenID both
	NoCreds      bool

	Catalogue []string // rows the provider will reject by its catalogue
	Guard     []string // the guard's findings, one line each
	GuardZh   []string // the same in Chinese
	GuardOK   bool
	Exists    string // the journal of this batch id exists already

	CheckCode int
	CheckMsg  string
	CheckText string

	Facts      boundFacts
	CanConfirm bool
	Why        string // key into the words: why it cannot be confirmed
}

// maxShown bounds the problems a page lists.
const maxShown = 200

func (pl *plan) options() input.Options {
	return input.Options{Sheet: pl.Sheet, BatchID: pl.Batch, Pid: pl.Pid, HiddenRows: input.HiddenRefuse}
}

// preview reads the plan's upload as check does, in the page's
// language l.
func (c *console) preview(ctx context.Context, pl *plan, l string) *preview {
	pv := &preview{}
	path := c.uploadPath(pl.Upload)
	journalPath := filepath.Join(c.ws, pl.Batch+".journal")
	if _, err := os.Stat(journalPath); err == nil {
		pv.Exists = journalPath
	}

	rows := guardedRows{sum: sha256.New()}
	collect := rows.collect(nil)
	carriers := map[string]map[juhe.Carrier]int{}
	byPid := map[string][]pidRow{}
	rep, err := input.Read(ctx, path, pl.options(), func(r *journal.RowRecord) error {
		if r.OrderID == "" {
			return nil
		}
		if err := collect(r); err != nil {
			return err
		}
		cr := juhe.CarrierOf(r.Phone)
		if carriers[r.Pid] == nil {
			carriers[r.Pid] = map[juhe.Carrier]int{}
		}
		carriers[r.Pid][cr]++
		byPid[r.Pid] = append(byPid[r.Pid], pidRow{line: r.Line, phone: r.Phone, carrier: cr})
		return nil
	})
	if err != nil {
		// The stored name is the sha256's: say the name the person knows.
		pv.Err = strings.ReplaceAll(err.Error(), filepath.Base(path), pl.Upload.Name)
		pv.ErrZh = strings.ReplaceAll(input.ErrorIn(err, "zh"), filepath.Base(path), pl.Upload.Name)
		pv.Why = "why.refused"
		c.runCheckInto(ctx, pl, pv, l)
		return pv
	}
	pv.Info, pv.Header, pv.Hidden, pv.Footers = rep.Info, rep.HeaderRow, rep.HiddenCount, rep.Footers
	pv.Info.Name = pl.Upload.Name
	pv.Extra = strings.Join(rep.Info.Extra, ", ")
	probs := append(slices.Clone(rep.Invalid), rep.Duplicates...)
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	pv.NProblem = len(probs)
	pv.Problems = probs[:min(len(probs), maxShown)]
	pv.ToSend = len(rows.phones)
	for _, cr := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		if n := rep.ByCarrier[cr]; n > 0 {
			pv.Carriers = append(pv.Carriers, countLine{string(cr), n})
		}
	}

	// The provider, asked as submit asks it.
	var pre *preflight
	if strings.TrimSpace(c.getenv("JUHE_KEY")) == "" || strings.TrimSpace(c.getenv("JUHE_OPENID")) == "" {
		pv.NoCreds = true
	} else if cl, err := juhe.NewClient(juhe.Config{BaseURL: c.getenv("JUHE_BASE_URL"), Key: c.getenv("JUHE_KEY"), OpenID: c.getenv("JUHE_OPENID"), Timeout: 20 * time.Second}); err != nil {
		pv.Credentials = err.Error()
	} else {
		p := readPreflight(ctx, cl)
		pre = &p
		pv.Credentials, pv.Verified = p.verified(lang(l)), p.balance.Credentials == juhe.CredsVerified
	}
	var catalogue map[string]juhe.Product
	if pre != nil {
		catalogue = pre.catalogue
		if catalogue == nil {
			pv.PriceNote = pre.catNote
		}
		if pre.balanceKnown() {
			pv.BalanceKnown, pv.Balance, pv.Account = true, pre.balance.Money, pre.balance.AccountID
		} else {
			pv.BalanceNote = pre.reply.String()
		}
	}
	for _, pid := range slices.Sorted(maps.Keys(rows.byPid)) {
		l := pidLine{Pid: pid, Rows: rows.byPid[pid]}
		if p, ok := catalogue[pid]; ok {
			l.Known, l.Name, l.Price, l.Cost = true, p.Name, p.Price, p.Price*juhe.Money(l.Rows)
		} else {
			pv.Unpriced = append(pv.Unpriced, pid)
		}
		pv.Pids = append(pv.Pids, l)
	}
	pv.Estimate, _ = estimate(rows.byPid, catalogue)
	if pre != nil {
		pv.Shortfall = pre.shortfall(pv.Estimate)
	}
	var cat bytes.Buffer
	printCatalogueProblems(&cat, lang(l), byPid, catalogue, maxShown)
	for _, line := range strings.Split(strings.TrimSpace(cat.String()), "\n") {
		if strings.HasPrefix(line, "  ") {
			pv.Catalogue = append(pv.Catalogue, strings.TrimSpace(line))
		}
	}

	// The guard, previewed as the start will run it under the lock.
	g := &guardedStart{dir: c.ws, rep: rep, rows: rows}
	var found workspace.Findings
	if ws, err := workspace.Open(c.ws); err == nil {
		found, err = ws.Preview(ctx, workspace.NewBatch{
			ID: pl.Batch, Period: workspace.Period(pl.Period), InputSHA256: rep.Info.SHA256, InputName: rep.Info.Name,
			Journal: journalPath, Phones: rows.phones, Lines: rows.lines,
		})
		if err != nil {
			pv.Guard = []string{err.Error()}
			pv.GuardZh = pv.Guard
		} else {
			pv.Guard, pv.GuardZh, pv.GuardOK = found.Lines(), found.LinesIn("zh"), !found.Refused()
		}
	} else {
		pv.GuardOK = true
	}
	pv.Facts = factsOf(g, found)

	c.runCheckInto(ctx, pl, pv, l)
	switch {
	case pv.Exists != "":
		pv.Why = "why.exists"
	case pv.NoCreds:
		pv.Why = "why.nocreds"
	case pv.CheckCode != 0:
		pv.Why = "why.check"
	case pv.ToSend == 0:
		pv.Why = "why.nothing"
	case catalogue == nil || len(pv.Unpriced) > 0:
		pv.Why = "why.noprice"
	default:
		pv.CanConfirm = true
	}
	return pv
}

// checkArgs is the check command line that predicts the console's run,
// speaking the page's language l.
func (c *console) checkArgs(pl *plan, l string) []string {
	args := []string{"check", "-in", c.uploadPath(pl.Upload), "-batch", pl.Batch, "-workspace", c.ws, "-period", pl.Period, "-prices", "provider", "-lang", l}
	if pl.SkipInvalid {
		args = append(args, "-skip-invalid")
	}
	if pl.Pid != "" {
		args = append(args, "-pid", pl.Pid)
	}
	if pl.Sheet != "" {
		args = append(args, "-sheet", pl.Sheet)
	}
	return args
}

// runCheckInto runs check in this process and keeps its words and exit code.
func (c *console) runCheckInto(ctx context.Context, pl *plan, pv *preview, l string) {
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: c.getenv}
	err := Run(ctx, e, c.checkArgs(pl, l))
	var msg bytes.Buffer
	pv.CheckCode = report(&msg, err)
	pv.CheckMsg = reportText(msg.String())
	text := out.String() + msg.String()
	pv.CheckText = strings.ReplaceAll(text, c.uploadPath(pl.Upload), pl.Upload.Name)
	pv.CheckText = strings.ReplaceAll(pv.CheckText, filepath.Base(c.uploadPath(pl.Upload)), pl.Upload.Name)
	if errors.Is(err, context.Canceled) {
		pv.CheckMsg = msgInterrupted.in(lang(l))
	}
}
