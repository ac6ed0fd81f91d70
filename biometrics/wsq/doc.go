// Package wsq reads and writes FBI WSQ (Wavelet Scalar Quantization) grey-scale fingerprint
// images, the compression the FBI, Eurodac and ANSI/NIST-ITL Type-4/Type-14 records use for
// 500 ppi prints (spec: IAFIS-IC-0110 v3.1).
//
// The decoder reads every marker segment, restart markers, transmitted filter tables and any
// quantisation/Huffman tables. It accepts files whose transform filters have odd length (the
// 9/7 pair of FBI encoder #1, used by every reference file we test). Files with even-length
// filters, which the spec also allows, are rejected with ErrUnsupported: their
// boundary-extension and subband-phase rules are not implemented, and a guessed convention
// could yield a plausible but wrong print. Restart markers are accepted wherever a Huffman code
// may start; the DRI interval is read but not checked. FBI decoder certification requires both
// even-length filters and restart handling, so this decoder is not certifiable as it stands.
//
// The encoder follows FBI encoder #1 (Part 3: 9/7 filters, 64 subbands, bit allocation for a
// target rate, Z = 1.2 Q, C = 0.44, per-image Huffman tables) but it is NOT FBI-certified:
// certification is granted per implementation and platform after NIST compares the output
// against its reference. Always keep a lossless copy (PNG) of every capture so a certified
// encoder can re-encode it if a receiver demands certified WSQ.
//
// Decoding allocates in proportion to the declared image size, which is checked against
// MaxPixels before any allocation.
package wsq
