// Package wsq reads and writes FBI WSQ (Wavelet Scalar Quantization) grey-scale fingerprint
// images, the compression the FBI, Eurodac and ANSI/NIST-ITL Type-4/Type-14 records use for
// 500 ppi prints (spec: IAFIS-IC-0110 v3.1).
//
// The decoder reads every marker segment, transmitted filter tables and any quantisation and
// Huffman tables. It decodes odd-length filter pairs (the 9/7 pair of FBI encoder #1) and
// even-length pairs (such as 2/6 and NBIS's 8/8 bank) the way NIST NBIS 5.0.0 does; the
// tests compare it with NBIS's output on reference files of both kinds (testdata/README.md).
// Even pairs NBIS itself gets wrong (half-lengths of different parity, e.g. 2/4), mixed
// odd/even pairs, and even pairs on images so small that a line is shorter than the filters
// are refused with ErrUnsupported. A DTT whose length field says 58 whatever its filters (as
// NBIS's writer does) is read by its filter lengths, as NBIS's reader does.
//
// Restart markers (RST0-RST7) are accepted wherever a Huffman code may start, and the DRI
// segment is read but its interval is not checked. ASSUMPTION (not sourced): the interval
// counts Huffman-coded symbols, which is what this package's test-only restart writer does.
// NBIS 5.0.0 neither writes nor accepts DRI, so no reference file exists; since the decoder
// never uses the interval, a different unit in the specification changes nothing it
// decodes, only what a writer would have to emit.
//
// The encoder follows FBI encoder #1 (Part 3: 9/7 filters, 64 subbands, bit allocation for a
// target rate, Z = 1.2 Q, C = 0.44, per-image Huffman tables) but it is NOT FBI-certified:
// certification is granted per implementation and platform after NIST compares the output
// against its reference. Always keep a lossless copy (PNG) of every capture so a certified
// encoder can re-encode it if a receiver demands certified WSQ.
//
// Decoding allocates in proportion to the declared image size. Before any such allocation
// the size is checked against MaxSide and MaxPixels, and a first pass over the coded data
// checks that it covers every coefficient of that size (docs/SECURITY.md, docs/wsq.md).
package wsq
