package vault

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Large values (biometric images, document scans) are sealed as a chunked envelope (version 2):
// independent XChaCha20-Poly1305 chunks, STREAM-style, so that sealing and opening use every
// core. A chunk's nonce is the envelope's random prefix, the chunk index and a last-chunk flag,
// so chunks cannot be reordered, dropped from the end or spliced between records:
//
//	0       0x02
//	1..4    key version, uint32 BE
//	5..23   nonce prefix (19 random bytes)
//	24..    chunk 0 || chunk 1 || ... ; chunk i = Seal(K, prefix || i u32 BE || last u8, pt_i, aad)
//
// Every plaintext chunk is chunkSize bytes except the last, which holds 1..chunkSize bytes.
// aad is the record's associated data with version byte 2.
const (
	envChunked     = 2
	chunkSize      = 256 << 10
	chunkThreshold = 1 << 20 // values of at least this many bytes are sealed in chunks
	chunkPrefixLen = nonceSize - 5
	chunkedHeader  = 5 + chunkPrefixLen
)

func chunkNonce(prefix []byte, i int, last bool) []byte {
	n := make([]byte, 0, nonceSize)
	n = append(n, prefix...)
	n = binary.BigEndian.AppendUint32(n, uint32(i))
	if last {
		return append(n, 1)
	}
	return append(n, 0)
}

// inParallel runs fn(0..n-1) on up to GOMAXPROCS goroutines and returns the first error.
func inParallel(n int, fn func(i int) error) error {
	w := runtime.GOMAXPROCS(0)
	if w > n {
		w = n
	}
	errs := make([]error, w)
	var wg sync.WaitGroup
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < n; i += w {
				if err := fn(i); err != nil {
					errs[g] = err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// sealChunked seals pt (len > 0) into a version 2 envelope with the given nonce prefix.
func sealChunked(k []byte, keyVer uint32, prefix, ad, pt []byte) []byte {
	n := (len(pt) + chunkSize - 1) / chunkSize
	out := make([]byte, chunkedHeader+len(pt)+n*tagSize)
	out[0] = envChunked
	binary.BigEndian.PutUint32(out[1:5], keyVer)
	copy(out[5:chunkedHeader], prefix)
	_ = inParallel(n, func(i int) error {
		aead, err := chacha20poly1305.NewX(k)
		if err != nil {
			panic("vault: bad key length") // keys are always 32 bytes, made here
		}
		p := pt[i*chunkSize : min((i+1)*chunkSize, len(pt))]
		off := chunkedHeader + i*(chunkSize+tagSize)
		aead.Seal(out[off:off], chunkNonce(prefix, i, i == n-1), p, ad)
		return nil
	})
	return out
}

// openChunked opens the body of a version 2 envelope (everything after the key version).
func openChunked(k, ad, body []byte) ([]byte, error) {
	if len(k) != keySize || len(body) < chunkPrefixLen+tagSize+1 {
		return nil, fmt.Errorf("chunked record too short: %w", ErrIntegrity)
	}
	prefix, ct := body[:chunkPrefixLen], body[chunkPrefixLen:]
	full := chunkSize + tagSize
	n := (len(ct) + full - 1) / full
	if last := len(ct) - (n-1)*full; last <= tagSize {
		return nil, fmt.Errorf("chunked record's last chunk is empty: %w", ErrIntegrity)
	}
	out := make([]byte, len(ct)-n*tagSize)
	err := inParallel(n, func(i int) error {
		aead, _ := chacha20poly1305.NewX(k)
		c := ct[i*full : min((i+1)*full, len(ct))]
		if _, err := aead.Open(out[i*chunkSize:i*chunkSize], chunkNonce(prefix, i, i == n-1), c, ad); err != nil {
			return ErrIntegrity
		}
		return nil
	})
	if err != nil {
		clear(out)
		return nil, err
	}
	return out, nil
}
