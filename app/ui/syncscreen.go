package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// showSync: the outbox grouped by case (packetList, syncgroups.go) with each packet's kind,
// legal deadline (from forms) and what to do when refused or stuck; last contact, breaker,
// an alarm for the most urgent Eurodac packet at forms' warning level, pause/resume, "send
// now", enrolment and export to removable media.
func (u *UI) showSync() {
	msg := errorLabel()
	info := widget.NewLabel("")
	info.Wrapping = fyne.TextWrapWord
	alarm := widget.NewLabel("")
	alarm.Wrapping = fyne.TextWrapWord
	alarm.TextStyle.Bold = true
	late := widget.NewLabel("") // results for cases no longer here: shown, never dropped
	late.Wrapping = fyne.TextWrapWord
	late.Importance = widget.DangerImportance
	packets := newPacketList(u)
	u.syncPackets = packets
	refresh := func() {
		st, err := u.sess.SyncStatus()
		if err != nil {
			setError(msg, errorText(err))
			return
		}
		groups, err := u.sess.PacketGroups()
		if err != nil {
			setError(msg, errorText(err))
		}
		packets.show(groups)
		contact := T("sync.never")
		if st.LastContact != nil && !st.LastContact.IsZero() {
			contact = st.LastContact.Local().Format("2006-01-02 15:04:05")
		}
		state := T("sync.running")
		if st.Paused {
			state = T("sync.paused")
		}
		summary := Tf("sync.summary", st.Pending, sizeText(st.PendingBytes), st.Delivered, contact, T("breaker."+strings.ReplaceAll(st.Breaker, "-", "_")), state)
		if st.AwaitingResults > 0 {
			summary += "\n" + Tf("sync.awaiting", st.AwaitingResults)
		}
		info.SetText(summary)
		// The alarm follows forms' level of the most urgent Eurodac packet's deadline.
		first, level, _ := u.sess.EurodacAlarm()
		switch {
		case first == nil:
			alarm.SetText("")
			alarm.Importance = widget.MediumImportance
		case level == forms.LevelOverdue:
			alarm.Importance = widget.DangerImportance
			alarm.SetText(Tf("sync.eurodacOverdue", timeText(first.Deadline)))
		case level == forms.LevelWarning:
			alarm.Importance = widget.DangerImportance
			alarm.SetText(Tf("sync.eurodacAlarm", timeText(first.Deadline), left(first.Deadline, u.sess.Now())))
		default:
			alarm.Importance = widget.MediumImportance
			alarm.SetText(Tf("sync.eurodacDue", timeText(first.Deadline), left(first.Deadline, u.sess.Now())))
		}
		if st.AuditRollback != nil {
			alarm.Importance = widget.DangerImportance
			alarm.SetText(Tf("sync.auditRollback", st.AuditRollback.Detected.Local().Format("2006-01-02 15:04")))
		}
		late.SetText("")
		if len(st.LateResults) > 0 {
			var b strings.Builder
			for _, l := range st.LateResults {
				fmt.Fprintf(&b, "%s %s %s · %s · %s\n", l.Type, l.System, l.Outcome, l.Why, Tf("sync.caseID", shortID(l.CaseID)))
			}
			late.SetText(T("sync.lateResults") + "\n" + b.String())
		}
		if len(st.Refused) > 0 {
			setError(msg, plural("sync.refusedBelow", len(st.Refused)))
		}
	}
	bar := newBusyBar()
	sendNow := widget.NewButton(T("sync.sendNow"), nil)
	sendNow.OnTapped = func() {
		u.touch()
		setError(msg, "")
		var rep fsync.Report
		busy(bar, sendNow, func() (err error) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep, err = u.sess.SyncOnce(ctx)
			return err
		}, func(err error) {
			switch {
			case err != nil:
				setError(msg, Tf("sync.failed", errorText(err)))
			case rep.Offline != nil:
				setError(msg, errorText(rep.Offline))
			case rep.RenewErr != nil:
				setError(msg, Tf("sync.renewFailed", errorText(rep.RenewErr)))
			}
			refresh()
		})
	}
	pause := widget.NewButton(T("sync.pause"), func() {
		u.touch()
		st, _ := u.sess.SyncStatus()
		if err := u.sess.SetSyncPaused(!st.Paused); err != nil {
			setError(msg, errorText(err))
		}
		refresh()
	})
	export := widget.NewButton(T("sync.export"), func() {
		u.touch()
		dir := u.sess.ExportDir()
		n, err := u.sess.ExportPackets(dir)
		if err != nil {
			setError(msg, errorText(err))
			return
		}
		setError(msg, "")
		info.SetText(Tf("sync.exported", n, dir))
	})
	url := widget.NewEntry()
	url.SetPlaceHolder("https://central.example:8443")
	url.SetText(u.term.Config().CentralURL)
	token := widget.NewEntry()
	token.SetPlaceHolder(T("sync.token"))
	enrol := widget.NewButton(T("sync.enrol"), nil)
	enrol.OnTapped = func() {
		u.touch()
		busy(bar, enrol, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return u.sess.Enrol(ctx, strings.TrimSpace(url.Text), strings.TrimSpace(token.Text))
		}, func(err error) {
			if err != nil {
				setError(msg, errorText(err))
				return
			}
			u.startSyncWorker()
			u.showSync()
		})
	}
	var top fyne.CanvasObject
	if u.sess.Enrolled() {
		top = container.NewVBox(container.NewHBox(sendNow, pause, export), bar, info, alarm, late, msg)
	} else {
		intro := widget.NewLabel(T("sync.notEnrolled"))
		intro.Wrapping = fyne.TextWrapWord
		top = container.NewVBox(intro, widget.NewForm(widget.NewFormItem(T("sync.central"), url), widget.NewFormItem(T("sync.tokenLabel"), token)), enrol, bar, container.NewHBox(export), info, msg)
	}
	refresh()
	u.showSection("sync", container.NewBorder(top, nil, nil, nil, packets.list))
}

// startSyncWorker drains the outbox in the background while the session is unlocked. It
// never touches the UI directly; the sync screen reads the status when shown.
func (u *UI) startSyncWorker() {
	if u.sess == nil || !u.sess.Enrolled() || u.syncCancel != nil {
		return
	}
	w, err := u.sess.NewSyncWorker(u.sess.SyncOptions())
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.syncCancel = cancel
	go w.Run(ctx, 30*time.Second)
}

func (u *UI) stopSyncWorker() {
	if u.syncCancel != nil {
		u.syncCancel()
		u.syncCancel = nil
	}
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}

func kindKey(kind string) string { return strings.ReplaceAll(kind, "-", "_") }

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
