package batch

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A few hundred kilobytes of "<a><a><a>…" inflate to an XML document
// nested millions deep; encoding/xml keeps each open element, so reading
// it took gigabytes. It is refused at a bounded depth.
func TestReadXLSXDeepNestingRefused(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range xlsxParts(nil, testSheet{name: "S", body: "x"}) {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p[0], "xl/worksheets/") {
			w.Write([]byte(sheetHead + `<sheetData>` + inlineRow(1, "phone", "pid")))
			chunk := bytes.Repeat([]byte("<a>"), 1<<16)
			for i := 0; i < 64; i++ { // 12 MiB: millions of levels
				w.Write(chunk)
			}
			continue
		}
		w.Write([]byte(p[1]))
	}
	zw.Close()
	_, _, err := readAll(t, writeFile(t, "deep.xlsx", b.Bytes()), InputOptions{BatchID: "X"})
	if !errors.Is(err, errLimit) || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("err = %v, want a refusal for nesting", err)
	}
}

// One shared string of 30,000 characters fills 30 cells of every row: a
// few hundred kilobytes of workbook held gigabytes of row text, which
// check took minutes to read and submit would have journaled. The rows'
// text together is bounded.
func TestReadXLSXSharedStringAmplificationRefused(t *testing.T) {
	cells := strings.Repeat(`<c t="s"><v>2</v></c>`, 30)
	var rows strings.Builder
	rows.WriteString(`<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>`)
	for i := 0; i < 400; i++ { // 400 × 900 KB > MaxInputText
		rows.WriteString(`<row><c><v>13800138000</v></c><c><v>100</v></c>` + cells + `</row>`)
	}
	data := buildXLSX(t, []string{"phone", "pid", strings.Repeat("y", 30_000)}, testSheet{name: "S", body: rows.String()})
	if len(data) > 1<<20 {
		t.Fatalf("the workbook is %d bytes; the point is a small file", len(data))
	}
	_, _, err := readAll(t, writeFile(t, "amp.xlsx", data), InputOptions{BatchID: "X", AllowDuplicates: true})
	if !errors.Is(err, errLimit) || !strings.Contains(err.Error(), "together") {
		t.Fatalf("err = %v, want a refusal for the rows' text", err)
	}
}
