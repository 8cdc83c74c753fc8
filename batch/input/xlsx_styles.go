package input

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// readStyles reads the cell styles of xl/styles.xml and says, per style
// (a cell's s attribute), whether its number format shows a whole number
// or a text as the digits the cell holds. A number format can show
// anything: "13800138000" as a literal shows that phone whatever the
// cell holds, ";;;" shows nothing, "0,," drops six digits. So a phone or
// pid cell is read only under General, "0", "@", or a format of digit
// placeholders and separators ("000-0000-0000"); LibreOffice and Excel
// show those digits as held.
func (w *workbookZip) readStyles(name string) ([]bool, error) {
	codes := map[int]string{} // custom formats by id
	var xfs []int             // numFmtId of each cell style
	inCellXfs := false
	err := w.readXMLPart(name, MaxPartBytes, func(t xml.Token, depth int) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch {
			case depth == 2 && t.Name.Local == "cellXfs":
				inCellXfs = true
			case depth == 3 && t.Name.Local == "numFmt":
				id, code := -1, ""
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "numFmtId":
						id, _ = strconv.Atoi(a.Value)
					case "formatCode":
						code = a.Value
					}
				}
				if id >= 0 {
					codes[id] = code
				}
			case depth == 3 && inCellXfs && t.Name.Local == "xf":
				id := 0
				for _, a := range t.Attr {
					if a.Name.Local == "numFmtId" {
						var err error
						if id, err = strconv.Atoi(a.Value); err != nil {
							id = -1
						}
					}
				}
				xfs = append(xfs, id)
			}
		case xml.EndElement:
			if depth == 1 && t.Name.Local == "cellXfs" {
				inCellXfs = false
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(xfs) == 0 {
		return nil, nil // no cell styles: every cell is General
	}
	shown := make([]bool, len(xfs))
	for i, id := range xfs {
		if code, ok := codes[id]; ok {
			shown[i] = showsDigitsCode(code)
		} else {
			shown[i] = id == 0 || id == 1 || id == 49 // General, "0", "@"
		}
	}
	return shown, nil
}

// showsDigitsCode reports whether a custom format code shows a whole
// number's digits as held: General, "@", or digit placeholders with
// dashes and spaces between them.
func showsDigitsCode(code string) bool {
	switch strings.ToLower(code) {
	case "general", "@":
		return true
	case "":
		return false
	}
	for _, r := range code {
		if !strings.ContainsRune("0#- ", r) {
			return false
		}
	}
	return strings.ContainsAny(code, "0#")
}
