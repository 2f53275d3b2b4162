// Command loadgen sends HTTP GETs at a fixed rate (open loop) and prints one JSON summary.
//
// Requests are scheduled at start + i/rate whatever the server does, and each latency is
// measured from its scheduled time, so a stalled server shows up in the tail instead of
// slowing the generator down (no coordinated omission). Stdlib only; the project's own
// client is not involved.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

type result struct {
	latency time.Duration // from the scheduled send time to the end of the body
	service time.Duration // from the actual send to the end of the body
	status  int           // 0 on a transport error
}

type summary struct {
	Rate         float64        `json:"rate"`
	Achieved     float64        `json:"achieved"`
	Seconds      float64        `json:"seconds"`
	Requests     int            `json:"requests"`
	Errors       int            `json:"errors"`
	Dropped      int            `json:"dropped"`
	Statuses     map[string]int `json:"statuses"`
	P50ms        float64        `json:"p50_ms"`
	P90ms        float64        `json:"p90_ms"`
	P99ms        float64        `json:"p99_ms"`
	P999ms       float64        `json:"p999_ms"`
	MaxMs        float64        `json:"max_ms"`
	ServiceP50ms float64        `json:"service_p50_ms"`
	ServiceP99ms float64        `json:"service_p99_ms"`
	Bytes        int64          `json:"bytes"`
}

func main() {
	rate := flag.Float64("rate", 100, "requests per second")
	duration := flag.Duration("duration", 5*time.Second, "how long to send")
	urlsFile := flag.String("urls", "", "file with one URL per line, used round robin")
	conns := flag.Int("connections", 64, "most connections (and requests in flight)")
	timeout := flag.Duration("timeout", 5*time.Second, "per-request timeout")
	warmup := flag.Duration("warmup", time.Second, "unmeasured lead-in at the same rate")
	flag.Parse()
	urls, err := readLines(*urlsFile)
	if err != nil || len(urls) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: need -urls FILE with at least one URL:", err)
		os.Exit(2)
	}
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns,
		DisableCompression: true,
	}}
	run(client, urls, *rate, *warmup, *conns, nil)
	results := make([]result, 0, int(*rate*duration.Seconds())+1)
	var mu sync.Mutex
	start := time.Now()
	total := run(client, urls, *rate, *duration, *conns, func(r result) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	out := summarise(results, *rate, elapsed)
	out.Dropped = total.dropped
	out.Bytes = total.bytes
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		os.Exit(1)
	}
}

type totals struct {
	dropped int
	bytes   int64
}

// run schedules rate*duration requests; at most conns are in flight, later ones are dropped.
func run(client *http.Client, urls []string, rate float64, duration time.Duration, conns int,
	record func(result)) totals {
	n := int(rate * duration.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	slots := make(chan struct{}, conns*4) // queue up to 4 per connection, then drop
	var wg sync.WaitGroup
	var mu sync.Mutex
	var t totals
	start := time.Now()
	for i := 0; i < n; i++ {
		scheduled := start.Add(time.Duration(i) * interval)
		if d := time.Until(scheduled); d > 0 {
			time.Sleep(d)
		}
		select {
		case slots <- struct{}{}:
		default:
			mu.Lock()
			t.dropped++
			mu.Unlock()
			if record != nil {
				record(result{latency: time.Since(scheduled), status: -1})
			}
			continue
		}
		wg.Add(1)
		go func(url string, scheduled time.Time) {
			defer wg.Done()
			defer func() { <-slots }()
			sent := time.Now()
			status, size := get(client, url)
			done := time.Now()
			mu.Lock()
			t.bytes += size
			mu.Unlock()
			if record != nil {
				record(result{latency: done.Sub(scheduled), service: done.Sub(sent), status: status})
			}
		}(urls[i%len(urls)], scheduled)
	}
	wg.Wait()
	return t
}

func get(client *http.Client, url string) (int, int64) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	size, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, size
	}
	return resp.StatusCode, size
}

func summarise(results []result, rate float64, elapsed time.Duration) summary {
	s := summary{Rate: rate, Seconds: elapsed.Seconds(), Requests: len(results),
		Statuses: map[string]int{}}
	var lat, svc []float64
	ok := 0
	for _, r := range results {
		key := fmt.Sprint(r.status)
		if r.status == 0 {
			key = "transport_error"
		} else if r.status < 0 {
			key = "dropped"
		}
		s.Statuses[key]++
		if r.status < 200 || r.status >= 300 {
			s.Errors++
		} else {
			ok++
		}
		// Percentiles are over answered requests; dropped and failed ones are errors.
		if r.status > 0 {
			lat = append(lat, ms(r.latency))
			svc = append(svc, ms(r.service))
		}
	}
	s.Achieved = float64(ok) / elapsed.Seconds()
	sort.Float64s(lat)
	sort.Float64s(svc)
	s.P50ms, s.P90ms, s.P99ms = pct(lat, 50), pct(lat, 90), pct(lat, 99)
	s.P999ms, s.MaxMs = pct(lat, 99.9), pct(lat, 100)
	s.ServiceP50ms, s.ServiceP99ms = pct(svc, 50), pct(svc, 99)
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.5) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if line := scanner.Text(); line != "" {
			lines = append(lines, line)
		}
	}
	return lines, scanner.Err()
}
