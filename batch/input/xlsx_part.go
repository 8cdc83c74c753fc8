package input

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"strings"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// workbookZip is an opened .xlsx archive. Every part is read through
// partReader, which counts what it inflates and checks the CRC-32 at its
// end; and every XML part through xmlReader, which refuses what a
// workbook never holds and reads to the document's end.
type workbookZip struct {
	f      *os.File
	files  map[string]*zip.File // by lower-cased name: part names ignore case
	tokens int                  // XML tokens read from all parts (MaxXMLTokens)
}

func openWorkbookZip(path string) (*workbookZip, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := checkZipDirectory(f, fi.Size()); err != nil {
		f.Close()
		return nil, err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, refuse(NotZipBecause, err.Error())
	}
	w := &workbookZip{f: f, files: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		// An encrypted entry is one no viewer shows without its password;
		// its bytes are not what anyone saw.
		if zf.Flags&0x1 != 0 {
			f.Close()
			return nil, refuse(Encrypted, journal.Clip(zf.Name))
		}
		k := strings.ToLower(zf.Name)
		if _, dup := w.files[k]; dup {
			f.Close()
			return nil, refuse(Damaged, fmt.Sprintf("it holds %q twice", journal.Clip(zf.Name)))
		}
		w.files[k] = zf
	}
	return w, nil
}

func (w *workbookZip) Close() error { return w.f.Close() }

// has reports whether the archive holds the part.
func (w *workbookZip) has(name string) bool { return w.files[strings.ToLower(name)] != nil }

// open starts reading a part, refusing it when it says it unpacks to more
// than limit bytes; partReader holds it to limit whatever it says.
func (w *workbookZip) open(name string, limit int64) (*partReader, error) {
	zf := w.files[strings.ToLower(name)]
	if zf == nil {
		return nil, refuse(Damaged, fmt.Sprintf("no part %s", journal.Clip(name)))
	}
	if zf.UncompressedSize64 > uint64(limit) {
		return nil, limitErr(LimitTechnical, fmt.Sprintf("%s unpacks to %s bytes; at most %s", name, thousands64(zf.UncompressedSize64), journal.Thousands(int(limit))))
	}
	// The entry is inflated here rather than by zf.Open, so that every
	// byte of it is accounted for: its CRC, its size and the end of its
	// compressed stream, where archive/zip leaves trailing bytes unread.
	raw, err := zf.OpenRaw()
	if err != nil {
		return nil, wrap(Damaged, err, name)
	}
	p := &partReader{name: name, zf: zf, raw: &countReader{r: raw}, crc: crc32.NewIEEE(), limit: limit}
	switch zf.Method {
	case zip.Store:
		p.rc = p.raw
	case zip.Deflate:
		p.br = bufio.NewReader(p.raw)
		p.rc = flate.NewReader(p.br)
	default:
		return nil, refuse(Compression, name, int(zf.Method))
	}
	return p, nil
}

