package batch

// Plans: a list without a product column, and the decision "everyone gets
// 1G". A plan names one product per carrier: -plan 1G finds it in the
// provider's catalogue, -plan-file lists it. Each number gets its
// carrier's product; the carrier is the one flow/telcheck gives for the
// number (a ported number's, 携号转网), else the number's prefix's. The
// pid chosen is journaled with the row (journal.RowRecord.Chosen), so a
// resume never chooses again; the orderid derives from the plan's label
// (input.PlanProduct), never from the pid chosen.

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/gocarina/gocsv"
)

// Carriers is every carrier a plan can name, in the order plans list them.
var Carriers = []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom}

// Plan is one product per carrier.
type Plan struct {
	// Label names the plan; the orderids derive from it. For -plan it is
	// the volume, canonical ("1G", "500M"; 1024M is 1G); for -plan-file
	// the mapping it states, "移动=105000,联通=106000,电信=107000".
	Label    string
	VolumeMB int    // -plan: the flow each product gives; 0 for a file
	File     string // -plan-file: its base name
	SHA256   string // -plan-file: of its bytes
	// Pids are the products: a file's as listed, a label's once Resolve
	// found them.
	Pids map[juhe.Carrier]juhe.Product
}

// Product is what the plan's rows derive their orderids from.
func (p *Plan) Product() string { return input.PlanProduct(p.Label) }

// Flag is the plan as the command line gives it: "-plan 1G", "-plan-file plans.csv".
func (p *Plan) Flag() string {
	if p.File != "" {
		return "-plan-file " + p.File
	}
	return "-plan " + p.Label
}

var labelRE = regexp.MustCompile(`^(?i)([1-9][0-9]{0,6})\s*(M|MB|G|GB)$`)

// ParsePlanLabel reads -plan: a whole number of M(B) or G(B), case
// aside ("1G", "500M", "1024MB"); 1G is 1024 MB.
func ParsePlanLabel(s string) (*Plan, error) {
	m := labelRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, input.Refuse(input.PlanVolume, s)
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(strings.ToUpper(m[2]), "G") {
		n *= 1024
	}
	return &Plan{Label: volumeLabel(n), VolumeMB: n}, nil
}

func volumeLabel(mb int) string {
	if mb%1024 == 0 {
		return strconv.Itoa(mb/1024) + "G"
	}
	return strconv.Itoa(mb) + "M"
}

// maxPlanFile bounds a plan file: three carriers fit in a few lines.
const maxPlanFile = 64 << 10

// planRow is one row of a plan file. The columns are found by planRecords,
// which names them "carrier" and "pid" for gocsv whatever header the file
// gives them (运营商, 产品编码…).
type planRow struct {
	Carrier string `csv:"carrier"`
	Pid     string `csv:"pid"`
}

// ReadPlanFile reads -plan-file: a CSV with a carrier column (carrier,
// 运营商) and a product column (any header the input's product column
// may have), one row per carrier. A carrier is 移动, 联通 or 电信, also as
// 中国移动, mobile, China Mobile, cmcc…. The file is decoded as the input
// reader decodes a CSV (input.ReadCSV: UTF-8, a BOM allowed, or GBK,
// decided once, in one place), and every refusal names the row as a
// spreadsheet shows it.
func ReadPlanFile(path string) (*Plan, error) {
	name := filepath.Base(path)
	f, err := input.OpenRegular(path)
	if err != nil {
		return nil, input.Wrap(input.PlanFileAt, err, name)
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, input.Wrap(input.PlanFileAt, err, name)
	}
	if fi.Size() > maxPlanFile {
		return nil, input.Refuse(input.PlanFileSize, name, fi.Size())
	}
	recs := &planRecords{}
	size := 0
	info, err := input.ReadCSV(context.Background(), path, "", func(row int, cells []string) error {
		for _, c := range cells {
			size += len(c) + 1
		}
		if size > maxPlanFile {
			return input.Refuse(input.PlanRowBytes, row, maxPlanFile) // it grew
		}
		recs.recs = append(recs.recs, slices.Clone(cells))
		recs.rows = append(recs.rows, row)
		return nil
	})
	if err != nil {
		// -encoding reaches -in only: a plan file is saved again instead.
		return nil, input.Wrap(input.PlanFileAt, input.WithoutEncodingFlag(err), name)
	}
	p := &Plan{File: name, SHA256: info.SHA256, Pids: map[juhe.Carrier]juhe.Product{}}
	var rows []planRow
	// gocsv maps the columns by the header planRecords rewrote; the rows
	// come back in the file's order, one per record after the header.
	if err := gocsv.UnmarshalCSV(recs, &rows); err != nil {
		if errors.Is(err, gocsv.ErrEmptyCSVFile) {
			return nil, input.Refuse(input.PlanNoCarrier, name)
		}
		return nil, input.Wrap(input.PlanFileAt, err, name)
	}
	for i, row := range rows {
		line := recs.rows[i+1]
		carrier, pid := strings.TrimSpace(row.Carrier), strings.TrimSpace(row.Pid)
		if strings.Join(recs.recs[i+1], "") == "" {
			continue
		}
		c, ok := juhe.ParseCarrier(carrier)
		if !ok {
			return nil, input.Wrap(input.PlanFileAt, input.Refuse(input.PlanCarrier, line, carrier), name)
		}
		if pid == "" || len(pid) > 32 || strings.Trim(pid, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, input.Wrap(input.PlanFileAt, input.Refuse(input.PlanPid, line, pid), name)
		}
		if was, dup := p.Pids[c]; dup {
			return nil, input.Wrap(input.PlanFileAt, input.Refuse(input.PlanTwice, line, c.English(), was.Pid, pid), name)
		}
		p.Pids[c] = juhe.Product{Pid: pid, Carrier: c}
	}
	if len(p.Pids) == 0 {
		return nil, input.Refuse(input.PlanNoCarrier, name)
	}
	var parts []string
	for _, c := range Carriers {
		if x, ok := p.Pids[c]; ok {
			parts = append(parts, string(c)+"="+x.Pid)
		}
	}
	p.Label = strings.Join(parts, ",")
	return p, nil
}

