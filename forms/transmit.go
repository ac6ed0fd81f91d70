package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// FormPacket records one transmission of the screening form to the authority the person is
// referred to (SR Art 18). Only the terminal writes these, when it queues the packet.
type FormPacket struct {
	PacketID string `json:"packetId"`
	// Version counts the form's versions under the case reference: a corrected form is
	// sent again with the next version and supersedes the earlier one. An addendum keeps
	// the version of the form it adds to.
	Version int `json:"version"`
	// Addendum: a late security-check result forwarded after the form was sent with the
	// check open (SR Art 18(5)); Systems names the checks it reports.
	Addendum bool     `json:"addendum,omitempty"`
	Systems  []string `json:"systems,omitempty"`
	// Open lists the checks still open when this version was sent (SR Art 18(5)).
	Open []string `json:"open,omitempty"`
	// To is the referral target the form went to (asylum, return, relocation).
	To ReferralTarget `json:"to"`
	// Digest identifies the form's content (FormDigest) this version carried.
	Digest string    `json:"digest,omitempty"`
	At     time.Time `json:"at"`
}

// FormSending is what the terminal must send now: a version of the form, or an addendum.
type FormSending struct {
	Version    int
	Supersedes string // the packet of the version this one replaces, or ""
	Addendum   bool
	// Systems are the checks an addendum reports (answered since the version was sent
	// while they were open).
	Systems []string
	// Open are the checks still open, named on the form (SR Art 18(5)).
	Open   []string
	Digest string
	// Corrected names the fields a supervisor corrected since the version before (ER Art
	// 40(3)): the version is sent as a correction.
	Corrected []string
}

// FormDue says whether the screening form must be (re)sent now, and what (SR Art 18): once
// the person is referred (status referred or closed) the form goes to the receiving
// authority; after a correction of its content the form is sent again as the next version,
// which supersedes the earlier one under the same case reference; checks that were open
// when the form went (SR Art 18(5)) and have since been answered are forwarded as an
// addendum to the version sent: a hit at once, other answers together once every check
// open at the sending has answered. The security checks' answers are not part of the version's content
// (they are the system's, never corrected by an officer), so a late answer makes an
// addendum, never a new version.
func (c *Case) FormDue() (FormSending, bool) {
	if c.Referral.To == "" || (c.status() != StatusReferred && c.status() != StatusClosed) {
		return FormSending{}, false
	}
	digest := c.FormDigest()
	var last *FormPacket
	reported := map[string]bool{}
	for i := range c.FormPackets {
		p := &c.FormPackets[i]
		if p.Addendum {
			for _, s := range p.Systems {
				reported[s] = true
			}
			continue
		}
		last = p
		reported = map[string]bool{} // an addendum reports against the version before it
	}
	pending := map[string]bool{}
	for _, s := range c.PendingChecks() {
		pending[s] = true
	}
	if last == nil || last.Digest != digest || last.To != c.Referral.To {
		s := FormSending{Version: 1, Open: c.PendingChecks(), Digest: digest}
		if last != nil {
			s.Corrected = c.pendingFormCorrections()
			s.Version, s.Supersedes = last.Version+1, last.PacketID
		}
		return s, true
	}
	var late []string
	hit, waiting := false, false
	for _, sys := range last.Open {
		switch {
		case pending[sys]:
			waiting = true
		case !reported[sys]:
			late = append(late, sys)
			hit = hit || c.checkStatus(sys) == CheckHit
		}
	}
	// ASSUMPTION: a late hit is forwarded at once; other late answers together, once every
	// check open at the sending has answered (one addendum, not one per system).
	if len(late) == 0 || waiting && !hit {
		return FormSending{}, false
	}
	return FormSending{Version: last.Version, Supersedes: last.PacketID, Addendum: true, Systems: late,
		Open: c.PendingChecks(), Digest: digest}, true
}

func (c *Case) checkStatus(system string) CheckStatus {
	for _, ch := range c.Checks {
		if ch.System == system {
			return ch.Status
		}
	}
	return ""
}

// RecordFormPacket records that s was queued as packet id at now; a corrected version
// is noted on the corrections it carries.
func (c *Case) RecordFormPacket(s FormSending, packetID string, now time.Time) {
	if !s.Addendum {
		for i := range c.Corrections {
			if k := &c.Corrections[i]; k.Form && k.FormPacket == "" {
				k.FormPacket, k.FormVersion = packetID, s.Version
			}
		}
	}
	c.FormPackets = append(c.FormPackets, FormPacket{PacketID: packetID, Version: s.Version, Addendum: s.Addendum,
		Systems: s.Systems, Open: s.Open, To: c.Referral.To, Digest: s.Digest, At: now.UTC()})
}

// FormDigest identifies the content of the screening form: the case without what the
// terminal records about it afterwards (the form packets, the lifecycle history and
// status, the Eurodac registration's reference and time) and without the security checks'
// answers (forwarded as addenda, see FormDue). The corrections' record is left out too: it
// changes when their packets are noted, and each correction changes the content anyway.
func (c *Case) FormDigest() string {
	cp := *c
	cp.FormPackets, cp.History, cp.Status, cp.Checks, cp.Corrections = nil, nil, "", nil, nil
	cp.Eurodac = Eurodac{Category: c.Eurodac.Category}
	b, _ := json.Marshal(cp)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
