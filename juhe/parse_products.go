package juhe

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// parseProducts reads a flow/list (or flow/telcheck) answer:
// result = [{city, company, companytype, name, type, flows:[{id, p, v, inprice}]}].
func parseProducts(status int, body []byte) ([]Product, error) {
	o := ParseResponse(OpQuery, status, body)
	if o.Code == NoCode {
		return nil, fmt.Errorf("no catalogue: %s", o.Reason)
	}
	if o.Code != 0 {
		return nil, fmt.Errorf("no catalogue: provider answered %d %s", o.Code, o.Reason)
	}
	var top struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("no catalogue: malformed JSON")
	}
	out, err := parseProductGroups(top.Result)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no catalogue: the provider listed no products")
	}
	return out, nil
}

// parseProductGroups reads the result of flow/list or flow/telcheck, the
// one reader of that shape.
func parseProductGroups(result json.RawMessage) ([]Product, error) {
	var groups []struct {
		Company     json.RawMessage `json:"company"`
		CompanyType json.RawMessage `json:"companytype"`
		Name        json.RawMessage `json:"name"`
		Flows       []struct {
			ID      json.RawMessage `json:"id"`
			P       json.RawMessage `json:"p"`
			V       json.RawMessage `json:"v"`
			InPrice json.RawMessage `json:"inprice"`
		} `json:"flows"`
	}
	if err := json.Unmarshal(result, &groups); err != nil {
		return nil, fmt.Errorf("no catalogue: result is not a list of product groups")
	}
	var out []Product
	for gi, g := range groups {
		company, _ := stringish(g.Company)
		name, _ := stringish(g.Name)
		carrier := carrierFromText(company + " " + name)
		for fi, f := range g.Flows {
			pid, ok := stringish(f.ID)
			pid = strings.TrimSpace(pid)
			if !ok || pid == "" {
				return nil, fmt.Errorf("catalogue group %d, product %d: no id", gi+1, fi+1)
			}
			price, ok := stringish(f.InPrice)
			if !ok {
				return nil, fmt.Errorf("catalogue product %s: no inprice", cleanN(pid, 32))
			}
			m, err := ParseMoney("inprice", strings.TrimSpace(price))
			if err != nil {
				return nil, fmt.Errorf("catalogue product %s: %w", cleanN(pid, 32), err)
			}
			pname, _ := stringish(f.P)
			if pname == "" {
				pname, _ = stringish(f.V)
			}
			vol := 0
			if v, ok := stringish(f.V); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n < 1<<30 {
					vol = n
				}
			}
			out = append(out, Product{Pid: cleanN(pid, 64), Name: cleanReason(pname), Carrier: carrier, Price: m, VolumeMB: vol})
		}
	}
	return out, nil
}

// carrierFromText finds the operator in a name such as "中国移动".
func carrierFromText(s string) Carrier {
	for _, c := range []Carrier{CarrierMobile, CarrierUnicom, CarrierTelecom} {
		if strings.Contains(s, string(c)) {
			return c
		}
	}
	return CarrierUnknown
}