// planRecords is the gocsv.CSVReader of a plan file's records, as
// input.ReadCSV read them, each with its row as a spreadsheet shows it.
// It rewrites the header row to the planRow tags ("carrier", "pid";
// every other column to "", which no tag matches), refusing a header
// without both or with two of one.
type planRecords struct {
	recs [][]string
	rows []int // the row of each record, the header's first
	next int   // the record Read gives next
}

func (p *planRecords) Read() ([]string, error) {
	if p.next == len(p.recs) {
		return nil, io.EOF
	}
	rec, row := p.recs[p.next], p.rows[p.next]
	p.next++
	if p.next > 1 {
		return rec, nil
	}
	head := make([]string, len(rec))
	carrierCol, pidCol := -1, -1
	for c, h := range rec {
		col, tag := &pidCol, "pid"
		switch {
		case isCarrierHeader(h):
			col, tag = &carrierCol, "carrier"
		case !isPidHeader(h):
			continue
		}
		if *col >= 0 {
			return nil, input.Refuse(input.PlanColumnsTwice, row, rec[*col], h)
		}
		*col, head[c] = c, tag
	}
	if carrierCol < 0 || pidCol < 0 {
		return nil, input.Refuse(input.PlanColumnsNamed, row, rec)
	}
	return head, nil
}

func (p *planRecords) ReadAll() ([][]string, error) {
	var all [][]string
	for {
		rec, err := p.Read()
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, rec)
	}
}

func isCarrierHeader(h string) bool {
	h = strings.ToLower(strings.TrimSpace(h))
	return h == "carrier" || h == "运营商" || h == "operator"
}

func isPidHeader(h string) bool {
	h = strings.TrimSpace(h)
	for _, x := range input.PidHeaders {
		if strings.EqualFold(h, x) {
			return true
		}
	}
	return false
}

var nameVolumeRE = regexp.MustCompile(`(?i)([0-9]+(?:\.[0-9]+)?)\s*(GB|G|MB|M)`)

// ProductVolumeMB is the flow a product gives, in MB: the catalogue's v
// when it states one, else the first volume its name states ("全国移动1G
// 流量月包" is 1024, "500M" 500, "1.5G" 1536); 0 when neither does.
func ProductVolumeMB(p juhe.Product) int {
	if p.VolumeMB > 0 {
		return p.VolumeMB
	}
	m := nameVolumeRE.FindStringSubmatch(p.Name)
	if m == nil {
		return 0
	}
	whole, frac, _ := strings.Cut(m[1], ".")
	n, err := strconv.Atoi(whole)
	if err != nil || n > 1<<20 {
		return 0
	}
	if strings.HasPrefix(strings.ToUpper(m[2]), "G") {
		mb := n * 1024
		if frac != "" {
			// 1.5G: the fraction of a GB in MB, exactly or not at all.
			f, _ := strconv.Atoi(frac)
			den := 1
			for range frac {
				den *= 10
			}
			if f*1024%den != 0 {
				return 0
			}
			mb += f * 1024 / den
		}
		return mb
	}
	if frac != "" {
		return 0
	}
	return n
}

// AmbiguousPlanError is a plan label that more than one product of a
// carrier matches: never chosen between.
type AmbiguousPlanError struct {
	Plan       string
	Carrier    juhe.Carrier
	Candidates []juhe.Product
}

func (e *AmbiguousPlanError) Error() string { return e.In("en") }

