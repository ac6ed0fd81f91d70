package wsq

// The analysis filter pair of FBI encoder #1 (spec Part 3): a 9-tap low pass and a 7-tap high
// pass, both whole-sample symmetric, centre tap first. Encoders transmit them in the DTT
// segment; the decoder always uses the transmitted values.
var (
	specLowpass = [5]float32{
		0.85269867900940, 0.37740285561265, -0.11062440441842, -0.02384946501938, 0.03782845550699,
	}
	specHighpass = [4]float32{
		0.78848561640566, -0.41809227322221, -0.04068941760955, 0.06453888262893,
	}
)
