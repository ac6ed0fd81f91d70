package sbi

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SBI signs with RFC 7515 JWS compact serialisation, RS256, and the signer's
// certificate in the x5c header. These helpers do exactly that with the
// standard library; no other algorithm is accepted (no "none", no HS256).

type jwsHeader struct {
	Alg string   `json:"alg"`
	Typ string   `json:"typ,omitempty"`
	X5c []string `json:"x5c"`
}

var b64 = base64.RawURLEncoding

// Sign makes a JWS compact RS256 token over payload with cert in x5c.
func Sign(payload []byte, key *rsa.PrivateKey, certDER []byte) (string, error) {
	h, _ := json.Marshal(jwsHeader{Alg: "RS256", Typ: "JWT", X5c: []string{base64.StdEncoding.EncodeToString(certDER)}})
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign jws: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// ErrBadSignature marks a JWS whose signature does not verify.
var ErrBadSignature = errors.New("jws signature does not verify")

// Verify checks a JWS compact RS256 token against the first x5c certificate
// and returns the payload and that certificate. It checks the signature only:
// the caller decides whether it trusts the certificate (pinning).
func Verify(token string) (payload []byte, cert *x509.Certificate, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("jws: %d parts, want 3", len(parts))
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, nil, fmt.Errorf("jws header: %w", err)
	}
	var h jwsHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, nil, fmt.Errorf("jws header: %w", err)
	}
	if h.Alg != "RS256" {
		return nil, nil, fmt.Errorf("jws algorithm %q not accepted (want RS256)", h.Alg)
	}
	if len(h.X5c) == 0 {
		return nil, nil, errors.New("jws header has no x5c certificate")
	}
	der, err := base64.StdEncoding.DecodeString(h.X5c[0])
	if err != nil {
		return nil, nil, fmt.Errorf("jws x5c: %w", err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("jws x5c: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < 2048 {
		return nil, nil, errors.New("jws x5c: not an RSA key of at least 2048 bits")
	}
	payload, err = b64.DecodeString(parts[1])
	if err != nil {
		return nil, nil, fmt.Errorf("jws payload: %w", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, nil, fmt.Errorf("jws signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return nil, nil, ErrBadSignature
	}
	return payload, cert, nil
}

// UnsignedPayload decodes the payload of a token that may be unsigned
// (discovery's digitalId, an unregistered device's deviceInfo): plain
// base64url JSON, or the middle part of a JWS. Nothing in it is trusted.
func UnsignedPayload(s string) ([]byte, error) {
	if parts := strings.Split(s, "."); len(parts) == 3 {
		s = parts[1]
	}
	b, err := b64.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("base64url payload: %w", err)
	}
	return b, nil
}
