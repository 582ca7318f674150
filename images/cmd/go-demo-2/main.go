// go-demo-2 STAND-IN: this project's own small program serving what the stack's probes, smoke test
// and users call of the go-demo-2 API, for the real node of the local cluster (no registry is
// reachable here, so the real image cannot be pulled). It is not go-demo-2.
//
//	/demo/hello    "hello, world!" without touching the database
//	/demo/person   GET: every person's name (JSON); PUT ?name=<name>: stores one. Through the
//	               database at $DB:27017 (the DB Service's DNS name), with the MongoDB Go driver.
//	/metrics       Prometheus text: http_server_resp_time (histogram) labelled service=$SERVICE_NAME
//
// Like go-demo-2 it dials the database at start and exits when it cannot within 10 s. SIGUSR1
// switches /demo/person to failing (the connection is closed without an answer, as go-demo-2's
// panicking handler does) and back: the liveness test's fault. SIGUSR2 does the same to
// /demo/hello (the readiness probe's path): the not-ready test's fault. Unlike go-demo-2's mgo session, the
// driver reconnects by itself after the database is replaced.
//
// $STAND_IN_LISTEN_DELAY (a Go duration; the stand-in-2 image sets it) holds the listener back
// after the database answers, as a real service's warm-up would: a Pod that takes traffic before
// its readiness says so has its requests refused, which is what the release test must be able to see.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	mu     sync.Mutex
	counts map[string][]uint64 // by "method path code"
	sums   map[string]float64
}

func (h *histogram) observe(key string, seconds float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.counts[key]
	if !ok {
		c = make([]uint64, len(buckets)+1)
		h.counts[key] = c
	}
	for i, b := range buckets {
		if seconds <= b {
			c[i]++
		}
	}
	c[len(buckets)]++
	h.sums[key] += seconds
}

func (h *histogram) write(w http.ResponseWriter, service string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	keys := make([]string, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "# HELP http_server_resp_time Response time of the HTTP server (go-demo-2 stand-in).")
	fmt.Fprintln(w, "# TYPE http_server_resp_time histogram")
	for _, k := range keys {
		f := strings.SplitN(k, " ", 3)
		labels := fmt.Sprintf(`service=%q,method=%q,path=%q,code=%q`, service, f[0], f[1], f[2])
		c := h.counts[k]
		for i, b := range buckets {
			fmt.Fprintf(w, "http_server_resp_time_bucket{%s,le=\"%g\"} %d\n", labels, b, c[i])
		}
		fmt.Fprintf(w, "http_server_resp_time_bucket{%s,le=\"+Inf\"} %d\n", labels, c[len(buckets)])
		fmt.Fprintf(w, "http_server_resp_time_sum{%s} %g\n", labels, h.sums[k])
		fmt.Fprintf(w, "http_server_resp_time_count{%s} %d\n", labels, c[len(buckets)])
	}
}

type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

func main() {
	db := os.Getenv("DB")
	if env := os.Getenv("DB_ENV"); env != "" {
		db = os.Getenv(env)
	}
	if db == "" {
		db = "localhost"
	}
	service := os.Getenv("SERVICE_NAME")
	if service == "" {
		service = "go-demo"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	client, err := mongo.Connect(ctx, options.Client().ApplyURI("mongodb://"+db+":27017").
		SetServerSelectionTimeout(10*time.Second).SetConnectTimeout(5*time.Second).SetTimeout(10*time.Second))
	if err == nil {
		err = client.Ping(ctx, nil)
	}
	cancel()
	if err != nil {
		log.Fatalf("go-demo-2 stand-in: cannot reach the database at %s:27017: %v", db, err)
	}
	log.Printf("go-demo-2 stand-in: database %s:27017 answers", db)
	people := client.Database("test").Collection("people")

	var failing, helloFailing atomic.Bool
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range sig {
			flag, path := &failing, "/demo/person"
			if s == syscall.SIGUSR2 {
				flag, path = &helloFailing, "/demo/hello"
			}
			log.Printf("go-demo-2 stand-in: %s now %s", path, map[bool]string{true: "answers", false: "FAILS"}[flag.Load()])
			flag.Store(!flag.Load())
		}
	}()

	h := &histogram{counts: map[string][]uint64{}, sums: map[string]float64{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/demo/hello", func(w http.ResponseWriter, _ *http.Request) {
		if helloFailing.Load() {
			panic(http.ErrAbortHandler)
		}
		fmt.Fprint(w, "hello, world!\n")
	})
	mux.HandleFunc("/demo/person", func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			panic(http.ErrAbortHandler) // the connection is closed without an answer
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		switch r.Method {
		case http.MethodPut:
			name := r.URL.Query().Get("name")
			if name == "" {
				http.Error(w, "name is required", http.StatusBadRequest)
				return
			}
			if _, err := people.InsertOne(ctx, bson.M{"name": name}); err != nil {
				log.Printf("insert: %v", err)
				panic(http.ErrAbortHandler)
			}
		default:
			cur, err := people.Find(ctx, bson.M{})
			var all []struct {
				Name string `bson:"name" json:"name"`
			}
			if err == nil {
				err = cur.All(ctx, &all)
			}
			if err != nil {
				log.Printf("find: %v", err)
				panic(http.ErrAbortHandler)
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(all)
		}
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		h.write(w, service)
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, code: 200}
		defer func() {
			if r.URL.Path != "/metrics" {
				h.observe(fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, rec.code), time.Since(start).Seconds())
			}
		}()
		mux.ServeHTTP(rec, r)
	})
	srv := &http.Server{Addr: ":8080", Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-term
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if d := os.Getenv("STAND_IN_LISTEN_DELAY"); d != "" {
		delay, err := time.ParseDuration(d)
		if err != nil {
			log.Fatalf("go-demo-2 stand-in: STAND_IN_LISTEN_DELAY=%q: %v", d, err)
		}
		log.Printf("go-demo-2 stand-in: warming up for %s before listening", delay)
		time.Sleep(delay)
	}
	log.Printf("go-demo-2 stand-in: listening on :8080 (service %s)", service)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
