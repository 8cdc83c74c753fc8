package juhesim

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/flowbatch/flowbatch/juhe"
)

// DefaultCatalogue returns the default products: the document's example,
// pid 105000 全国移动1G流量月包 at 19.630 for China Mobile, and national
// packs for each carrier. The slice is a fresh copy.
func DefaultCatalogue() []juhe.Product {
	return []juhe.Product{
		{Pid: "105000", Name: "全国移动1G流量月包", Carrier: juhe.CarrierMobile, Price: 19630},
		{Pid: "105001", Name: "全国移动500M流量月包", Carrier: juhe.CarrierMobile, Price: 9810},
		{Pid: "105002", Name: "全国移动2G流量月包", Carrier: juhe.CarrierMobile, Price: 29450},
		{Pid: "106000", Name: "全国联通1G流量月包", Carrier: juhe.CarrierUnicom, Price: 19500},
		{Pid: "106001", Name: "全国联通500M流量月包", Carrier: juhe.CarrierUnicom, Price: 9750},
		{Pid: "107000", Name: "全国电信1G流量月包", Carrier: juhe.CarrierTelecom, Price: 19550},
		{Pid: "107001", Name: "全国电信500M流量月包", Carrier: juhe.CarrierTelecom, Price: 9780},
	}
}

func indexCatalogue(ps []juhe.Product) (map[string]int, error) {
	if len(ps) > 1<<16 {
		return nil, fmt.Errorf("juhesim: %d products: at most %d", len(ps), 1<<16)
	}
	m := make(map[string]int, len(ps))
	for i, p := range ps {
		switch {
		case p.Pid == "":
			return nil, fmt.Errorf("juhesim: product %d: empty pid", i)
		case p.Price <= 0:
			return nil, fmt.Errorf("juhesim: product %s: price %s is not positive", p.Pid, p.Price)
		case p.Carrier != juhe.CarrierMobile && p.Carrier != juhe.CarrierUnicom && p.Carrier != juhe.CarrierTelecom:
			return nil, fmt.Errorf("juhesim: product %s: carrier %q is not one of 移动, 联通, 电信", p.Pid, p.Carrier)
		}
		if _, dup := m[p.Pid]; dup {
			return nil, fmt.Errorf("juhesim: product %s: pid listed twice", p.Pid)
		}
		m[p.Pid] = i
	}
	return m, nil
}

// The flow/list and flow/telcheck shape (NOTES.md): one group per carrier.
type listGroup struct {
	City        string     `json:"city"`
	Company     string     `json:"company"`
	CompanyType string     `json:"companytype"`
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Flows       []listFlow `json:"flows"`
}

type listFlow struct {
	ID      string `json:"id"`      // the pid
	P       string `json:"p"`       // the product name
	V       string `json:"v"`       // volume in MB, when the name says it
	InPrice string `json:"inprice"` // price in yuan, three decimals
}

var carrierGroups = []struct {
	c       juhe.Carrier
	company string
	ctype   string
}{
	{juhe.CarrierMobile, "中国移动", "1"},
	{juhe.CarrierUnicom, "中国联通", "2"},
	{juhe.CarrierTelecom, "中国电信", "3"},
}

var volumeRE = regexp.MustCompile(`(\d+)([MG])`)

func volumeMB(name string) string {
	m := volumeRE.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return ""
	}
	if m[2] == "G" {
		n *= 1024
	}
	return strconv.Itoa(n)
}

// listing groups the catalogue by carrier; only is CarrierUnknown for all.
func (s *Server) listing(only juhe.Carrier) []listGroup {
	out := []listGroup{}
	for _, g := range carrierGroups {
		if only != juhe.CarrierUnknown && only != g.c {
			continue
		}
		lg := listGroup{City: "全国", Company: g.company, CompanyType: g.ctype, Name: g.company + "全国流量", Type: "1"}
		for _, p := range s.cfg.Products {
			if p.Carrier == g.c {
				lg.Flows = append(lg.Flows, listFlow{ID: p.Pid, P: p.Name, V: volumeMB(p.Name), InPrice: p.Price.String()})
			}
		}
		if len(lg.Flows) > 0 {
			out = append(out, lg)
		}
	}
	return out
}

// handleList serves flow/list (the whole catalogue) and flow/telcheck (the
// products one number can take).
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	tel := r.URL.Path == "/flow/telcheck"
	s.mu.Lock()
	s.counts.Lists++
	s.mu.Unlock()
	if !s.keyOK(r.Form.Get("key")) {
		s.answer(w, r, opList, codeWrongKey, nil)
		return
	}
	only := juhe.CarrierUnknown
	if tel {
		s.mu.Lock()
		s.counts.Telchecks++
		s.mu.Unlock()
		if s.cfg.TelcheckDown {
			s.writeHTML502(w, r, "telcheck down")
			return
		}
		phone := r.Form.Get("phone")
		if !validPhone(phone) {
			s.answer(w, r, opList, codeBadPhone, nil)
			return
		}
		only = s.carrierOf(phone)
		if only == juhe.CarrierUnknown {
			s.answer(w, r, opList, codeNoProduct, nil)
			return
		}
	}
	s.answer(w, r, opList, 0, s.listing(only))
}

// carrierOf is the number's carrier: where it was ported to, else its
// prefix's.
func (s *Server) carrierOf(phone string) juhe.Carrier {
	s.mu.Lock()
	c, ok := s.ported[phone]
	s.mu.Unlock()
	if ok {
		return c
	}
	return juhe.CarrierOf(phone)
}

// Port records that phone was moved to carrier c (携号转网): from now on
// telcheck lists c's products for it, and a submit of another carrier's
// product is refused with 210504.
func (s *Server) Port(phone string, c juhe.Carrier) error {
	if !validPhone(phone) {
		return fmt.Errorf("juhesim: port: phone %q is not an 11-digit mainland number", phone)
	}
	switch c {
	case juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom:
	default:
		return fmt.Errorf("juhesim: port: carrier %q is not one of 移动, 联通, 电信", c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ported == nil {
		s.ported = map[string]juhe.Carrier{}
	}
	s.ported[phone] = c
	return nil
}

// handlePort serves POST /_sim/port.
func (s *Server) handlePort(w http.ResponseWriter, r *http.Request) {
	c, ok := juhe.ParseCarrier(r.Form.Get("carrier"))
	if !ok {
		http.Error(w, "carrier: 移动, 联通 or 电信", http.StatusBadRequest)
		return
	}
	if err := s.Port(r.Form.Get("phone"), c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
