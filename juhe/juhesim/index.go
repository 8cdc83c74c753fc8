package juhesim

import "hash/maphash"

// orderIndex finds an order by orderid. It is an open-addressing table of
// indexes into Server.orders, which hold the orderids themselves, so a
// million orders cost 4–8 bytes each here and nothing the garbage
// collector has to scan.
type orderIndex struct {
	seed  maphash.Seed
	slots []int32 // index+1 into orders; 0 is empty
	n     int
}

func newOrderIndex() orderIndex {
	return orderIndex{seed: maphash.MakeSeed(), slots: make([]int32, 1024)}
}

func (x *orderIndex) find(orders []order, oid string) (int32, bool) {
	mask := uint64(len(x.slots) - 1)
	for i := maphash.String(x.seed, oid) & mask; ; i = (i + 1) & mask {
		v := x.slots[i]
		if v == 0 {
			return 0, false
		}
		if orders[v-1].id() == oid {
			return v - 1, true
		}
	}
}

// add indexes orders[idx], whose orderid is not yet in the index.
func (x *orderIndex) add(orders []order, idx int32) {
	if 2*(x.n+1) > len(x.slots) {
		old := x.slots
		x.slots = make([]int32, 2*len(old))
		for _, v := range old {
			if v != 0 {
				x.put(orders, v-1)
			}
		}
	}
	x.put(orders, idx)
	x.n++
}

func (x *orderIndex) put(orders []order, idx int32) {
	mask := uint64(len(x.slots) - 1)
	i := maphash.String(x.seed, orders[idx].id()) & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = idx + 1
}
