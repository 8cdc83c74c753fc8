package juhe

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestParseEveryCode sends every code of the table through ParseResponse,
// for both ops, as a JSON number and as a JSON string.
func TestParseEveryCode(t *testing.T) {
	want := map[int][2]Class{ // code → {submit, query}, written out from issue 2
		10001: {ClassHalt, ClassHalt}, 10002: {ClassHalt, ClassHalt}, 10003: {ClassHalt, ClassHalt},
		10004: {ClassHalt, ClassHalt}, 10005: {ClassHalt, ClassHalt}, 10007: {ClassHalt, ClassHalt},
		10008: {ClassHalt, ClassHalt}, 10009: {ClassHalt, ClassHalt},
		10011: {ClassThrottled, ClassThrottled}, 10012: {ClassThrottled, ClassThrottled}, 10013: {ClassThrottled, ClassThrottled},
		10014: {ClassUnknown, ClassUnknown},
		10020: {ClassHalt, ClassHalt}, 10021: {ClassHalt, ClassHalt},
		210501: {ClassRejected, ClassUnknown}, 210502: {ClassRejected, ClassUnknown},
		210503: {ClassRejected, ClassUnknown}, 210504: {ClassRejected, ClassUnknown},
		210505: {ClassHalt, ClassHalt}, 210506: {ClassHalt, ClassHalt},
		210507: {ClassUnknown, ClassUnknown}, 210508: {ClassUnknown, ClassUnknown},
		210509: {ClassUnknown, ClassUnknown}, 210510: {ClassUnknown, ClassUnknown},
		210511: {ClassRejected, ClassNotFound},
	}
	seen := 0
	for _, row := range Codes() {
		if row.Code == 0 {
			continue // success needs a result; tested below
		}
		seen++
		w, ok := want[row.Code]
		if !ok {
			t.Errorf("code %d is in the table but not in this test", row.Code)
			continue
		}
		for _, op := range []Op{OpSubmit, OpQuery} {
			wantClass := w[0]
			if op == OpQuery {
				wantClass = w[1]
			}
			for _, codeJSON := range []string{fmt.Sprint(row.Code), fmt.Sprintf("%q", fmt.Sprint(row.Code))} {
				body := fmt.Sprintf(`{"reason":%q,"result":null,"error_code":%s}`, row.Text, codeJSON)
				o := ParseResponse(op, 200, []byte(body))
				if o.Class != wantClass || o.Code != row.Code || o.Reason != row.Text || o.HTTPStatus != 200 || o.State != StateNone {
					t.Errorf("op %d, %s: got %+v, want class %s code %d", op, body, o, wantClass, row.Code)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("table has %d non-zero codes, test expects %d", seen, len(want))
	}
}

func TestParseResponse(t *testing.T) {
	const okSubmit = `{"reason":"订单提交成功，等待充值","result":{"pid":"105000","uordercash":"19.630","cardname":"全国移动1G流量月包","sporder_id":"F22070512362939019255270","orderid":"20220705043629","phone":"15925601712"},"error_code":0}`
	tests := []struct {
		name   string
		op     Op
		status int
		body   string
		class  Class
		code   int
		state  GameState
		cost   Money
		has    bool
		sp     string
		reason string // substring
	}{
		{"document submit example", OpSubmit, 200, okSubmit, ClassAccepted, 0, StateNone, 19630, true, "F22070512362939019255270", "订单提交成功"},
		{"document query example", OpQuery, 200, `{"reason":"查询成功","result":{"uordercash":"19.630","sporder_id":"F22070512362939019255270","game_state":"0"},"error_code":0}`,
			ClassAccepted, 0, StateCharging, 19630, true, "F22070512362939019255270", "查询成功"},
		{"error_code as string 0", OpSubmit, 200, `{"error_code":"0","reason":"ok","result":{"sporder_id":"S1","uordercash":"1"}}`, ClassAccepted, 0, StateNone, 1000, true, "S1", "ok"},
		{"error_code string 10014", OpSubmit, 200, `{"error_code":"10014","reason":"系统内部异常"}`, ClassUnknown, 10014, StateNone, 0, false, "", "系统内部异常"},
		{"error_code padded string", OpSubmit, 200, `{"error_code":" 210501 ","reason":"x"}`, ClassRejected, 210501, StateNone, 0, false, "", "x"},
		{"ordercash fallback", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","ordercash":"5.5"}}`, ClassAccepted, 0, StateNone, 5500, true, "S1", ""},
		{"uordercash wins over ordercash", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","ordercash":"5.5","uordercash":"6"}}`, ClassAccepted, 0, StateNone, 6000, true, "S1", ""},
		{"cost as number", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","uordercash":19.63}}`, ClassAccepted, 0, StateNone, 19630, true, "S1", ""},
		{"sporder_id as number", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":12345,"uordercash":"1"}}`, ClassAccepted, 0, StateNone, 1000, true, "12345", ""},
		{"unknown fields ignored", OpSubmit, 200, `{"error_code":0,"x":[1,{"y":2}],"result":{"sporder_id":"S1","uordercash":"1","extra":{"a":null}}}`, ClassAccepted, 0, StateNone, 1000, true, "S1", ""},
		{"accepted without cost", OpSubmit, 200, `{"error_code":0,"reason":"ok","result":{"sporder_id":"S1"}}`, ClassAccepted, 0, StateNone, 0, false, "S1", "no uordercash"},
		{"accepted with bad cost", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","uordercash":"abc"}}`, ClassAccepted, 0, StateNone, 0, false, "S1", "uordercash"},
		{"accepted with negative cost", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","uordercash":"-1"}}`, ClassAccepted, 0, StateNone, 0, false, "S1", "uordercash"},
		{"accepted with cost object", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","uordercash":{}}}`, ClassAccepted, 0, StateNone, 0, false, "S1", "uordercash"},
		{"code 0 without sporder_id", OpSubmit, 200, `{"error_code":0,"result":{"uordercash":"1"}}`, ClassUnknown, 0, StateNone, 1000, true, "", "without sporder_id"},
		{"code 0 empty sporder_id", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"  ","uordercash":"1"}}`, ClassUnknown, 0, StateNone, 1000, true, "", "without sporder_id"},
		{"code 0 result null", OpSubmit, 200, `{"error_code":0,"result":null}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"code 0 result []", OpSubmit, 200, `{"error_code":0,"result":[]}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"code 0 result {}", OpSubmit, 200, `{"error_code":0,"result":{}}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"code 0 no result", OpQuery, 200, `{"error_code":0,"reason":"查询成功"}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"code 0 result string", OpSubmit, 200, `{"error_code":0,"result":"ok"}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"code 0 on HTTP 500", OpSubmit, 500, `{"error_code":0,"result":{"sporder_id":"S1","uordercash":"1"}}`, ClassUnknown, 0, StateNone, 1000, true, "S1", "HTTP 500"},
		{"code 210508 result []", OpSubmit, 200, `{"error_code":210508,"reason":"重复的订单号","result":[]}`, ClassUnknown, 210508, StateNone, 0, false, "", "重复"},
		{"code 210511 query", OpQuery, 200, `{"error_code":210511,"reason":"订单号错误/不存在","result":{}}`, ClassNotFound, 210511, StateNone, 0, false, "", "不存在"},
		{"code 210511 submit", OpSubmit, 200, `{"error_code":210511,"reason":"x"}`, ClassRejected, 210511, StateNone, 0, false, "", ""},
		{"halt code on HTTP 200", OpSubmit, 200, `{"error_code":10001,"reason":"错误的请求KEY","result":null}`, ClassHalt, 10001, StateNone, 0, false, "", "KEY"},
		{"JSON error on HTTP 503", OpSubmit, 503, `{"error_code":10020,"reason":"接口维护"}`, ClassHalt, 10020, StateNone, 0, false, "", "接口维护"},
		{"unknown code 99999", OpSubmit, 200, `{"error_code":99999,"reason":"new"}`, ClassUnknown, 99999, StateNone, 0, false, "", "new"},
		{"unknown code 99999 query", OpQuery, 200, `{"error_code":99999}`, ClassUnknown, 99999, StateNone, 0, false, "", ""},
		{"game_state 0", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"0","uordercash":"1"}}`, ClassAccepted, 0, StateCharging, 1000, true, "S1", ""},
		{"game_state 1", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"1","uordercash":"1"}}`, ClassAccepted, 0, StateSuccess, 1000, true, "S1", ""},
		{"game_state 9", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"9","uordercash":"1"}}`, ClassAccepted, 0, StateFailed, 1000, true, "S1", ""},
		{"game_state number 1", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":1,"ordercash":"2"}}`, ClassAccepted, 0, StateSuccess, 2000, true, "S1", ""},
		{"game_state -1", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"-1"}}`, ClassAccepted, 0, StateSubmitFailed, 0, false, "S1", ""},
		{"game_state -1 without sporder_id", OpQuery, 200, `{"error_code":0,"result":{"game_state":-1}}`, ClassAccepted, 0, StateSubmitFailed, 0, false, "", ""},
		{"success at 0.000 is no cost", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"1","uordercash":"0.000"}}`, ClassAccepted, 0, StateSuccess, 0, false, "S1", "uordercash 0"},
		{"success at 0 is no cost", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":1,"uordercash":0}}`, ClassAccepted, 0, StateSuccess, 0, false, "S1", "uordercash 0"},
		{"game_state 0 without sporder_id", OpQuery, 200, `{"error_code":0,"result":{"game_state":"0"}}`, ClassUnknown, 0, StateNone, 0, false, "", "without sporder_id"},
		{"game_state x", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"x"}}`, ClassUnknown, 0, StateNone, 0, false, "S1", "game_state"},
		{"game_state 2", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":2}}`, ClassUnknown, 0, StateNone, 0, false, "S1", "game_state"},
		{"game_state missing", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1"}}`, ClassUnknown, 0, StateNone, 0, false, "S1", "game_state"},
		{"game_state null", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":null}}`, ClassUnknown, 0, StateNone, 0, false, "S1", "game_state"},
		{"game_state true", OpQuery, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":true}}`, ClassUnknown, 0, StateNone, 0, false, "S1", "game_state"},
		{"game_state ignored on submit", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1","game_state":"1","uordercash":"1"}}`, ClassAccepted, 0, StateNone, 1000, true, "S1", ""},

		{"HTML 502", OpSubmit, 502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", ClassUnknown, NoCode, StateNone, 0, false, "", "HTML answer, HTTP 502"},
		{"HTML after doctype on 200", OpQuery, 200, "\n<!DOCTYPE html><html>", ClassUnknown, NoCode, StateNone, 0, false, "", "HTML answer, HTTP 200"},
		{"text 502", OpSubmit, 502, "Bad Gateway", ClassUnknown, NoCode, StateNone, 0, false, "", "non-JSON answer, HTTP 502"},
		{"empty body", OpSubmit, 200, "", ClassUnknown, NoCode, StateNone, 0, false, "", "empty answer"},
		{"blank body", OpQuery, 200, " \r\n\t", ClassUnknown, NoCode, StateNone, 0, false, "", "empty answer"},
		{"truncated JSON", OpSubmit, 200, `{"reason":"订单提交成功","result":{"sporder_id":"S1","uordercash":"19.630"},"error_co`, ClassUnknown, NoCode, StateNone, 0, false, "", "malformed JSON"},
		{"truncated before code value", OpSubmit, 200, `{"error_code":0,"result":{"sporder_id":"S1"`, ClassUnknown, NoCode, StateNone, 0, false, "", "malformed JSON"},
		{"JSON without error_code", OpSubmit, 200, `{"reason":"ok","result":{"sporder_id":"S1","uordercash":"1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "without error_code"},
		{"error_code null", OpSubmit, 200, `{"error_code":null,"result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "without error_code"},
		{"error_code float", OpSubmit, 200, `{"error_code":0.0,"result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code exponent", OpSubmit, 200, `{"error_code":0e1,"result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code empty string", OpSubmit, 200, `{"error_code":"","result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code 00", OpSubmit, 200, `{"error_code":"00","result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code negative", OpSubmit, 200, `{"error_code":-1}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code bool", OpSubmit, 200, `{"error_code":false,"result":{"sporder_id":"S1"}}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"error_code huge", OpSubmit, 200, `{"error_code":99999999999999999999999}`, ClassUnknown, NoCode, StateNone, 0, false, "", "error_code"},
		{"JSON array", OpSubmit, 200, `[{"error_code":0}]`, ClassUnknown, NoCode, StateNone, 0, false, "", "not an object"},
		{"JSON null", OpSubmit, 200, `null`, ClassUnknown, NoCode, StateNone, 0, false, "", "not an object"},
		{"BOM then JSON", OpSubmit, 200, "\xef\xbb\xbf" + okSubmit, ClassAccepted, 0, StateNone, 19630, true, "F22070512362939019255270", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ParseResponse(tt.op, tt.status, []byte(tt.body))
			if o.Class != tt.class || o.Code != tt.code || o.State != tt.state || o.Cost != tt.cost ||
				o.HasCost != tt.has || o.SporderID != tt.sp || o.HTTPStatus != tt.status {
				t.Errorf("got %+v\nwant class %s code %d state %d cost %d/%v sporder %q", o, tt.class, tt.code, tt.state, tt.cost, tt.has, tt.sp)
			}
			if !strings.Contains(o.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", o.Reason, tt.reason)
			}
			if tt.class == ClassUnknown && o.Reason == "" && tt.code == NoCode {
				t.Error("a non-answer needs a reason")
			}
		})
	}
}

func TestParseReasonIsOneShortLine(t *testing.T) {
	long, _ := json.Marshal(strings.Repeat("系统\n异常\x00", 200))
	body := fmt.Sprintf(`{"error_code":10014,"reason":%s}`, long)
	o := ParseResponse(OpSubmit, 200, []byte(body))
	if n := len([]rune(o.Reason)); n > maxReason+1 {
		t.Errorf("reason has %d runes", n)
	}
	if strings.ContainsAny(o.Reason, "\n\x00") {
		t.Errorf("reason has control characters: %q", o.Reason)
	}
	// Our own note survives a long provider reason.
	body = fmt.Sprintf(`{"error_code":0,"reason":%s,"result":{"sporder_id":"S"}}`, long)
	o = ParseResponse(OpSubmit, 200, []byte(body))
	if !strings.Contains(o.Reason, "no uordercash") || o.Class != ClassAccepted {
		t.Errorf("got %+v", o)
	}
	// A big HTML page gives a short reason.
	o = ParseResponse(OpSubmit, 200, []byte("Error "+strings.Repeat("x", 5000)))
	if len(o.Reason) > 300 {
		t.Errorf("reason is %d bytes", len(o.Reason))
	}
}

func TestCardNameAndCostOnNonZeroCode(t *testing.T) {
	o := ParseResponse(OpSubmit, 200, []byte(`{"error_code":210508,"result":{"sporder_id":"S9","uordercash":"3","cardname":"c"}}`))
	if o.Class != ClassUnknown || o.SporderID != "S9" || !o.HasCost || o.Cost != 3000 || o.CardName != "c" {
		t.Errorf("got %+v", o)
	}
}
