package juhe

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
)

// Sign is the submit signature: md5(OpenID+key+phone+pid+orderid), lowercase hex.
func Sign(openID, key, phone, pid, orderID string) string {
	return md5hex(openID + key + phone + pid + orderID)
}

// CallbackSign is the callback signature: md5(key+sporder_id+orderid), lowercase hex.
func CallbackSign(key, sporderID, orderID string) string {
	return md5hex(key + sporderID + orderID)
}

// SignEqual compares two signatures in constant time.
func SignEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
