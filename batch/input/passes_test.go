package input

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// passCounter is an opener that counts the passes through a file: the
// opens, and the bytes read.
type passCounter struct {
	opens int
	bytes int64
}

func (c *passCounter) open(path string) (io.ReadCloser, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	c.opens++
	return &countedFile{f, c}, nil
}

type countedFile struct {
	io.ReadCloser
	c *passCounter
}

func (f *countedFile) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	f.c.bytes += int64(n)
	return n, err
}

// gbkList writes a GBK list of n rows, larger than one read of the scan
// when n is, with a note of two-byte characters in every row.
func gbkList(t testing.TB, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("手机号,产品编码,备注\n")
	for i := range n {
		fmt.Fprintf(&b, "139%08d,105000,市场部张三\n", i)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gbk.csv")
	if err := os.WriteFile(path, []byte(gbk), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCSVPasses counts the passes through a GBK CSV's bytes. A reading
// once took three (the sha256 and UTF-8 scan, a whole decoding to tell
// GBK, the reading); the GBK check now rides on the scan when the first
// bytes are already not UTF-8, and a second reading of the same bytes
// (Options.Known, as the planning after a check has) does not decide the
// encoding again. The rows and the report are the same.
func TestCSVPasses(t *testing.T) {
	path := gbkList(t, 20000) // about 500 KB: two reads of the scan
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var first passCounter
	var rows []journal.RowRecord
	rep, err := readInput(ctx, path, Options{BatchID: "B1"}, func(r *journal.RowRecord) error {
		rows = append(rows, *r)
		return nil
	}, true, first.open)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Info.Encoding != "gb18030" || rep.Valid != 20000 {
		t.Fatalf("report %+v", rep.Info)
	}
	if first.opens != 2 || first.bytes != 2*fi.Size() {
		t.Errorf("a first reading: %d opens, %d bytes of %d; want 2 passes", first.opens, first.bytes, fi.Size())
	}
	var again passCounter
	n := 0
	rep2, err := readInput(ctx, path, Options{BatchID: "B1", Known: &rep.Info}, func(r *journal.RowRecord) error {
		if r.Line != rows[n].Line || r.OrderID != rows[n].OrderID || r.Extra[0] != rows[n].Extra[0] {
			t.Fatalf("row %+v, first read %+v", r, rows[n])
		}
		n++
		return nil
	}, false, again.open)
	if err != nil || n != len(rows) || !reflect.DeepEqual(rep2.Info, rep.Info) {
		t.Fatalf("second reading: %d rows, %+v, %v", n, rep2.Info, err)
	}
	if again.opens != 2 || again.bytes != 2*fi.Size() {
		t.Errorf("a second reading: %d opens, %d bytes of %d; want 2 passes", again.opens, again.bytes, fi.Size())
	}
	// Known of other bytes decides afresh.
	other := rep.Info
	other.SHA256, other.Encoding = strings.Repeat("0", 64), "utf-8"
	if rep3, err := readInput(ctx, path, Options{BatchID: "B1", Known: &other}, nil, false, openFile); err != nil || rep3.Info.Encoding != "gb18030" {
		t.Fatalf("Known of other bytes: %+v, %v", rep3, err)
	}
}

// The GBK check in the scan's pass answers as gb18030Clean does, on
// every split of the bytes into reads.
func TestGBCheckAsGB18030Clean(t *testing.T) {
	big := bytes.Repeat([]byte("\xd6\xd0"), 256<<10/2+1) // past one read, a character astride
	for _, b := range [][]byte{
		nil,
		[]byte("\xd6\xd0\xce\xc4"),         // 中文
		[]byte("\xd6\xd0\xce"),             // cut in a character
		[]byte("a\x84\x31\xa4\x37b"),       // GB18030's own U+FFFD
		[]byte("\x84\x31\xa4"),             // most of it
		[]byte("\xff\xfe"),                 // not GB18030
		[]byte("\x81\x30\x81\x30\xef\xbf"), // four bytes, then UTF-8's U+FFFD cut
		[]byte("\xef\xbf\xbd"),             // UTF-8's U+FFFD: GBK of other characters
		append(append([]byte{}, big...), 0x84, 0x31, 0xa4, 0x37),
		append([]byte("x"), big...), // a character astride the read
		append(append([]byte("x"), big...), 0xff),
	} {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		want, err := gb18030Clean(path, openFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, split := range []int{1, 3, 7, 4096, len(b) + 1} {
			g := newGBCheck()
			for i := 0; i < len(b); i += split {
				g.Write(b[i:min(i+split, len(b))])
			}
			if got := g.clean(); got != want {
				t.Errorf("%q… (%d bytes) in reads of %d: clean %v, gb18030Clean %v", b[:min(len(b), 8)], len(b), split, got, want)
			}
		}
		scan, err := scanCSVBytes(path, openFile, true)
		if err != nil {
			t.Fatal(err)
		}
		if !scan.utf8 && !scan.bom && (!scan.gbKnown || scan.gb != want) {
			t.Errorf("%q…: scan %+v, gb18030Clean %v", b[:min(len(b), 8)], scan, want)
		}
	}
}

// FuzzGBCheck holds the GBK check of the scan's pass to gb18030Clean.
func FuzzGBCheck(f *testing.F) {
	for _, s := range []string{"\xd6\xd0\xce\xc4", "\xd6\xd0\xce", "a\x84\x31\xa4\x37b", "\x84\x31\xa4", "\xff\xfe", "\xef\xbf\xbd", "\x81\x30\x81"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, b []byte, split int) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		want, err := gb18030Clean(path, openFile)
		if err != nil {
			t.Fatal(err)
		}
		split = 1 + max(split, -split)%64
		g := newGBCheck()
		for i := 0; i < len(b); i += split {
			g.Write(b[i:min(i+split, len(b))])
		}
		if got := g.clean(); got != want {
			t.Fatalf("%q in reads of %d: clean %v, gb18030Clean %v", b, split, got, want)
		}
	})
}
