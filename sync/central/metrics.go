package central

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Observability: /metrics in Prometheus text format, /healthz and /readyz, served by
// MetricsHandler on an address of their own (serve --metrics ADDR), never on the
// terminals' mutual-TLS port. Each instance counts what it served itself; the queue
// figures come from the store, so every instance of a shared store reports the same
// queue. No label carries a device or packet ID: metrics never identify a terminal.

type metrics struct {
	reg         *prometheus.Registry
	received    prometheus.Counter
	bytes       prometheus.Counter
	duplicates  prometheus.Counter
	conflicts   prometheus.Counter
	rateLimited *prometheus.CounterVec
	receipt     prometheus.Histogram
}

// QueueStatser is implemented by stores that count the downstream queue without listing
// it (PostgresStore); others are counted through PendingDownstream.
type QueueStatser interface {
	QueueStats() (depth int, oldest time.Time, err error)
}

// queueStats is the downstream queue's depth and the arrival time of its oldest packet.
func (s *Server) queueStats() (int, time.Time, error) {
	if q, ok := s.store.(QueueStatser); ok {
		return q.QueueStats()
	}
	n, oldest := 0, time.Time{}
	err := s.store.PendingDownstream(func(m PacketMeta) error {
		n++
		if oldest.IsZero() || m.ReceivedAt.Before(oldest) {
			oldest = m.ReceivedAt
		}
		return nil
	})
	return n, oldest, err
}

func (s *Server) initMetrics() {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.received = prometheus.NewCounter(prometheus.CounterOpts{Name: "fieldscreen_central_packets_received_total",
		Help: "Packets stored by this instance (new packet IDs, PUT or completed upload)."})
	m.bytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "fieldscreen_central_packet_bytes_received_total",
		Help: "Sealed bytes of the packets stored by this instance."})
	m.duplicates = prometheus.NewCounter(prometheus.CounterOpts{Name: "fieldscreen_central_duplicates_total",
		Help: "Packets sent again and answered with the stored receipt."})
	m.conflicts = prometheus.NewCounter(prometheus.CounterOpts{Name: "fieldscreen_central_conflicts_total",
		Help: "Packet IDs sent again with other content (422)."})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fieldscreen_central_rate_limited_total",
		Help: "Requests refused with 429, by limit."}, []string{"limit"})
	m.receipt = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fieldscreen_central_receipt_seconds",
		Help:    "Time from a packet request (PUT, or an upload's last PATCH) to its receipt, for requests answered with one.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}})
	depth := prometheus.NewDesc("fieldscreen_central_downstream_queue_depth", "Packets stored and not yet answered by the downstream.", nil, nil)
	age := prometheus.NewDesc("fieldscreen_central_downstream_queue_oldest_seconds", "Age of the oldest packet waiting for the downstream (0 when none waits).", nil, nil)
	m.reg.MustRegister(m.received, m.bytes, m.duplicates, m.conflicts, m.rateLimited, m.receipt,
		queueCollector{s: s, depth: depth, age: age},
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	for _, l := range []string{"device", "enrolment", "upload-quota"} {
		m.rateLimited.WithLabelValues(l) // present at 0 from the start
	}
	s.metrics = m
}

// queueCollector reads the queue figures from the store at each scrape.
type queueCollector struct {
	s          *Server
	depth, age *prometheus.Desc
}

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth; ch <- c.age }

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	n, oldest, err := c.s.queueStats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n))
	a := 0.0
	if !oldest.IsZero() {
		a = max(c.s.opt.Now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, a)
}

// timeReceipts observes the receipt latency of a packet route: answers 200/201 carry a
// receipt (a PATCH that is not an upload's last answers 204).
func (s *Server) timeReceipts(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		if sw.status == http.StatusOK || sw.status == http.StatusCreated {
			s.metrics.receipt.Observe(time.Since(start).Seconds())
		}
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Pinger is implemented by stores that can lose their connection (PostgresStore): Ping
// checks it answers and holds the schema this binary expects.
type Pinger interface {
	Ping(ctx context.Context) error
}

// MetricsHandler serves /metrics, /healthz (the process answers) and /readyz (the store
// answers and its schema is current: a load balancer sends terminals only to ready
// instances).
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := s.store.(Pinger); ok {
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			if err := p.Ping(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}
