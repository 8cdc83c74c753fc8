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
