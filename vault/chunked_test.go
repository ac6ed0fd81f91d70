package vault

import (
	"bytes"
	"errors"
	"testing"
)

func TestChunkedRoundTripSizes(t *testing.T) {
	path, key := []byte("case/x"), []byte{tagBiometric, 'f'}
	for _, n := range []int{chunkThreshold - 1, chunkThreshold, chunkThreshold + 1, 5 * chunkSize, 5*chunkSize + 1, 4<<20 + 7} {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte(i * 7)
		}
		sealed := sealRecord(fuzzKey, 9, path, key, tagBiometric, pt)
		wantVersion := byte(formatVersion)
		if n >= chunkThreshold {
			wantVersion = envChunked
		}
		if sealed[0] != wantVersion {
			t.Fatalf("%d bytes sealed as version %d, want %d", n, sealed[0], wantVersion)
		}
		env, err := parseEnvelope(sealed)
		if err != nil {
			t.Fatal(err)
		}
		got, err := openRecord(fuzzKey, env, path, key, tagBiometric)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: round trip failed: %v", n, err)
		}
		// The same bytes under another record key or class do not open.
		if _, err := openRecord(fuzzKey, env, path, []byte{tagBiometric, 'g'}, tagBiometric); !errors.Is(err, ErrIntegrity) {
			t.Fatalf("%d bytes opened under another key: %v", n, err)
		}
	}
}

func TestChunkedTamper(t *testing.T) {
	path, key := []byte("case/x"), []byte{tagBiometric, 'f'}
	pt := bytes.Repeat([]byte("ridge "), (5*chunkSize+1000)/6)
	sealed := sealRecord(fuzzKey, 1, path, key, tagBiometric, pt)
	open := func(b []byte) error {
		env, err := parseEnvelope(b)
		if err != nil {
			return ErrIntegrity
		}
		got, err := openRecord(fuzzKey, env, path, key, tagBiometric)
		if err == nil && !bytes.Equal(got, pt) {
			t.Fatal("opened to other data")
		}
		return err
	}
	full := chunkSize + tagSize
	cases := map[string]func() []byte{
		"drop the last chunk": func() []byte { return sealed[:chunkedHeader+5*full] },
		"drop the first chunk": func() []byte {
			return append(append([]byte(nil), sealed[:chunkedHeader]...), sealed[chunkedHeader+full:]...)
		},
		"swap two chunks": func() []byte {
			b := append([]byte(nil), sealed...)
			c1 := append([]byte(nil), b[chunkedHeader:chunkedHeader+full]...)
			copy(b[chunkedHeader:], b[chunkedHeader+full:chunkedHeader+2*full])
			copy(b[chunkedHeader+full:], c1)
			return b
		},
		"append a byte": func() []byte { return append(append([]byte(nil), sealed...), 0) },
		"other version": func() []byte {
			b := append([]byte(nil), sealed...)
			b[0] = formatVersion
			return b
		},
	}
	for name, mk := range cases {
		if err := open(mk()); !errors.Is(err, ErrIntegrity) {
			t.Errorf("%s: %v, want ErrIntegrity", name, err)
		}
	}
	for pos := 0; pos < len(sealed); pos += 4099 {
		b := append([]byte(nil), sealed...)
		b[pos] ^= 1
		if err := open(b); !errors.Is(err, ErrIntegrity) {
			t.Fatalf("flip at %d: %v", pos, err)
		}
	}
}

// TestChunkedThroughVault stores a 4 MiB biometric record through the API and tampers with it
// in the file.
func TestChunkedThroughVault(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	img := bytes.Repeat([]byte("wsq "), 1<<20)
	id := putCase(t, officer, Biometric, "finger-01", img)
	if got, err := getCase(officer, id, Biometric, "finger-01"); err != nil || !bytes.Equal(got, img) {
		t.Fatalf("4 MiB record: %v", err)
	}
	path := [][]byte{bCases, []byte(id), bCaseRec}
	flipRaw(t, v, path, caseRecKey(tagBiometric, "finger-01"), 3*chunkSize)
	if got, err := getCase(officer, id, Biometric, "finger-01"); !errors.Is(err, ErrIntegrity) || got != nil {
		t.Fatalf("tampered 4 MiB record: %v", err)
	}
}
