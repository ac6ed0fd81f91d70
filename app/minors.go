package app

import (
	"github.com/fieldscreen/fieldscreen/forms"
)

// endScreening runs end (completing the form, ending at the deadline, closing) on c and
// then refuses it, leaving c as it was, while a minors' safeguard is missing with the
// terminal's accounts counted as officials: forms.Transition already refuses a (possible)
// minor's screening without the age answer, the companion or the child-friendly leaflet
// (forms.Case.ScreeningEndProblems, SR Art 13), but only the app knows the accounts, none of
// whom may be the companion (ASSUMPTION: SR Art 13(3) names a representative or a person
// trained to safeguard the child's interests and says nothing of officials; we read that
// safeguard as independent of the screening). After the screening limit nothing is refused
// here (forms.Case.ScreeningEndProblems: SR Art 18(1)).
func (x *cmdContext) endScreening(c *forms.Case, end func() error) error {
	saved := *c
	if err := end(); err != nil {
		return err
	}
	var staff []string
	if x.staff != nil {
		var err error
		if staff, err = x.staff(); err != nil {
			*c = saved
			return err
		}
	}
	if ps := c.ScreeningEndProblems(x.now, staff); len(ps) > 0 {
		to := c.Status
		*c = saved
		from := c.Status
		if from == "" {
			from = forms.StatusOpened
		}
		return &forms.TransitionError{From: from, To: to, Err: forms.ErrMinorsSafeguards, Problems: ps}
	}
	return nil
}
