package storetest

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestTokensOneTime: an enrolment token is consumed by its first use.
func (suite *Suite) TestTokensOneTime(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h := sha256.Sum256([]byte("secret"))
	if err := s.UseToken(h, now); !errors.Is(err, central.ErrUnknownToken) {
		t.Fatalf("unknown: %v", err)
	}
	if err := s.AddToken(h, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.UseToken(h, now.Add(59*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UseToken(h, now.Add(time.Minute)); !errors.Is(err, central.ErrTokenUsed) {
		t.Fatalf("reuse: %v", err)
	}
}

// TestTokensExpire: a token cannot be used from its expiry on, and an expired token is not consumed; records without an expiry expire DefaultTokenTTL after their creation.
func (suite *Suite) TestTokensExpire(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		expires time.Time // zero: a record from before tokens expired
		at      time.Time
		want    time.Time // expiry reported; zero: the token is accepted
	}{
		{"used in time", created.Add(2 * time.Hour), created.Add(2*time.Hour - time.Second), time.Time{}},
		{"used at its expiry", created.Add(2 * time.Hour), created.Add(2 * time.Hour), created.Add(2 * time.Hour)},
		{"used after its expiry", created.Add(2 * time.Hour), created.Add(30 * 24 * time.Hour), created.Add(2 * time.Hour)},
		{"old record in its first day", time.Time{}, created.Add(23 * time.Hour), time.Time{}},
		{"old record after a day", time.Time{}, created.Add(central.DefaultTokenTTL), created.Add(central.DefaultTokenTTL)},
	} {
		h := sha256.Sum256([]byte("secret " + tc.name))
		if err := s.AddToken(h, created, tc.expires); err != nil {
			t.Fatal(err)
		}
		err := s.UseToken(h, tc.at)
		if tc.want.IsZero() {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var te *central.TokenExpiredError
		if !errors.Is(err, central.ErrTokenExpired) || !errors.As(err, &te) || !te.Expired.Equal(tc.want) {
			t.Errorf("%s: got %v, want expired at %s", tc.name, err, tc.want)
			continue
		}
		// An expired token is not consumed: it stays expired, never turns into "used".
		if err := s.UseToken(h, tc.at); !errors.Is(err, central.ErrTokenExpired) {
			t.Errorf("%s: second use: %v", tc.name, err)
		}
	}
}
