package batch

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/xuri/excelize/v2"
)

// The journal's Input record names the sheet that was read.
func TestAppendInputNamesTheSheet(t *testing.T) {
	f := excelize.NewFile()
	for _, name := range []string{"上月", "本月"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		f.SetSheetRow(name, "A1", &[]any{"手机号码", "产品ID", "姓名"})
		f.SetSheetRow(name, "A2", &[]any{int64(15925601712), 105000, "张伟"})
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	if idx, err := f.GetSheetIndex("本月"); err == nil {
		f.SetActiveSheet(idx)
	}
	if err := f.SetSheetVisible("上月", false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "h.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := input.Options{BatchID: "B"}
	rep, err := input.Read(ctx, path, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(t.TempDir(), "h.journal")
	j, book, err := CreateJournal(ctx, jpath, journal.Header{BatchID: "B", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := AppendInput(ctx, j, book, path, opts, rep); err != nil {
		t.Fatal(err)
	}
	j.Close()
	b, err := LoadBook(ctx, jpath)
	if err != nil {
		t.Fatal(err)
	}
	if b.Input.Sheet != "本月" || b.Input.Rows != 1 {
		t.Fatalf("journaled input %+v, want sheet 本月 with 1 row", b.Input)
	}
}
