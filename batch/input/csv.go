package input

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/flowbatch/flowbatch/batch/journal"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// gb18030FFFD is how GB18030 itself encodes U+FFFD; any other U+FFFD in a
// decoded file came from bytes that are not GB18030.
var gb18030FFFD = []byte{0x84, 0x31, 0xA4, 0x37}

// csvBytes is what one pass over a CSV file's bytes found.
type csvBytes struct {
	sha256   string
	bom      bool
	utf8     bool // valid UTF-8 (after the BOM)
	nonASCII bool
	wide     bool // has runes of three or more UTF-8 bytes (CJK is)
	// gb is gb18030Clean's answer, found in the same pass when the
	// first bytes read were already not UTF-8 (a GBK file's header):
	// then the decision needs it, and a second pass is saved.
	gb, gbKnown bool
}

// scanCSVBytes hashes the file and checks the whole of it for UTF-8, so the
// encoding is decided on every byte, not a prefix.
// With detectGB, bytes not UTF-8 from the first ones read are checked
// for GBK in the same pass.
func scanCSVBytes(path string, open opener, detectGB bool) (csvBytes, error) {
	var res csvBytes
	f, err := open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	h := sha256.New()
	res.utf8 = true
	buf := make([]byte, 256<<10)
	var carry []byte
	var gb *gbCheck
	first := true
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if first && len(chunk) >= 3 && bytes.Equal(chunk[:3], utf8BOM) {
				res.bom = true
				chunk = chunk[3:]
			}
			if gb != nil {
				gb.Write(chunk)
			}
			for _, c := range chunk {
				if c >= 0x80 {
					res.nonASCII = true
					if c >= 0xE0 {
						res.wide = true
					}
				}
			}
			if res.utf8 {
				b := append(carry, chunk...)
				cut := len(b)
				for j := len(b) - 1; j >= 0 && j >= len(b)-3; j-- {
					if utf8.RuneStart(b[j]) {
						if !utf8.FullRune(b[j:]) {
							cut = j
						}
						break
					}
				}
				res.utf8 = utf8.Valid(b[:cut])
				carry = append([]byte(nil), b[cut:]...)
			}
			if first && detectGB && !res.utf8 && !res.bom {
				// Not UTF-8 from its first bytes: GBK is the only
				// candidate left, so check it in this pass.
				gb = newGBCheck()
				gb.Write(chunk)
			}
			first = false
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
	}
	if res.utf8 && len(carry) > 0 {
		res.utf8 = utf8.Valid(carry)
	}
	if gb != nil {
		res.gb, res.gbKnown = gb.clean(), true
	}
	res.sha256 = hex.EncodeToString(h.Sum(nil))
	return res, nil
}

// gb18030Clean reports whether the whole file decodes as GB18030 without
// a replacement character standing for an invalid sequence.
func gb18030Clean(path string, open opener) (bool, error) {
	f, err := open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	// Count the legitimate encodings of U+FFFD while decoding.
	cr := &countingReader{r: bufio.NewReaderSize(f, 256<<10)}
	dec := transform.NewReader(cr, simplifiedchinese.GB18030.NewDecoder())
	br := bufio.NewReaderSize(dec, 256<<10)
	replaced := 0
	for {
		r, _, err := br.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
		if r == utf8.RuneError {
			replaced++
		}
	}
	return replaced == cr.fffd, nil
}

// gbCheck is gb18030Clean over bytes written to it, chunk by chunk.
type gbCheck struct {
	raw      countingReader // counts GB18030's own U+FFFD in the bytes
	dec      io.WriteCloser
	replaced runeErrorCounter
}

func newGBCheck() *gbCheck {
	g := &gbCheck{}
	g.dec = transform.NewWriter(&g.replaced, simplifiedchinese.GB18030.NewDecoder())
	return g
}

func (g *gbCheck) Write(p []byte) {
	g.raw.count(p)
	g.dec.Write(p) // writes to a counter: never fails
}

// clean ends the bytes and says whether they decode cleanly.
func (g *gbCheck) clean() bool {
	g.dec.Close()
	return g.replaced.n == g.raw.fffd
}

// runeErrorCounter counts U+FFFD in the (valid) UTF-8 written to it.
type runeErrorCounter struct {
	tail []byte
	n    int
}

func (c *runeErrorCounter) Write(p []byte) (int, error) {
	b := append(c.tail, p...)
	c.n += bytes.Count(b, utf8RuneError)
	k := min(len(b), len(utf8RuneError)-1)
	c.tail = append(c.tail[:0:0], b[len(b)-k:]...)
	return len(p), nil
}

var utf8RuneError = []byte(string(utf8.RuneError))

// countingReader counts GB18030's own encoding of U+FFFD in what it reads.
type countingReader struct {
	r    io.Reader
	tail []byte
	fffd int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.count(p[:n])
	return n, err
}

func (c *countingReader) count(p []byte) {
	if len(p) > 0 {
		b := append(c.tail, p...)
		c.fffd += bytes.Count(b, gb18030FFFD)
		k := min(len(b), len(gb18030FFFD)-1)
		// Three bytes cannot hold a whole match, so none is counted twice.
		c.tail = append(c.tail[:0:0], b[len(b)-k:]...)
	}
}