// In is the refusal in lang ("zh" or "en"), from the reasons table.
func (e *AmbiguousPlanError) In(lang string) string {
	return input.Reason{Kind: input.PlanAmbiguous, Args: []any{e.Plan, len(e.Candidates), e.Carrier.English(), candidates(e.Candidates)}}.In(lang)
}

// candidates are the products a label matches, "pid name" each.
type candidates []juhe.Product

func (c candidates) In(lang string) string {
	parts := make([]string, len(c))
	for i, p := range c {
		parts[i] = p.Pid + " " + p.Name
	}
	if lang == "zh" {
		return strings.Join(parts, "；")
	}
	return strings.Join(parts, "; ")
}

// Resolve finds a label's product for each carrier in need among
// products (the catalogue): the one product of that carrier whose volume
// (ProductVolumeMB) is the plan's. More than one is refused, naming
// them; a carrier with none is left out, and its rows are invalid. A
// file's plan is checked against products when there are any: a pid it
// lists must be there, and be its carrier's.
func (p *Plan) Resolve(products []juhe.Product, need map[juhe.Carrier]bool) error {
	if p.File != "" {
		if len(products) == 0 {
			return nil
		}
		byPid := map[string]juhe.Product{}
		for _, x := range products {
			byPid[x.Pid] = x
		}
		for _, c := range Carriers {
			x, ok := p.Pids[c]
			if !ok {
				continue
			}
			got, ok := byPid[x.Pid]
			switch {
			case !ok:
				return input.Refuse(input.PlanNotInCatalogue, p.Flag(), x.Pid, c.English())
			case got.Carrier != juhe.CarrierUnknown && got.Carrier != c:
				return input.Refuse(input.PlanOtherCarrier, p.Flag(), x.Pid, got.Carrier.English(), got.Name, c.English())
			}
			p.Pids[c] = got
		}
		return nil
	}
	p.Pids = map[juhe.Carrier]juhe.Product{}
	for _, c := range Carriers {
		var match []juhe.Product
		seen := map[string]bool{}
		for _, x := range products {
			if x.Carrier == c && ProductVolumeMB(x) == p.VolumeMB && !seen[x.Pid] {
				seen[x.Pid] = true
				match = append(match, x)
			}
		}
		switch {
		case len(match) == 1:
			p.Pids[c] = match[0]
		case len(match) > 1 && need[c]:
			sort.Slice(match, func(i, j int) bool { return match[i].Pid < match[j].Pid })
			return &AmbiguousPlanError{Plan: p.Label, Carrier: c, Candidates: match}
		}
	}
	return nil
}

// Choice is how a number's carrier was decided.
type Choice struct {
	Carrier juhe.Carrier
	How     string // journal.ChosenTelcheck or journal.ChosenPrefix
}

// Telchecker asks flow/telcheck; *juhe.Client is one.
type Telchecker interface {
	Telcheck(ctx context.Context, phone string) (juhe.NumberProducts, juhe.Reply)
}

// ChooseOptions say how hard Choose may ask.
type ChooseOptions struct {
	Rate    float64       // telcheck requests per second over all workers
	Workers int           // in flight at most; 0 means 4
	Tries   int           // per number, for an unknown or throttled answer; 0 means 3
	Backoff time.Duration // before the second try, doubling; 0 means 1s
}

// Carriers is what Choose found: each number's carrier and how it was
// decided, the products telcheck listed, and notes for the user.
type CarrierChoices struct {
	ByPhone  map[string]Choice
	Products []juhe.Product // every product telcheck listed, once
	Notes    []input.Reason // why some numbers fell back to their prefix
}

// Count is how many numbers were decided each way.
func (c *CarrierChoices) Count() (telcheck, prefix int) {
	for _, ch := range c.ByPhone {
		if ch.How == journal.ChosenTelcheck {
			telcheck++
		} else {
			prefix++
		}
	}
	return telcheck, prefix
}

