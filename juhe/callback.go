package juhe

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// VerifyCallback checks a callback's form (GET query or POST body, already
// parsed) against the key, in constant time. A forged, replayed-with-changes
// or malformed callback is an error; the error never holds the key or the
// expected sign.
func (c *Client) VerifyCallback(form url.Values) (Callback, error) {
	get := func(name string, required bool) (string, error) {
		vs := form[name]
		switch {
		case len(vs) > 1:
			return "", fmt.Errorf("callback: %s given %d times", name, len(vs))
		case len(vs) == 0 || vs[0] == "":
			if required {
				return "", fmt.Errorf("callback: no %s", name)
			}
			return "", nil
		}
		return vs[0], nil
	}
	var cb Callback
	sporderID, err := get("sporder_id", true)
	if err != nil {
		return cb, err
	}
	orderID, err := get("orderid", true)
	if err != nil {
		return cb, err
	}
	sta, err := get("sta", true)
	if err != nil {
		return cb, err
	}
	sign, err := get("sign", true)
	if err != nil {
		return cb, err
	}
	errMsg, err := get("err_msg", false)
	if err != nil {
		return cb, err
	}
	if !ValidOrderID(orderID) {
		return cb, errors.New("callback: orderid is not 8-32 letters and digits")
	}
	if !validSporderID(sporderID) {
		return cb, errors.New("callback: sporder_id is not 1-64 letters, digits, '-' or '_'")
	}
	var state GameState
	switch sta {
	case "1":
		state = StateSuccess
	case "9":
		state = StateFailed
	default:
		return cb, errors.New("callback: sta is neither 1 nor 9")
	}
	if !SignEqual(strings.ToLower(sign), CallbackSign(c.key.value(), sporderID, orderID)) {
		return cb, fmt.Errorf("callback for orderid %s: bad sign", c.scrub(orderID))
	}
	return Callback{
		SporderID: sporderID,
		OrderID:   orderID,
		State:     state,
		ErrMsg:    c.scrub(cleanReason(errMsg)),
	}, nil
}

func validSporderID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