// csvEncoding decides how to decode a CSV file: forced names one of the
// encodings (or is empty to detect from the bytes).
func csvEncoding(path, forced string, scan csvBytes, open opener) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(forced, "_", "-")) {
	case "":
	case "utf-8", "utf8":
		if scan.bom {
			return "utf-8-bom", nil
		}
		return "utf-8", nil
	case "gbk", "gb18030", "gb2312", "cp936":
		return "gb18030", nil
	default:
		return "", refuse(EncodingUnknown, forced)
	}
	if scan.bom {
		if !scan.utf8 {
			return "", refuse(EncodingBOM)
		}
		return "utf-8-bom", nil
	}
	if scan.utf8 && (!scan.nonASCII || scan.wide) {
		return "utf-8", nil
	}
	gb := scan.gb
	if !scan.gbKnown {
		var err error
		if gb, err = gb18030Clean(path, open); err != nil {
			return "", err
		}
	}
	switch {
	case scan.utf8 && gb:
		// Only one- and two-byte UTF-8 runes: no Chinese in UTF-8, but the
		// same bytes are clean GBK. Either reading could be the wrong one.
		return "", refuse(EncodingBoth)
	case scan.utf8:
		return "utf-8", nil
	case gb:
		return "gb18030", nil
	}
	return "", refuse(EncodingNeither)
}

// openCSV reads the CSV file at path; known, when not nil, is what a
// first reading of it found (Options.Known).
func openCSV(path, forced string, known *journal.InputInfo, info *journal.InputInfo, open opener) (rowSource, error) {
	scan, err := scanCSVBytes(path, open, forced == "" && known == nil)
	if err != nil {
		return nil, err
	}
	info.SHA256 = scan.sha256
	var enc string
	if known != nil && known.SHA256 == scan.sha256 && known.Encoding != "" {
		// The same bytes: the same decision, not made again.
		enc = known.Encoding
	} else if enc, err = csvEncoding(path, forced, scan, open); err != nil {
		return nil, err
	}
	info.Encoding = enc
	checkUTF8 := enc != "gb18030" && !scan.utf8 // forced utf-8 on bytes that are not
	checkGB := enc == "gb18030" && forced != "" // forced: nothing verified the bytes
	return func(ctx context.Context, each func(*rawRow) error) error {
		f, err := open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = bufio.NewReaderSize(f, 256<<10)
		if scan.bom {
			if _, err := io.ReadFull(r, make([]byte, 3)); err != nil {
				return err
			}
		}
		if enc == "gb18030" {
			r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
		}
		br := bufio.NewReaderSize(r, 64<<10)
		lim := &recordLimit{r: br}
		cr := csv.NewReader(lim)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		// Excel's "Unicode text" is tab-separated.
		if head, _ := br.Peek(br.Size()); len(head) > 0 {
			if i := bytes.IndexByte(head, '\n'); i >= 0 {
				head = head[:i]
			}
			if bytes.IndexByte(head, '\t') >= 0 && bytes.IndexByte(head, ',') < 0 {
				cr.Comma = '\t'
			}
		}
		// Rows are counted as a spreadsheet shows the file: one per record,
		// however many lines its quoted cells span, and one per blank line
		// (which csv.Reader skips). end is the file line the last record
		// ended on.
		var row rawRow
		rows, end := 0, 0
		for n := 0; ; n++ {
			if n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, err := cr.Read()
			lim.base = cr.InputOffset()
			if err == io.EOF {
				return nil
			}
			if errors.Is(err, errLimit) {
				return wrap(AtRow, err, rows+1)
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				return wrap(CSVUnreadable, pe.Err, rows+pe.StartLine-end, pe.Line, pe.Column)
			}
			if err != nil && pe == nil {
				return err
			}
			start, _ := cr.FieldPos(0)
			last, _ := cr.FieldPos(len(rec) - 1)
			rows += start - end
			end = last + strings.Count(rec[len(rec)-1], "\n")
			for _, c := range rec {
				// csv.Reader ends lines only at LF (a CR before it dropped);
				// Excel and LibreOffice end a row at a lone CR too, so the
				// rows after one would be read as cells of this one, and
				// never charged.
				if strings.IndexByte(c, '\r') >= 0 {
					return refuse(CSVLoneCR, rows)
				}
				if checkUTF8 && !utf8.ValidString(c) {
					return refuse(CSVNotUTF8, rows)
				}
				if checkGB && strings.ContainsRune(c, utf8.RuneError) {
					return refuse(CSVNotGBK, rows, forced)
				}
			}
			row.Line, row.Cells, row.Err = rows, rec, nil
			if pe != nil {
				row.Err = pe.Err
			}
			if err := each(&row); err != nil {
				return err
			}
		}
	}, nil
}

// recordLimit feeds csv.Reader, which holds a whole record in memory, and
// stops once one record (with the blank lines before it) passes twice
// MaxRowBytes: room for every cell to be quoted, with its quotes doubled.
// base is csv.Reader.InputOffset after the last record.
type recordLimit struct {
	r    io.Reader
	n    int64
	base int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n-l.base > 2*MaxRowBytes+64<<10 {
		return 0, limitErr(LimitCSVRow, journal.Thousands(2*MaxRowBytes))
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// ReadCSV reads the CSV file at path as Read reads one, the table aside:
// its encoding decided as for an input (encoding "" detects it from every
// byte; a BOM dropped), tab-separated as Excel's "Unicode text", and each
// record passed to each with the row a spreadsheet shows it on (a blank
// line counts, a quoted cell over two lines does not). The record is
// reused: each must copy what it keeps. The info returned has the file's
// sha256 and encoding. A record that cannot be read refuses the file.
func ReadCSV(ctx context.Context, path, encoding string, each func(row int, cells []string) error) (journal.InputInfo, error) {
	info := journal.InputInfo{Name: filepath.Base(path), Format: "csv"}
	src, err := openCSV(path, encoding, nil, &info, openFile)
	if err != nil {
		return info, err
	}
	err = src(ctx, func(r *rawRow) error {
		if r.Err != nil {
			return wrap(AtRow, &Error{Reason: reasonOf(r.Err)}, r.Line)
		}
		return each(r.Line, r.Cells)
	})
	return info, err
}
