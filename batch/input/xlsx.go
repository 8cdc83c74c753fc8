package input

import (
	"context"
	"errors"
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"strings"

	"github.com/xuri/excelize/v2"
)

// openXLSX streams one sheet with excelize's row iterator and raw cell
// values (a number cell comes back as the number as written, never
// formatted). GetRows would hold the whole sheet in memory.
func openXLSX(path, sheet string, info *journal.InputInfo) (rowSource, error) {
	// Worksheets and shared strings larger than UnzipXMLSizeLimit are
	// unpacked to a temporary file rather than memory (excelize's default is
	// 16 MB, stated here so it cannot drift).
	f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("open workbook: %w", err)
	}
	sheets := f.GetSheetList()
	switch {
	case len(sheets) == 0:
		f.Close()
		return nil, errors.New("the workbook has no sheets")
	case sheet == "":
		sheet = sheets[0]
	default:
		found := false
		for _, s := range sheets {
			if s == sheet {
				found = true
			}
		}
		if !found {
			f.Close()
			return nil, fmt.Errorf("no sheet %q; the sheets are: %s", sheet, strings.Join(sheets, ", "))
		}
	}
	info.Sheet = sheet
	return func(ctx context.Context, each func(int, []string, error) error) (err error) {
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close workbook: %w", cerr)
			}
		}()
		rows, err := f.Rows(sheet)
		if err != nil {
			return fmt.Errorf("sheet %q: %w", sheet, err)
		}
		defer rows.Close()
		raw := excelize.Options{RawCellValue: true}
		for line := 1; rows.Next(); line++ {
			if line%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			cells, cerr := rows.Columns(raw)
			if err := each(line, cells, cerr); err != nil {
				return err
			}
		}
		if err := rows.Error(); err != nil {
			return fmt.Errorf("sheet %q: %w", sheet, err)
		}
		return nil
	}, nil
}
