// Package forms is the screening domain of fieldscreen: the screening Case (Regulation (EU)
// 2024/1356) with its trigger, information given, declared and documented identity, checks,
// biometrics plan and referral; its JSON import/export format; the lifecycle; the legal
// deadlines; the age rules for biometric capture; and validation that reports every problem
// at once in Dutch and English.
//
// It is pure domain logic: it stores nothing, talks to no device and no network, and imports
// nothing of ours beyond assets. The app layer decides when to call Validate and Transition and
// where the result is stored. Health details are a separate type (HealthDetails) because the
// app keeps them in the medic-only health data class; a Case carries only the outcome the
// screening form needs.
//
// The printed screening form and the information leaflet live in the sub-package forms/pdf.
// The JSON format is documented field by field in docs/case-schema.md.
package forms
