// Package synth makes deterministic synthetic biometric samples: fingerprints
// (single fingers and 4-4-2 slaps) and a frontal face image, for the device
// simulator, tests and demos. No real person's data is involved.
//
// Fingerprints follow the SFinGe approach of Cappelli, Maio and Maltoni:
//
//  1. a finger-shaped silhouette (an ellipse cap over a rounded rectangle);
//  2. a master orientation field from the singular points of the pattern
//     class (arch: none, loop: one core and one delta, whorl: two of each)
//     using the Sherlock–Monro zero-pole model
//     θ = ½[Σ arg(z−core) − Σ arg(z−delta)], and a smooth hump model for arches;
//  3. a ridge-period map around 9 px (500 ppi), shorter near the core;
//  4. ridge growth: a sparse random seed image is filtered again and again
//     with a space-variant Gabor filter tuned to the local orientation and
//     period, with a saturating non-linearity, until ridges fill the
//     silhouette (minutiae appear where growth fronts meet);
//  5. rendering to 8-bit grey at 500 ppi: dark ridges on a light background,
//     with a soft silhouette edge and a smooth pressure variation.
//
// Everything is driven by one seed through a private splitmix64 generator,
// so the same seed gives the same pixels (on one CPU architecture: compilers
// may fuse multiply-adds on arm64, which changes rounding).
//
// Degrade applies controlled capture defects (blur, noise, low contrast,
// missing part, smudge) to any grey image; the quality package's tests use it
// to check that its score falls as each defect grows.
//
// This is not a generator of realistic impostor data for evaluating matchers:
// the prints have plausible ridge flow and frequency, but minutiae statistics
// are not calibrated.
package synth
