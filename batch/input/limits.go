package input

import (
	"unicode/utf8"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// The limits of an input file. A file beyond any of them is refused as a
// whole (exit 3, nothing written), whatever else it holds, so that reading
// it never needs more than a bounded amount of memory and every row it
// yields fits a journal line many times over. They are Excel's own limits
// where Excel has one: a list a person can see in a spreadsheet fits.
const (
	// MaxCellChars is the longest cell, in characters: Excel's limit.
	MaxCellChars = 32_767
	// MaxColumns is the widest row: Excel's limit (column XFD).
	MaxColumns = 16_384
	// MaxRows is the most rows a file may have, the header included:
	// Excel's limit.
	MaxRows = 1_048_576
	// MaxRowBytes bounds the text of all cells of one row together (UTF-8
	// bytes), and for CSV the bytes of one record.
	MaxRowBytes = 1 << 20
	// MaxInputText bounds the text of all rows together (UTF-8 bytes):
	// one shared string can fill a thousand cells, so a sheet's XML does
	// not bound what its rows hold, nor what the journal would receive.
	MaxInputText = 256 << 20
	// MaxSheetBytes bounds a worksheet's XML, uncompressed.
	MaxSheetBytes = 1 << 30
	// MaxXMLTokens bounds the XML tokens (tags and texts) read from one
	// workbook, all its parts together: a million rows of a dozen cells,
	// as Excel writes them, fit. Time goes by tokens more than by bytes:
	// a sheet of tiny elements within MaxSheetBytes took minutes.
	MaxXMLTokens = 64 << 20
	// MaxSharedStringsBytes bounds the shared strings XML, uncompressed.
	MaxSharedStringsBytes = 256 << 20
	// MaxSharedStrings and MaxSharedStringsText bound the shared strings
	// kept in memory while a sheet is read: their number and their text.
	MaxSharedStrings     = 8 << 20
	MaxSharedStringsText = 128 << 20
	// MaxPartBytes bounds every other part read from a workbook
	// (relationships, the workbook's list of sheets), uncompressed.
	MaxPartBytes = 16 << 20
	// MaxSheetNameChars bounds a sheet's name (Excel allows 31).
	MaxSheetNameChars = 255
)

// maxXMLToken bounds one XML token (a tag with its attributes, or a run of
// text): the longest cell, every character written as an entity, fits.
const maxXMLToken = 4 << 20

// maxXMLDepth bounds how deep a part's elements nest; a worksheet's go
// about six deep, its extensions a few more.
const maxXMLDepth = 256

// errLimit marks a refusal for a limit, so tests and messages can tell it
// from damage.
var errLimit = refuse(Limit)

// limitErr is an error for a limit that was passed.
func limitErr(k Kind, a ...any) error { return wrap(k, errLimit, a...) }

// checkCell refuses a cell longer than MaxCellChars. col counts from 0.
func checkCell(col int, s string) error {
	if len(s) <= MaxCellChars {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > MaxCellChars {
		return limitErr(LimitCell, columnName(col), journal.Thousands(n), journal.Thousands(MaxCellChars))
	}
	return nil
}

// checkRow applies the cell, column and row-size limits to a whole row,
// and adds its text to *total, which may not pass MaxInputText.
func checkRow(cells []string, total *int64) error {
	if len(cells) > MaxColumns {
		return limitErr(LimitColumns, journal.Thousands(len(cells)), journal.Thousands(MaxColumns))
	}
	n := 0
	for i, c := range cells {
		if err := checkCell(i, c); err != nil {
			return err
		}
		n += len(c)
	}
	if n > MaxRowBytes {
		return limitErr(LimitRowBytes, journal.Thousands(n), journal.Thousands(MaxRowBytes))
	}
	if *total += int64(n); *total > MaxInputText {
		return limitErr(LimitText, journal.Thousands(MaxInputText))
	}
	return nil
}

// columnName is a column's letters: 0 is A, 26 is AA.
func columnName(col int) string {
	var b [8]byte
	i := len(b)
	for n := col + 1; n > 0 && i > 0; n = (n - 1) / 26 {
		i--
		b[i] = byte('A' + (n-1)%26)
	}
	return string(b[i:])
}
