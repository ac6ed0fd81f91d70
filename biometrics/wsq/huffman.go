package wsq

import (
	"container/heap"
	"sort"
)

// codeTable is an encoder's Huffman table: the DHT form (counts per length, symbols in code
// order) and each symbol's code.
type codeTable struct {
	counts [16]byte
	vals   []byte
	code   [256]uint16
	size   [256]uint8
}

// buildHuffman makes the optimal length-limited (16-bit) code for the symbols' frequencies,
// the way JPEG's Annex K.2 does: one reserved pseudo-symbol keeps the all-ones code unused
// (so padding bits never decode), and over-long codes are folded back to 16 bits.
func buildHuffman(streams ...[]symbol) *codeTable {
	var freq [257]int
	for _, s := range streams {
		for _, v := range s {
			freq[v.sym]++
		}
	}
	used := 0
	for _, f := range freq[:256] {
		if f > 0 {
			used++
		}
	}
	if used == 0 {
		freq[1] = 1 // an empty block still needs a valid table
	}
	freq[256] = 1

	// Code lengths from a plain Huffman merge over the used symbols.
	var size [257]int
	h := &nodeHeap{}
	for s, f := range freq {
		if f > 0 {
			heap.Push(h, &hnode{freq: f, syms: []int{s}})
		}
	}
	for h.Len() > 1 {
		a := heap.Pop(h).(*hnode)
		b := heap.Pop(h).(*hnode)
		for _, s := range a.syms {
			size[s]++
		}
		for _, s := range b.syms {
			size[s]++
		}
		heap.Push(h, &hnode{freq: a.freq + b.freq, syms: append(a.syms, b.syms...)})
	}
	if h.Len() == 1 && len(h.nodes[0].syms) == 1 {
		size[h.nodes[0].syms[0]] = 1
	}

	var bits [33]int
	for _, l := range size {
		if l > 0 {
			bits[min(l, 32)]++
		}
	}
	// Fold lengths above 16: take two codes of the longest length i; one parent moves up to
	// i-1, and a code of a shorter length j becomes two codes of length j+1.
	for i := 32; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	// Drop the reserved pseudo-symbol, which has the longest code.
	for i := 16; i > 0; i-- {
		if bits[i] > 0 {
			bits[i]--
			break
		}
	}

	// Symbols in order of their unlimited code length, then value; the folded lengths are
	// handed out in that order.
	syms := make([]int, 0, 256)
	for s := 0; s < 256; s++ {
		if size[s] > 0 {
			syms = append(syms, s)
		}
	}
	sort.SliceStable(syms, func(a, b int) bool { return size[syms[a]] < size[syms[b]] })

	t := &codeTable{}
	code, k := 0, 0
	for l := 1; l <= 16; l++ {
		t.counts[l-1] = byte(bits[l])
		for n := 0; n < bits[l]; n++ {
			s := syms[k]
			k++
			t.vals = append(t.vals, byte(s))
			t.code[s] = uint16(code)
			t.size[s] = uint8(l)
			code++
		}
		code <<= 1
	}
	return t
}

func (t *codeTable) dhtBody(id byte) []byte {
	b := append([]byte{id}, t.counts[:]...)
	return append(b, t.vals...)
}

type hnode struct {
	freq int
	syms []int
}

type nodeHeap struct{ nodes []*hnode }

func (h *nodeHeap) Len() int { return len(h.nodes) }
func (h *nodeHeap) Less(i, j int) bool {
	if h.nodes[i].freq != h.nodes[j].freq {
		return h.nodes[i].freq < h.nodes[j].freq
	}
	return len(h.nodes[i].syms) < len(h.nodes[j].syms)
}
func (h *nodeHeap) Swap(i, j int) { h.nodes[i], h.nodes[j] = h.nodes[j], h.nodes[i] }
func (h *nodeHeap) Push(x any)    { h.nodes = append(h.nodes, x.(*hnode)) }
func (h *nodeHeap) Pop() any {
	n := h.nodes[len(h.nodes)-1]
	h.nodes = h.nodes[:len(h.nodes)-1]
	return n
}

// coded appends a block's entropy-coded data: codes MSB first, a 0x00 stuffed after every
// 0xFF byte, the last byte padded with ones.
func (w *segWriter) coded(syms []symbol, t *codeTable) {
	var acc uint64
	var n uint
	put := func(v uint32, k uint) {
		acc = acc<<k | uint64(v)&(1<<k-1)
		n += k
		for n >= 8 {
			n -= 8
			b := byte(acc >> n)
			w.buf = append(w.buf, b)
			if b == 0xFF {
				w.buf = append(w.buf, 0)
			}
		}
	}
	pad := func() {
		if n > 0 {
			put(1<<(8-n)-1, 8-n)
		}
	}
	for i, s := range syms {
		if w.restartEvery > 0 && i > 0 && i%w.restartEvery == 0 {
			pad()
			w.marker(markerRST0 + w.restarts%8)
			w.restarts++
		}
		put(uint32(t.code[s.sym]), uint(t.size[s.sym]))
		if s.bits > 0 {
			put(uint32(s.extra), uint(s.bits))
		}
	}
	pad()
}
