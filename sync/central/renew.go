package central

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// issueCert issues a terminal certificate for pub, valid from an hour before now (clock
// skew) for one year. Terminals renew it from 30 days before its end (sync.RenewDue) over
// POST /v1/renew.
func (s *Server) issueCert(id string, pub ed25519.PublicKey, now time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: randSerial(), Subject: pkix.Name{CommonName: "terminal " + id},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return x509.CreateCertificate(rand.Reader, tmpl, s.keys.CA, pub, s.keys.CAKey)
}

// issued is the answer to an enrolment or a renewal: the certificate and what the terminal
// pins and verifies with.
func (s *Server) issued(id string, der []byte, now time.Time) fsync.EnrollResponse {
	return fsync.EnrollResponse{
		DeviceID: id, Certificate: der, CA: s.keys.CA.Raw, ServerPin: fsync.SPKIPin(s.keys.Server.Leaf),
		Recipient: s.keys.Identity.Recipient().String(), ReceiptKey: s.keys.ReceiptKey.Public().(ed25519.PublicKey),
		ServerTime: now.UTC().Format(time.RFC3339),
	}
}

// readCSR parses and verifies a DER certificate request with an Ed25519 key and returns the
// key and the device ID derived from it; otherwise it answers 400 and ok is false.
func readCSR(w http.ResponseWriter, der []byte) (pub ed25519.PublicKey, id string, ok bool) {
	csr, err := x509.ParseCertificateRequest(der)
	if err == nil {
		err = csr.CheckSignature()
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "bad-csr", "certificate request does not parse or verify", err.Error())
		return nil, "", false
	}
	pub, ok = csr.PublicKey.(ed25519.PublicKey)
	if !ok {
		problem(w, http.StatusBadRequest, "bad-csr", "certificate request must carry an Ed25519 key", "")
		return nil, "", false
	}
	return pub, fsync.DeviceIDFromSPKI(csr.RawSubjectPublicKeyInfo), true
}

// renew issues a fresh certificate to an enrolled, unrevoked terminal (mutual TLS with its
// current certificate) for the key it enrolled with: the device ID is derived from that
// key, so a new key is a new terminal and needs a new enrolment.
func (s *Server) renew(w http.ResponseWriter, r *http.Request, d Device) {
	var req fsync.RenewRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		problem(w, http.StatusBadRequest, "bad-request", "renewal request is not valid JSON", err.Error())
		return
	}
	pub, id, ok := readCSR(w, req.CSR)
	if !ok {
		return
	}
	if id != d.ID || !pub.Equal(ed25519.PublicKey(d.PublicKey)) {
		s.event(r, EventRefused, d.ID, "renewal for another key")
		problem(w, http.StatusUnprocessableEntity, "other-key", "certificate request is for another key",
			"a renewal keeps the key the terminal enrolled with (its device ID "+d.ID+" is derived from it): "+
				"sign the request with that key, or enrol a new key with a new token")
		return
	}
	unlock := s.lock("device/" + d.ID) // against a concurrent checkpoint or revocation
	defer unlock()
	d, err := s.store.Device(d.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		problem(w, http.StatusInternalServerError, "store", "could not read the terminal", "try again later")
		return
	}
	if err != nil || d.Revoked { // revoked (or removed) since the request came in
		problem(w, http.StatusForbidden, "revoked", "terminal revoked", "central revoked this terminal ("+d.RevokedReason+"): contact the central operator")
		return
	}
	now := s.opt.Now()
	der, err := s.issueCert(d.ID, pub, now)
	if err != nil {
		problem(w, http.StatusInternalServerError, "issue", "could not issue the certificate", "try again later")
		return
	}
	d.Cert, d.Renewed = der, now.UTC()
	if err := s.store.PutDevice(d); err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not store the renewed certificate", "try again later")
		return
	}
	writeJSON(w, http.StatusOK, s.issued(d.ID, der, now))
}
