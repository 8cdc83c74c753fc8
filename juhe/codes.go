package juhe

import "sort"

// Class is what an answer (or a non-answer) from the provider means for the
// money: whether the order exists, and what may safely happen next.
type Class int

const (
	// ClassAccepted: the order exists, with a sporder_id and a cost.
	ClassAccepted Class = iota + 1
	// ClassRejected: definitively not created and not charged.
	ClassRejected
	// ClassUnknown: the order may exist. Query it; never call it failed.
	ClassUnknown
	// ClassThrottled: over a rate limit. Retry later with the same orderid.
	ClassThrottled
	// ClassHalt: nothing will succeed until a person acts. Stop submitting.
	ClassHalt
	// ClassNotFound: a query answered 210511, the provider has no such
	// order. Only then may the same orderid be submitted again.
	ClassNotFound
)

var classNames = map[Class]string{
	ClassAccepted:  "accepted",
	ClassRejected:  "rejected",
	ClassUnknown:   "unknown",
	ClassThrottled: "throttled",
	ClassHalt:      "halt",
	ClassNotFound:  "not_found",
}

func (c Class) String() string {
	if s, ok := classNames[c]; ok {
		return s
	}
	return "invalid"
}

var classByName = func() map[string]Class {
	m := make(map[string]Class, len(classNames))
	for c, n := range classNames {
		m[n] = c
	}
	return m
}()

// ParseClass is the inverse of Class.String.
func ParseClass(s string) (Class, bool) {
	c, ok := classByName[s]
	return c, ok
}

// Op is the request an answer belongs to; a few codes mean different
// things on submit and on query.
type Op int

const (
	OpSubmit Op = iota + 1
	OpQuery
)

// Code is one row of the provider's error-code table.
type Code struct {
	Code   int
	Text   string // the provider's own wording
	Submit Class  // meaning on flow/onlineorder
	Query  Class  // meaning on flow/ordersta
	Why    string // one line for operators: why this class
}

// codeTable is every code in the provider's document, in one place.
// A code that is not here is ClassUnknown: it may have created an order.
var codeTable = []Code{
	{0, "成功", ClassAccepted, ClassAccepted, "the order exists"},
	{10001, "错误的请求KEY", ClassHalt, ClassHalt, "wrong key: fix JUHE_KEY"},
	{10002, "该KEY无请求权限", ClassHalt, ClassHalt, "key not allowed on this API: ask the provider"},
	{10003, "KEY过期", ClassHalt, ClassHalt, "key expired: renew it"},
	{10004, "错误的OPENID", ClassHalt, ClassHalt, "wrong OpenID: fix JUHE_OPENID"},
	{10005, "应用未审核超时，请提交认证", ClassHalt, ClassHalt, "application not certified: complete certification"},
	{10007, "未知的请求源", ClassHalt, ClassHalt, "unknown request source: check the IP whitelist"},
	{10008, "被禁止的IP", ClassHalt, ClassHalt, "IP banned: fix the whitelist"},
	{10009, "被禁止的KEY", ClassHalt, ClassHalt, "key banned: contact the provider"},
	{10011, "当前IP请求超过限制", ClassThrottled, ClassThrottled, "per-IP limit: retry later, same orderid"},
	{10012, "请求超过次数限制", ClassThrottled, ClassThrottled, "request limit: retry later, same orderid"},
	{10013, "测试KEY超过请求限制", ClassThrottled, ClassThrottled, "test-key limit: retry later, same orderid"},
	{10014, "系统内部异常", ClassUnknown, ClassUnknown, "provider error after which the order may exist: query it"},
	{10020, "接口维护", ClassHalt, ClassHalt, "API under maintenance: run again later"},
	{10021, "接口停用", ClassHalt, ClassHalt, "API disabled: contact the provider"},
	{210501, "错误的手机号码", ClassRejected, ClassUnknown, "bad phone number: not created, not charged"},
	{210502, "错误的面值", ClassRejected, ClassUnknown, "bad denomination: not created, not charged"},
	{210503, "检索不到符合该手机号码的流量套餐", ClassRejected, ClassUnknown, "no such product for this number: not created, not charged"},
	{210504, "套餐ID不符合当前手机号", ClassRejected, ClassUnknown, "product is for another carrier: not created, not charged"},
	{210505, "余额不足", ClassHalt, ClassHalt, "balance insufficient: top up, then run again"},
	{210506, "校验值sign错误", ClassHalt, ClassHalt, "bad sign: check JUHE_KEY and JUHE_OPENID"},
	{210507, "渠道暂时不可用", ClassUnknown, ClassUnknown, "channel unavailable; the document does not say no order exists: query it"},
	{210508, "重复的订单号", ClassUnknown, ClassUnknown, "duplicate orderid: an order may exist, query it"},
	{210509, "订单生成失败", ClassUnknown, ClassUnknown, "order creation failed per provider, not proven: query it"},
	{210510, "受理充值失败", ClassUnknown, ClassUnknown, "acceptance failed per provider, not proven: query it"},
	{210511, "订单号错误/不存在", ClassRejected, ClassNotFound, "no such order: on query, safe to submit the same orderid"},
}

var codeIndex = func() map[int]Code {
	m := make(map[int]Code, len(codeTable))
	for _, c := range codeTable {
		m[c.Code] = c
	}
	return m
}()

// Classify says what error_code means for op. Codes not in the table are
// ClassUnknown.
func Classify(op Op, code int) Class {
	c, ok := codeIndex[code]
	if !ok {
		return ClassUnknown
	}
	if op == OpQuery {
		return c.Query
	}
	return c.Submit
}

// LookupCode returns the table row for code.
func LookupCode(code int) (Code, bool) {
	c, ok := codeIndex[code]
	return c, ok
}

// Codes returns the whole table, sorted by code.
func Codes() []Code {
	out := append([]Code(nil), codeTable...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
