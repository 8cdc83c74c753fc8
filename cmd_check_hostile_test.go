package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
)

// hostilePart is a zip entry of a hostile workbook: prefix, then block
// repeated n times, then suffix, deflated as a stream the size of its
// repeats (a gigabyte of one byte is a megabyte here).
type hostilePart struct {
	name                  string
	prefix, block, suffix string
	n                     int
	lieSize               uint64 // when set, the size the archive claims
}

// deflateChunk compresses b as non-final, byte-aligned deflate blocks
// (or as the final block), so that chunks can be concatenated.
func deflateChunk(t *testing.T, b []byte, final bool) []byte {
	var buf bytes.Buffer
	level := flate.BestCompression
	if len(b) > 4*mib {
		// A long prefix of rows that differ (not a block repeated): fast
		// to compress, where -race makes BestCompression take a minute.
		level = flate.BestSpeed
	}
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if final {
		err = w.Close()
	} else {
		err = w.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeHostileXLSX writes a workbook of one sheet, "S", whose parts are
// parts (a sheet part is xl/worksheets/sheet1.xml).
func writeHostileXLSX(t *testing.T, path string, sst bool, parts ...hostilePart) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	small := map[string]string{
		"_rels/.rels":     `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	}
	rels := `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	small["xl/_rels/workbook.xml.rels"] = rels + `</Relationships>`
	for _, name := range []string{"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(small[name]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range parts {
		h := crc32.NewIEEE()
		h.Write([]byte(p.prefix))
		block := []byte(p.block)
		for i := 0; i < p.n; i++ {
			h.Write(block)
		}
		h.Write([]byte(p.suffix))
		size := uint64(len(p.prefix)) + uint64(len(block))*uint64(p.n) + uint64(len(p.suffix))
		if p.lieSize != 0 {
			size = p.lieSize
		}
		var data bytes.Buffer
		data.Write(deflateChunk(t, []byte(p.prefix), false))
		if p.n > 0 {
			cb := deflateChunk(t, block, false)
			for i := 0; i < p.n; i++ {
				data.Write(cb)
			}
		}
		data.Write(deflateChunk(t, []byte(p.suffix), true))
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: h.Sum32(),
			CompressedSize64: uint64(data.Len()), UncompressedSize64: size})
		if err == nil {
			_, err = w.Write(data.Bytes())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

const (
	hostileSheetHead = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c><c r="B1" t="inlineStr"><is><t>pid</t></is></c><c r="C1" t="inlineStr"><is><t>remark</t></is></c></row>`
	hostileSheetTail = `</sheetData></worksheet>`
	mib              = 1 << 20
)

// TestCheckHostileInputs runs the real binary's check on files built to
// exhaust memory. Each is refused (exit 3) with a clear reason, or read,
// and the process never grows past 512 MB, whatever the file says.
func TestCheckHostileInputs(t *testing.T) {
	// Not parallel: the child's Maxrss counts this process's peak RSS too
	// (Go starts children with vfork, and exec keeps the old memory's high
	// water mark), and parallel tests in this process would push it past
	// 512 MB.
	bin := flowbatchBinary(t)
	dir := t.TempDir()
	spaces := strings.Repeat(" ", mib)
	xs := strings.Repeat("x", mib)
	sheet := "xl/worksheets/sheet1.xml"
	tests := []struct {
		name  string
		write func(path string)
		code  int
		want  string
	}{
		{"sheet that unpacks to 4 GiB", func(p string) {
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead, block: spaces, n: 4096, suffix: hostileSheetTail})
		}, ExitInvalid, "unpacks to 4,294,967," /* …296+ bytes */},
		{"sheet that unpacks to gigabytes but says 1 KiB", func(p string) {
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead, block: "\x00" + spaces[1:], n: 2048, suffix: hostileSheetTail, lieSize: 1024})
		}, ExitInvalid, "unpacks to more than the 1,024 bytes the archive says"},
		{"a 1 GB cell", func(p string) {
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead + `<row r="2"><c r="A2"><v>15925601712</v></c><c r="B2"><v>105000</v></c><c r="C2" t="inlineStr"><is><t>`,
				block: xs, n: 1000, suffix: `</t></is></c></row>` + hostileSheetTail})
		}, ExitInvalid, "row 2: column C: a cell longer than 32,767 characters"},
		{"a 200 MB shared string", func(p string) {
			writeHostileXLSX(t, p, true,
				hostilePart{name: "xl/sharedStrings.xml", prefix: `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`, block: xs, n: 200, suffix: `</t></si></sst>`},
				hostilePart{name: sheet, prefix: hostileSheetHead, suffix: hostileSheetTail})
		}, ExitInvalid, "shared string 0: longer than 32,767 characters"},
		{"a sheet padded with a gigabyte of blanks", func(p string) {
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead, block: spaces, n: 1000,
				suffix: `<row r="2"><c r="A2"><v>15925601712</v></c><c r="B2"><v>105000</v></c></row>` + hostileSheetTail})
		}, ExitInvalid, "after row 1: xl/worksheets/sheet1.xml: an XML element or text longer than 4,194,304 bytes"},
		{"half a million rows padded out to column XFD", func(p string) {
			var b strings.Builder
			for r := 2; r < 500_002; r++ {
				fmt.Fprintf(&b, `<row r="%d"><c r="XFD%d"/></row>`, r, r)
			}
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead + b.String(),
				suffix: `<row r="500002"><c r="A500002"><v>15925601712</v></c><c r="B500002"><v>105000</v></c></row>` + hostileSheetTail})
		}, ExitOK, "rows:     1 (1 to submit"},
		{"a header row of millions of columns", func(p string) {
			writeHostileXLSX(t, p, false, hostilePart{name: sheet, prefix: hostileSheetHead[:strings.Index(hostileSheetHead, "<row")] + `<row r="1">`,
				block: strings.Repeat(`<c t="inlineStr"><is><t>h</t></is></c>`, 1000), n: 3000, suffix: `</row>` + hostileSheetTail})
		}, ExitInvalid, "at most 16,384 columns"},
		{"a CSV header of millions of columns", func(p string) {
			os.WriteFile(p, []byte("phone,pid"+strings.Repeat(",x", 3_000_000)+"\n15925601712,105000\n"), 0o600)
		}, ExitInvalid, "row 1: a row longer than 2,097,152 bytes"},
		{"a CSV line of 300 MB", func(p string) {
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fmt.Fprint(f, "phone,pid,remark\n15925601712,105000,")
			for i := 0; i < 300; i++ {
				f.WriteString(xs)
			}
			fmt.Fprint(f, "\n")
		}, ExitInvalid, "row 2: a row longer than"},
		{"a CSV of a million rows with a problem each, one row too many", func(p string) {
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w := bufio.NewWriterSize(f, 1<<20)
			w.WriteString("phone,pid\n")
			for i := 0; i < input.MaxRows; i++ { // rows 2 … MaxRows+1
				// "1.%09dE+10,105000\n", without fmt (slow under -race)
				d := strconv.Itoa(i)
				w.WriteString("1." + "000000000"[len(d):] + d + "E+10,105000\n")
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}, ExitInvalid, "row 1048577: at most 1,048,576 rows (Excel's limit)"},
		{"a CSV cell over Excel's limit", func(p string) {
			os.WriteFile(p, []byte("phone,pid,remark\n15925601712,105000,"+strings.Repeat("长", input.MaxCellChars+1)+"\n"), 0o600)
		}, ExitInvalid, "row 2: column C: a cell of 32,768 characters; at most 32,767"},
	}
	// The cases one at a time: a file of up to 300 MB, a process of up
	// to 512 MB each.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext := ".xlsx"
			if strings.Contains(tt.name, "CSV") {
				ext = ".csv"
			}
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+ext)
			tt.write(path)
			tmp := t.TempDir()
			cmd := exec.Command(bin, "check", "-in", path, "-prices", "none")
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			out := stdout.String() + stderr.String()
			rss, measured := peakRSSKiB(cmd.ProcessState)
			t.Logf("exit %d, peak RSS %d MB: %s", code, rss>>10, strings.TrimSpace(stderr.String()))
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d, saying %q:\n%s", code, tt.code, tt.want, out)
			}
			if measured && rss > 512<<10 {
				t.Errorf("peak RSS %d MB, want under 512 MB", rss>>10)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left %d files in TMPDIR", len(left))
			}
			os.Remove(path)
		})
	}
}
