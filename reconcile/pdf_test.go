package reconcile

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPrintsAsPDF prints the sample workbook with LibreOffice, as a
// reader would, and checks the paper: the Summary on one page with the
// headline on top and the sign-off block, a Charts page, Orders in full
// width (one page across for the sample) and the Exceptions, each page
// with the batch id and "page N of M". It needs soffice, and pdftotext
// and pdfinfo (poppler-utils). FLOWBATCH_PDF_DIR keeps the files there,
// to look at.
func TestPrintsAsPDF(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed (apt-get install libreoffice-calc) or -short")
	}
	pdftotext, err1 := exec.LookPath("pdftotext")
	pdfinfo, err2 := exec.LookPath("pdfinfo")
	if err1 != nil || err2 != nil {
		t.Skip("pdftotext/pdfinfo not installed (apt-get install poppler-utils)")
	}
	book := sampleBook(t)
	dir := os.Getenv("FLOWBATCH_PDF_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			w, _ := lookupWords(lang)
			src, _ := writeSample(t, book, lang, 0)
			xlsx := filepath.Join(dir, "sample-"+lang+".xlsx")
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(xlsx, data, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			profile := "-env:UserInstallation=file://" + filepath.Join(t.TempDir(), "profile")
			if msg, err := exec.CommandContext(ctx, soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", dir, xlsx).CombinedOutput(); err != nil {
				t.Fatalf("soffice: %v\n%s", err, msg)
			}
			pdf := strings.TrimSuffix(xlsx, ".xlsx") + ".pdf"
			info, err := exec.Command(pdfinfo, pdf).Output()
			if err != nil {
				t.Fatalf("pdfinfo: %v", err)
			}
			m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
			if m == nil {
				t.Fatalf("pdfinfo says\n%s", info)
			}
			pages, _ := strconv.Atoi(string(m[1]))
			text := make([]string, pages)
			for i := range text {
				n := strconv.Itoa(i + 1)
				out, err := exec.Command(pdftotext, "-layout", "-f", n, "-l", n, pdf, "-").Output()
				if err != nil {
					t.Fatalf("pdftotext page %s: %v", n, err)
				}
				text[i] = string(out)
			}
			// Summary, Charts, then Orders, in two blocks of columns for
			// the sample's long reasons, and Exceptions one page wide.
			if pages != 5 {
				t.Errorf("%d pages, want 5 (Summary, Charts, Orders in two blocks, Exceptions)", pages)
			}
			summary := text[0]
			headline := w.headline(7, "137.380", 1, "5.000", 3, w.ok)
			for _, want := range append([]string{w.title("B2025-03"), headline, w.signoffBlock}, w.roles...) {
				if !strings.Contains(squash(summary), squash(want)) {
					t.Errorf("the Summary page lacks %q:\n%s", want, summary)
				}
			}
			if i := strings.Index(squash(summary), squash(headline)); i < 0 || i > 200 {
				t.Errorf("the headline is not on top of the Summary page (at %d)", i)
			}
			for i, page := range text {
				for _, want := range []string{"B2025-03", footerText(w, i+1, pages)} {
					if !strings.Contains(squash(page), squash(want)) {
						t.Errorf("page %d lacks %q in its header or footer:\n%s", i+1, want, page)
					}
				}
			}
			if len(text) > 1 && !strings.Contains(squash(text[1]), squash(w.chartStates)) {
				t.Errorf("page 2 is not the Charts page:\n%s", text[1])
			}
			// Orders in blocks: every column is on one of its pages, and
			// row, phone and state are on each.
			if len(text) == 5 {
				orders := squash(text[2] + text[3])
				for _, h := range append(ordersTable.header(w), book.Input.Extra...) {
					if !strings.Contains(orders, squash(h)) {
						t.Errorf("no Orders page has the column %q", h)
					}
				}
				for _, page := range text[2:4] {
					for _, c := range []column{colRow, colPhone, colState} {
						if !strings.Contains(squash(page), w.columns[c]) {
							t.Errorf("an Orders page lacks the repeated column %q:\n%s", w.columns[c], page)
						}
					}
				}
			}
		})
	}
}

// footerText is what the footer says on page n of m.
func footerText(w *words, n, m int) string {
	f := w.pageFooter[strings.Index(w.pageFooter, "&R")+2:]
	return strings.NewReplacer("&P", strconv.Itoa(n), "&N", strconv.Itoa(m)).Replace(f)
}

// squash drops the spaces pdftotext puts between (or inside) words.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// TestOrdersPaper checks the choice between one page wide and blocks:
// one page wide only while an 11 pt font prints at 8 pt or more.
func TestOrdersPaper(t *testing.T) {
	for _, tc := range []struct {
		widths []float64
		want   fitting
	}{
		{[]float64{6, 13, 8, 10, 10, 14, 6, 12, 14, 21, 21, 8, 12, 8, 9, 12}, onePageWide},
		{[]float64{190}, onePageWide},
		{[]float64{6, 13, 15, 9, 10, 8, 6, 14, 14, 21, 21, 8, 12, 53, 34, 26, 6, 8}, inBlocks},
	} {
		if got := ordersPaper(tc.widths); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.widths, got, tc.want)
		}
	}
}