func thousands64(n uint64) string {
	if n > 1<<62 {
		return fmt.Sprint(n)
	}
	return journal.Thousands(int64(n))
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// partReader reads one zip entry. It counts the bytes it inflates (the
// sizes in the archive may lie) and, at the end, checks the CRC-32 itself
// (archive/zip skips it when the archive says the CRC is zero), the size,
// and that the compressed stream ended where the entry does.
type partReader struct {
	name  string
	zf    *zip.File
	raw   *countReader  // the compressed bytes
	br    *bufio.Reader // between raw and inflate, when deflated
	rc    io.Reader
	crc   hash.Hash32
	n     int64
	limit int64
	err   error
}

func (p *partReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.rc.Read(b)
	p.n += int64(n)
	switch {
	case p.n > p.limit:
		p.err = limitErr(LimitTechnical, fmt.Sprintf("%s unpacks to more than %s bytes", p.name, journal.Thousands(int(p.limit))))
		return 0, p.err
	case uint64(p.n) > p.zf.UncompressedSize64:
		p.err = refuse(Damaged, fmt.Sprintf("%s unpacks to more than the %s bytes the archive says", p.name, thousands64(p.zf.UncompressedSize64)))
		return 0, p.err
	}
	p.crc.Write(b[:n])
	if err == io.EOF {
		err = p.end()
	} else if err != nil {
		err = wrap(Damaged, err, p.name)
	}
	p.err = err
	return n, err
}

// end checks a part read to its end; io.EOF when it is whole.
func (p *partReader) end() error {
	used := p.raw.n
	if p.br != nil {
		used -= int64(p.br.Buffered())
	}
	switch {
	case p.crc.Sum32() != p.zf.CRC32:
		return wrap(Damaged, zip.ErrChecksum, p.name)
	case uint64(p.n) != p.zf.UncompressedSize64:
		return refuse(Damaged, fmt.Sprintf("%s: %s bytes, not the %s the archive says", p.name, journal.Thousands(int(p.n)), thousands64(p.zf.UncompressedSize64)))
	case uint64(used) != p.zf.CompressedSize64:
		return refuse(Damaged, fmt.Sprintf("%s: its compressed data ends before the entry does", p.name))
	}
	return io.EOF
}

func (p *partReader) Close() error {
	if c, ok := p.rc.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// drain reads the rest of the part, so that its CRC-32 is checked.
func (p *partReader) drain(buffered *bufio.Reader) error {
	var r io.Reader = p
	if buffered != nil {
		r = buffered
	}
	_, err := io.Copy(io.Discard, r)
	return err
}

// xmlSource is the byte stream under an xml.Decoder. It refuses to feed
// one token more than maxXMLToken bytes: encoding/xml would otherwise
// hold a text or a tag of any length in memory.
type xmlSource struct {
	br   *bufio.Reader
	n    int64 // bytes fed to the decoder
	mark int64 // n when the current token began
}

func (s *xmlSource) ReadByte() (byte, error) {
	if s.n-s.mark > maxXMLToken {
		return 0, limitErr(LimitTechnical, fmt.Sprintf("an XML element or text longer than %s bytes", journal.Thousands(maxXMLToken)))
	}
	c, err := s.br.ReadByte()
	if err == nil {
		s.n++
	}
	return c, err
}

func (s *xmlSource) Read(p []byte) (int, error) { // the decoder uses ReadByte
	n, err := s.br.Read(p)
	s.n += int64(n)
	return n, err
}

// xmlReader yields the tokens of one XML part, to the end of the
// document. It refuses a DOCTYPE or any other <!…> declaration (and so
// any entity but XML's five, which strict encoding/xml refuses itself), a
// document with no element or with anything after its root element, and
// a document that stops before its root element is closed.
type xmlReader struct {
	part  string
	pr    *partReader // when reading a part: its own error comes first
	src   *xmlSource
	d     *xml.Decoder
	depth int
	// spent counts the tokens read, from all the parts of one workbook
	// together, at most maxTokens: a megabyte of "<x/>" compressed is a
	// billion bytes of tiny elements, which encoding/xml parses at a few
	// million a second.
	spent     *int
	maxTokens int
	root      bool // the root element has started
	done      bool // the root element has ended

	// raw reads with RawToken, which skips namespace translation (a
	// fifth of the time of a big part); the nesting Token would check
	// is checked here, on the names as written.
	raw   bool
	stack []xml.Name
}

func newXMLReader(part string, r io.Reader) *xmlReader {
	src := &xmlSource{br: bufio.NewReaderSize(r, 64<<10)}
	// Some writers (.NET's among them) start a part with a UTF-8 byte
	// order mark, which encoding/xml would take for text.
	if b, _ := src.br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		src.br.Discard(3)
	}
	d := xml.NewDecoder(src)
	d.Strict = true
	pr, _ := r.(*partReader)
	return &xmlReader{part: part, pr: pr, src: src, d: d, spent: new(int), maxTokens: MaxXMLTokens}
}

// next returns the next token; io.EOF only at the end of a complete document.
func (x *xmlReader) next() (xml.Token, error) {
	x.src.mark = x.src.n
	if *x.spent++; *x.spent > x.maxTokens {
		return nil, wrap(AtPart, limitErr(LimitTechnical, fmt.Sprintf("more than %s XML elements and texts", journal.Thousands(x.maxTokens))), x.part)
	}
	var t xml.Token
	var err error
	if x.raw {
		t, err = x.d.RawToken()
	} else {
		t, err = x.d.Token()
	}
	if err == io.EOF {
		if !x.root {
			return nil, refuse(Damaged, fmt.Sprintf("%s holds no XML document", x.part))
		}
		if x.depth != 0 {
			return nil, refuse(Damaged, fmt.Sprintf("%s: broken XML: it ends inside an element", x.part))
		}
		return nil, io.EOF
	}
	if err != nil {
		if x.pr != nil && x.pr.err != nil && x.pr.err != io.EOF {
			return nil, x.pr.err // the part itself is damaged or too large
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, refuse(Damaged, fmt.Sprintf("%s: broken XML at line %d: %s", x.part, se.Line, se.Msg))
		}
		if errors.Is(err, errLimit) {
			return nil, wrap(AtPart, err, x.part)
		}
		return nil, wrap(Damaged, err, x.part)
	}
	switch tt := t.(type) {
	case xml.Directive:
		return nil, refuse(Doctype, x.part, journal.Clip(string(tt)))
	case xml.StartElement:
		if x.done {
			return nil, refuse(Damaged, fmt.Sprintf("%s has content after its end", x.part))
		}
		// encoding/xml keeps every open element on a stack: a few
		// hundred kilobytes of "<a>" compressed would take gigabytes.
		if x.depth >= maxXMLDepth {
			return nil, wrap(AtPart, limitErr(LimitTechnical, fmt.Sprintf("XML nested more than %d elements deep", maxXMLDepth)), x.part)
		}
		x.depth++
		x.root = true
		if x.raw {
			x.stack = append(x.stack, tt.Name)
		}
	case xml.EndElement:
		if x.raw {
			if n := len(x.stack); n == 0 || x.stack[n-1] != tt.Name {
				return nil, refuse(Damaged, fmt.Sprintf("%s: broken XML: </%s> does not close the element open", x.part, journal.Clip(tt.Name.Local)))
			}
			x.stack = x.stack[:len(x.stack)-1]
		}
		x.depth--
		if x.depth == 0 {
			x.done = true
		}
	case xml.CharData:
		if x.depth == 0 && len(bytes.TrimSpace(tt)) > 0 {
			return nil, refuse(Damaged, fmt.Sprintf("%s has text outside its document", x.part))
		}
	}
	return t, nil
}

// readXMLPart reads a whole (small) XML part, handing each token to fn.
func (w *workbookZip) readXMLPart(name string, limit int64, fn func(xml.Token, int) error) error {
	p, err := w.open(name, limit)
	if err != nil {
		return err
	}
	defer p.Close()
	x := newXMLReader(name, p)
	x.spent = &w.tokens
	for {
		t, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(t, x.depth); err != nil {
			return err
		}
	}
}

// checkZipDirectory bounds the central directory (its entries and its
// bytes) before archive/zip reads all of it into memory. It finds the end
// record as archive/zip does: the last signature with room for a record.
func checkZipDirectory(f *os.File, size int64) error {
	const eocdLen, maxEntries = 22, 10_000
	if size < eocdLen {
		return refuse(NotZip)
	}
	tail := min(size, 65535+eocdLen)
	b := make([]byte, tail)
	if _, err := f.ReadAt(b, size-tail); err != nil {
		return wrap(NotReadable, err)
	}
	i := bytes.LastIndex(b[:len(b)-eocdLen+4], []byte("PK\x05\x06"))
	if i < 0 {
		return refuse(NotZip)
	}
	le := func(b []byte) (n uint64) {
		for k := len(b) - 1; k >= 0; k-- {
			n = n<<8 | uint64(b[k])
		}
		return n
	}
	entries, dirSize := le(b[i+10:i+12]), le(b[i+12:i+16])
	// An archive with bytes before it (a stub, another archive) is read by
	// archive/zip from its end, but LibreOffice cannot load it at all, and
	// a reader from the front would see the bytes before: the file would
	// be read as no viewer shows it. Excel's files start with their first
	// entry, and their directory ends where the end record starts.
	head := make([]byte, 4)
	if _, err := f.ReadAt(head, 0); err != nil || string(head) != "PK\x03\x04" {
		return refuse(DamagedZipStart)
	}
	eocd := size - tail + int64(i)
	zip64 := (entries == 0xFFFF || dirSize == 0xFFFFFFFF) && i >= 20 && string(b[i-20:i-16]) == "PK\x06\x07"
	if dirOffset := le(b[i+16 : i+20]); !zip64 && dirOffset+dirSize != uint64(eocd) {
		return refuse(DamagedZipDir)
	}
	if zip64 {
		// Zip64: the figures are in the zip64 end record the locator points at.
		off := le(b[i-20+8 : i-20+16])
		rec := make([]byte, 48)
		if off > uint64(size-48) {
			return refuse(Damaged, "bad zip64 directory")
		}
		if _, err := f.ReadAt(rec, int64(off)); err != nil || string(rec[:4]) != "PK\x06\x06" {
			return refuse(Damaged, "bad zip64 directory")
		}
		entries, dirSize = le(rec[32:40]), le(rec[40:48])
	}
	switch {
	case entries > maxEntries:
		return limitErr(LimitTechnical, fmt.Sprintf("the workbook archive has %s entries; at most %s", thousands64(entries), journal.Thousands(maxEntries)))
	case dirSize > MaxPartBytes:
		return limitErr(LimitTechnical, fmt.Sprintf("the workbook archive's directory is %s bytes; at most %s", thousands64(dirSize), journal.Thousands(MaxPartBytes)))
	}
	return nil
}
