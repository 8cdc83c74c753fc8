//go:build ignore

// Command gen writes the sample inputs in samples/: go run samples/gen/main.go
// from the repository root. The output is deterministic.
package main

import (
	"encoding/csv"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Prefixes and pids per carrier, as in juhe/carrier.go and the simulator's
// default catalogue.
var carriers = []struct {
	prefixes []string
	pids     []string
}{
	{[]string{"134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "187", "188", "198"}, []string{"105000", "105000", "105001", "105002"}},
	{[]string{"130", "131", "132", "155", "156", "185", "186"}, []string{"106000", "106001"}},
	{[]string{"133", "153", "180", "181", "189", "199"}, []string{"107000", "107001"}},
}

var (
	surnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"}
	given    = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "晓东", "丽华"}
	pinyinS  = []string{"Zhang", "Wang", "Li", "Zhao", "Liu", "Chen", "Yang", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo"}
	pinyinG  = []string{"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yang", "Yan", "Yong", "Jun", "Jie", "Juan", "Tao", "Ming", "Chao", "Xiuying", "Xiaodong", "Lihua"}
	deptsZH  = []string{"财务部", "人事部", "技术部", "市场部", "销售部", "客服中心"}
	deptsEN  = []string{"Finance", "HR", "Engineering", "Marketing", "Sales", "Customer Service"}
	notesZH  = []string{"端午节福利", "", "新员工", "", "季度优秀员工", ""}
	notesEN  = []string{"Dragon Boat gift", "", "new hire", "", "quarterly award", ""}
)

type person struct {
	phone, pid string
	s, g, d, n int
}

func people(seed uint64, n int) []person {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	var ps []person
	for len(ps) < n {
		c := carriers[0] // mostly China Mobile
		switch x := r.IntN(10); {
		case x >= 8:
			c = carriers[2]
		case x >= 6:
			c = carriers[1]
		}
		phone := c.prefixes[r.IntN(len(c.prefixes))] + fmt.Sprintf("%08d", r.IntN(100000000))
		if seen[phone] {
			continue
		}
		seen[phone] = true
		ps = append(ps, person{phone, c.pids[r.IntN(len(c.pids))], r.IntN(len(surnames)), r.IntN(len(given)), r.IntN(len(deptsZH)), r.IntN(len(notesZH))})
	}
	return ps
}

func main() {
	// gift-utf8.csv: English headers, 40 rows, all valid.
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"phone", "pid", "name", "department", "remark"})
	for _, p := range people(1, 40) {
		w.Write([]string{p.phone, p.pid, pinyinS[p.s] + " " + pinyinG[p.g], deptsEN[p.d], notesEN[p.n]})
	}
	w.Flush()
	write("samples/gift-utf8.csv", []byte(b.String()))

	// gift-gbk.csv: as Excel on a Chinese Windows saves it: GBK, CRLF.
	b.Reset()
	w = csv.NewWriter(&b)
	w.UseCRLF = true
	w.Write([]string{"手机号", "产品编码", "姓名", "部门", "备注"})
	for _, p := range people(2, 20) {
		w.Write([]string{p.phone, p.pid, surnames[p.s] + given[p.g], deptsZH[p.d], notesZH[p.n]})
	}
	w.Flush()
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(b.String()))
	check(err)
	write("samples/gift-gbk.csv", gbk)

	// gift.xlsx: phone cells stored as numbers (most) or text, pid as a
	// number, extra columns.
	f := excelize.NewFile()
	defer f.Close()
	sheet := "名单"
	check(f.SetSheetName("Sheet1", sheet))
	check(f.SetSheetRow(sheet, "A1", &[]any{"手机号码", "产品ID", "姓名", "部门", "备注"}))
	for i, p := range people(3, 30) {
		var phone any = p.phone
		if i%4 != 3 {
			var n int64
			fmt.Sscan(p.phone, &n)
			phone = n
		}
		var pid int64
		fmt.Sscan(p.pid, &pid)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		check(f.SetSheetRow(sheet, cell, &[]any{phone, pid, surnames[p.s] + given[p.g], deptsZH[p.d], notesZH[p.n]}))
	}
	check(f.SetColWidth(sheet, "A", "A", 16))
	check(f.SaveAs("samples/gift.xlsx"))

	// title-footer.xlsx: as HR makes a list: a merged title, a blank row,
	// decorated headers on row 3, a blank row inside, a 合计 footer with
	// the count and a signature row.
	tf := excelize.NewFile()
	defer tf.Close()
	sheet = "11月福利"
	check(tf.SetSheetName("Sheet1", sheet))
	check(tf.SetCellValue(sheet, "A1", "2026年11月 员工流量福利发放名单"))
	check(tf.MergeCell(sheet, "A1", "E1"))
	check(tf.SetSheetRow(sheet, "A3", &[]any{"序号", "姓名", "*手机号码（必填）", "套餐编号", "部门"}))
	row := 4
	ps := people(4, 25)
	for i, p := range ps {
		if i == 12 {
			row++ // a blank row inside the list
		}
		var pid int64
		fmt.Sscan(p.pid, &pid)
		cell, _ := excelize.CoordinatesToCellName(1, row)
		check(tf.SetSheetRow(sheet, cell, &[]any{i + 1, surnames[p.s] + given[p.g], p.phone, pid, deptsZH[p.d]}))
		row++
	}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	check(tf.SetSheetRow(sheet, cell, &[]any{"合计", fmt.Sprintf("%d人", len(ps))}))
	cell, _ = excelize.CoordinatesToCellName(1, row+1)
	check(tf.SetSheetRow(sheet, cell, &[]any{"制表：王芳", "", "审核：李强"}))
	check(tf.SetColWidth(sheet, "C", "C", 18))
	check(tf.SaveAs("samples/title-footer.xlsx"))

	// with-instructions.xlsx: an instructions sheet before the list, and
	// last month's list hidden after it.
	wi := excelize.NewFile()
	defer wi.Close()
	check(wi.SetSheetName("Sheet1", "填写说明"))
	for i, l := range []string{"填写说明", "1. 手机号填11位，不要加空格", "2. 产品编码见聚合数据产品列表", "3. 填好后交财务部"} {
		check(wi.SetCellValue("填写说明", fmt.Sprintf("A%d", i+1), l))
	}
	for _, name := range []string{"名单", "上月"} {
		_, err := wi.NewSheet(name)
		check(err)
		check(wi.SetSheetRow(name, "A1", &[]any{"姓名", "手机号", "产品编码"}))
		seed := uint64(5)
		if name == "上月" {
			seed = 6
		}
		for i, p := range people(seed, 15) {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			check(wi.SetSheetRow(name, cell, &[]any{surnames[p.s] + given[p.g], p.phone, p.pid}))
		}
	}
	check(wi.SetSheetVisible("上月", false))
	check(wi.SaveAs("samples/with-instructions.xlsx"))

	// names-phones.csv: names and phones, no pid: check -pid 105000.
	b.Reset()
	w = csv.NewWriter(&b)
	w.Write([]string{"姓名", "电话", "部门"})
	for _, p := range people(7, 20) {
		if p.pid[:3] != "105" {
			continue // China Mobile numbers only, for one China Mobile pid
		}
		w.Write([]string{surnames[p.s] + given[p.g], p.phone, deptsZH[p.d]})
	}
	w.Flush()
	write("samples/names-phones.csv", []byte(b.String()))

	// plans.csv: each carrier's product, for check -plan-file.
	write("samples/plans.csv", []byte("carrier,pid\n移动,105000\n联通,106000\n电信,107000\n"))

	// gift.ods: written by LibreOffice itself, from title-footer.xlsx.
	odsFromLibreOffice("samples/title-footer.xlsx", "samples/gift.ods")

	// bad-rows.csv: what check says about a sheet with mistakes.
	write("samples/bad-rows.csv", []byte(`phone,pid,name,remark
13512345678,105000,Zhang Wei,ok
1351234567,105000,Wang Fang,10 digits
13812345679,,Li Na,missing pid
+86 139-1234-5670,105000,Zhao Lei,+86 with dashes: fine
13512345678,105000,Zhang Wei,same person twice
159-2560-1712,105000,Liu Yang,dashes: fine
1591234567x,105000,Chen Jie,a letter
12012345678,105000,Yang Min,not a mobile prefix
18612345678,106000,Huang Tao,China Unicom
8613712345678,105001,Zhou Jun,86 prefix: fine
13612345678,10500 0,Wu Juan,bad pid
1.59256E+10,105000,Xu Ming,lost digits in scientific notation
`))
}

// odsFromLibreOffice converts src with soffice; without LibreOffice the
// committed file stays as it is.
func odsFromLibreOffice(src, dst string) {
	bin, err := exec.LookPath("soffice")
	if err != nil {
		log.Printf("soffice not installed: %s not regenerated", dst)
		return
	}
	dir, err := os.MkdirTemp("", "flowbatch-gen")
	check(err)
	defer os.RemoveAll(dir)
	out, err := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "ods", "--outdir", dir, src).CombinedOutput()
	if err != nil {
		log.Fatalf("soffice: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".xlsx")+".ods"))
	check(err)
	write(dst, data)
}

func write(path string, data []byte) {
	check(os.WriteFile(path, data, 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
