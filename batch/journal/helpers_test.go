package journal

import "context"

// checkAll is a visitor that decodes every record completely.
func checkAll(r *Raw) error {
	_, err := r.Record()
	return err
}

// viewAll is a visitor that reads every record through its view, as the
// book's replay does.
func viewAll(r *Raw) error {
	var err error
	switch r.Type {
	case RecRow:
		_, err = r.Row()
	case RecIntent:
		_, err = r.Intent()
	case RecSubmit:
		_, err = r.Submit()
	case RecQuery:
		_, err = r.Query()
	case RecCallback:
		_, err = r.Callback()
	case RecHeader:
		_, err = r.Header()
	case RecInput:
		_, err = r.Input()
	case RecPlanned:
		_, err = r.Planned()
	case RecSpendCap:
		_, err = r.SpendCap()
	}
	return err
}

// openJournal opens as a resume does, reading every record completely.
func openJournal(ctx context.Context, path string, warn func(string)) (*Journal, Pos, error) {
	return Open(ctx, path, warn, checkAll)
}

// load reads a journal as LoadBook does: through the views, a journal
// without a header is damage.
func load(ctx context.Context, path string) (Pos, error) {
	end, err := Scan(ctx, path, viewAll)
	if err == nil && end.Seq <= 1 {
		return end, &DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record"}
	}
	return end, err
}

// runRecords reads the records of s to the end, decoded completely.
func runRecords(ctx context.Context, s *scanner, fn func(*Record) error) (*tail, error) {
	return s.loop(ctx, visitor(func(raw *Raw) error {
		r, err := raw.Record()
		if err != nil {
			return err
		}
		return fn(r)
	}))
}