// Choose decides the carrier of each phone: the one flow/telcheck gives
// (a ported number's new carrier), else the number's prefix's. Every
// request waits its turn under one rate limit (telcheck spends no money,
// but must not be hammered); an unknown or throttled answer is asked
// again, Tries times in all, then the number falls back to its prefix.
// An endpoint the key may not use, or that refuses the key, is asked no
// more. tc nil asks nothing: every number by its prefix.
func Choose(ctx context.Context, tc Telchecker, phones []string, opt ChooseOptions) (*CarrierChoices, error) {
	out := &CarrierChoices{ByPhone: make(map[string]Choice, len(phones))}
	var todo []string
	for _, ph := range phones {
		if _, ok := out.ByPhone[ph]; !ok {
			out.ByPhone[ph] = Choice{Carrier: juhe.CarrierOf(ph), How: journal.ChosenPrefix}
			todo = append(todo, ph)
		}
	}
	if tc == nil || len(todo) == 0 {
		return out, nil
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Tries <= 0 {
		opt.Tries = 3
	}
	if opt.Backoff <= 0 {
		opt.Backoff = time.Second
	}
	if !(opt.Rate > 0) {
		opt.Rate = 10
	}
	lim := newLimiter(opt.Rate, nil)
	var (
		mu       sync.Mutex
		next     int
		off      string // why telcheck is asked no more
		unknown  int    // no answer after every try
		rejected int    // the provider knows no product for the number
		products = map[string]bool{}
	)
	work := func() error {
		for {
			mu.Lock()
			if next == len(todo) || off != "" {
				mu.Unlock()
				return nil
			}
			ph := todo[next]
			next++
			mu.Unlock()
			np, last, err := telcheckOne(ctx, tc, lim, ph, opt)
			if err != nil {
				return err
			}
			mu.Lock()
			switch {
			case last.Status == juhe.ReplyOK && np.Carrier != juhe.CarrierUnknown:
				out.ByPhone[ph] = Choice{Carrier: np.Carrier, How: journal.ChosenTelcheck}
				for _, p := range np.Products {
					if !products[p.Pid] {
						products[p.Pid] = true
						out.Products = append(out.Products, p)
					}
				}
			case last.Status == juhe.ReplyNotAvailable || last.Status == juhe.ReplyRefused:
				if off == "" {
					off = last.String()
				}
			case last.Status == juhe.ReplyRejected:
				rejected++
			default:
				unknown++
			}
			mu.Unlock()
		}
	}
	errs := make(chan error, opt.Workers)
	for range opt.Workers {
		go func() { errs <- work() }()
	}
	var first error
	for range opt.Workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	if off != "" {
		out.Notes = append(out.Notes, input.Reason{Kind: input.TelcheckOff, Args: []any{off}})
	}
	if rejected > 0 {
		out.Notes = append(out.Notes, input.Reason{Kind: input.TelcheckNoProduct, Args: []any{rejected}})
	}
	if unknown > 0 {
		out.Notes = append(out.Notes, input.Reason{Kind: input.TelcheckNoCarrier, Args: []any{unknown, opt.Tries}})
	}
	sort.Slice(out.Products, func(i, j int) bool { return out.Products[i].Pid < out.Products[j].Pid })
	return out, nil
}

// telcheckOne asks telcheck about one phone, again after an unknown or
// throttled answer, with backoff; the error is only ctx's.
func telcheckOne(ctx context.Context, tc Telchecker, lim *limiter, phone string, opt ChooseOptions) (juhe.NumberProducts, juhe.Reply, error) {
	var np juhe.NumberProducts
	var r juhe.Reply
	wait := opt.Backoff
	for try := 1; try <= opt.Tries; try++ {
		if err := lim.Wait(ctx); err != nil {
			return np, r, err
		}
		np, r = tc.Telcheck(ctx, phone)
		switch r.Status {
		case juhe.ReplyUnknown:
		case juhe.ReplyThrottled:
			lim.Throttled()
		default:
			return np, r, nil
		}
		if try == opt.Tries {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return np, r, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
	return np, r, ctx.Err()
}

// Chooser gives each row of a plan its pid: from the journal when the
// journal already knows the row's orderid (a resume never chooses
// again), else its carrier's product.
type Chooser struct {
	Plan     *Plan
	Carriers *CarrierChoices
	// Known is the pid the journal already has for an orderid.
	Known func(orderID string) (pid string, ok bool)
}

// ErrNoPlanProduct starts the reason of a row whose carrier the plan has
// no product for.
var ErrNoPlanProduct = errors.New("no product of the plan")

// Apply gives r (a row read with Options.Plan) its pid and says how it
// was chosen; a row whose carrier has no product in the plan becomes
// invalid, saying why. Other rows are left alone.
func (ch *Chooser) Apply(r *journal.RowRecord) {
	if r.OrderID == "" || r.Pid != "" {
		return
	}
	if ch.Known != nil {
		if pid, ok := ch.Known(r.OrderID); ok {
			r.Pid, r.Chosen = pid, journal.ChosenJournal
			return
		}
	}
	c, ok := ch.Carriers.ByPhone[r.Phone]
	if !ok {
		c = Choice{Carrier: juhe.CarrierOf(r.Phone), How: journal.ChosenPrefix}
	}
	if p, ok := ch.Plan.Pids[c.Carrier]; ok {
		r.Pid, r.Chosen = p.Pid, c.How
		return
	}
	why := input.NoPlanProductPrefix
	if c.How == journal.ChosenTelcheck {
		why = input.NoPlanProductTelcheck
	}
	r.Status, r.OrderID, r.Occurrence, r.DupOf = journal.RowInvalid, "", 0, 0
	r.Reason = input.Reason{Kind: why, Args: []any{ch.Plan.Flag(), c.Carrier.English()}}.String()
}
