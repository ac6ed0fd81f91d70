package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// deviceRecords backs hardware's pairing registry with a vault transaction: the devices
// data class for pairings, the audit log for pair and unpair.
type deviceRecords struct{ tx *vault.Tx }

// DeviceRecords adapts a vault transaction to hardware.Records (for fieldscreenctl).
func DeviceRecords(tx *vault.Tx) hardware.Records { return deviceRecords{tx} }

func (r deviceRecords) Get(bucket, key string) ([]byte, error) {
	b, err := r.tx.Get(vault.Devices, bucket, key)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

func (r deviceRecords) Put(bucket, key string, value []byte) error {
	return r.tx.Put(vault.Devices, bucket, key, value)
}

func (r deviceRecords) Delete(bucket, key string) error {
	return r.tx.Delete(vault.Devices, bucket, key)
}

func (r deviceRecords) ForEach(bucket string, fn func(key string, value []byte) error) error {
	return r.tx.ForEach(vault.Devices, bucket, fn)
}

func (r deviceRecords) Audit(action, detail string) error {
	return r.tx.Audit(vault.AuditEvent{Action: action, Class: vault.Devices, Detail: detail})
}

// Pairings lists the devices paired on this terminal.
func (s *Session) Pairings() ([]hardware.Pairing, error) {
	var ps []hardware.Pairing
	err := s.vs.View(func(tx *vault.Tx) error {
		var err error
		ps, err = hardware.Pairings(deviceRecords{tx})
		return err
	})
	return ps, err
}

// PairDevice records a device after the technician saw its identity and a test capture.
func (s *Session) PairDevice(id hardware.Identity, testScore int) error {
	s.Touch()
	return s.vs.Update(func(tx *vault.Tx) error {
		_, err := hardware.Pair(deviceRecords{tx}, id, testScore, s.nowFunc())
		return err
	})
}

// UnpairDevice removes a pairing; captures from that device are refused afterwards.
func (s *Session) UnpairDevice(deviceID string) error {
	s.Touch()
	return s.vs.Update(func(tx *vault.Tx) error { return hardware.Unpair(deviceRecords{tx}, deviceID) })
}

// ReadDocument reads a travel document's MRZ from a paired document reader and returns it
// as a forms.Document with the check-digit result. The reading is not stored until the
// officer saves the case.
func (s *Session) ReadDocument(ctx context.Context, dev hardware.Device) (forms.Document, *mrz.Result, error) {
	s.Touch()
	pairings, err := s.Pairings()
	if err != nil {
		return forms.Document{}, nil, fmt.Errorf("read document: %w", err)
	}
	if err := hardware.Check(pairings, dev.Identity()); err != nil {
		return forms.Document{}, nil, err
	}
	c, err := dev.Capture(ctx, hardware.Request{Target: hardware.Target{Kind: hardware.Document}})
	if err != nil {
		return forms.Document{}, nil, err
	}
	if err := hardware.Check(pairings, c.Device); err != nil {
		return forms.Document{}, nil, err
	}
	res, err := mrz.Parse(c.Lines, s.nowFunc())
	if err != nil {
		return forms.Document{}, nil, fmt.Errorf("the document reader sent lines that are not an MRZ (%w): clean the document window and read it again, or type the data", err)
	}
	return DocumentFromMRZ(res), res, nil
}

// DocumentFromMRZ maps a parsed MRZ to the case's document record (the documented identity,
// kept apart from the declared one).
func DocumentFromMRZ(r *mrz.Result) forms.Document {
	d := forms.Document{
		Type:         r.DocumentCode,
		Number:       r.DocumentNumber,
		IssuingState: r.IssuingState,
		Source:       "mrz",
		Holder: forms.Identity{
			Surnames:   strings.Fields(r.Surname),
			GivenNames: strings.Fields(r.GivenNames),
			Sex:        forms.Sex(r.Sex),
		},
	}
	if r.Nationality != "" {
		d.Holder.Nationalities = []string{r.Nationality}
	}
	if bd, err := forms.ParsePartialDate(r.BirthDate); err == nil {
		d.Holder.BirthDate = bd
	}
	if ed, err := forms.ParsePartialDate(r.ExpiryDate); err == nil {
		d.ExpiryDate = ed
	}
	return d
}
