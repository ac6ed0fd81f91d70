package app

// encodeWSQ compresses a lossless finger image for the Eurodac transaction. Until the WSQ
// codec lands this reports that it has none, and only the lossless copy is stored.
func encodeWSQ(pngBytes []byte, ppi int) ([]byte, error) {
	return nil, errNoWSQ
}

var errNoWSQ = errorString("WSQ codec not available")

type errorString string

func (e errorString) Error() string { return string(e) }
