// mongod STAND-IN: this project's own program for the real node of the local cluster, where the
// mongo image cannot be pulled. It is not MongoDB: it accepts the command and arguments the stack
// renders for mongod (--rest, --httpinterface, --wiredTigerCacheSizeGB N, --bind_ip_all, ...),
// serves the MongoDB wire protocol on 27017 with FerretDB (embedded, SQLite backend) keeping its
// data under /data/db (the claim's mount), and, with --httpinterface, a page on 28017 as mongod
// 3.x's HTTP interface did. Like mongod it opens its port only once its storage is up, and it
// stops on SIGTERM.
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dbpath, port, httpInterface := "/data/db", 27017, false
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() string {
			if eq := strings.IndexByte(a, '='); eq >= 0 {
				return a[eq+1:]
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			log.Fatalf("mongod stand-in: %s needs a value", a)
			return ""
		}
		switch name := strings.SplitN(a, "=", 2)[0]; name {
		case "--httpinterface":
			httpInterface = true
		case "--rest", "--bind_ip_all", "--quiet", "--noauth", "--smallfiles", "--nounixsocket":
		case "--dbpath":
			dbpath = value()
		case "--port":
			p, err := strconv.Atoi(value())
			if err != nil {
				log.Fatalf("mongod stand-in: --port: %v", err)
			}
			port = p
		case "--wiredTigerCacheSizeGB", "--bind_ip", "--storageEngine", "--replSet", "--oplogSize", "--logpath":
			log.Printf("mongod stand-in: %s %s accepted (no effect here)", name, value())
		default:
			log.Fatalf("mongod stand-in: unknown option %q", a)
		}
	}
	if st, err := os.Stat(dbpath); err != nil || !st.IsDir() {
		log.Fatalf("mongod stand-in: data directory %s: not a directory (%v)", dbpath, err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: fmt.Sprintf("0.0.0.0:%d", port)},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler:   "sqlite",
		SQLiteURL: "file:" + strings.TrimSuffix(dbpath, "/") + "/",
	})
	if err != nil {
		log.Fatalf("mongod stand-in: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if httpInterface {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
			host, _ := os.Hostname()
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			fmt.Fprintf(w, "<html><head><title>%s mongod (stand-in)</title></head><body><h2>mongod %s</h2>"+
				"<p>db version: stand-in for mongo 3.3 (FerretDB, SQLite under %s)</p><p>port: %d</p></body></html>\n",
				host, host, dbpath, port)
		})
		srv := &http.Server{Addr: fmt.Sprintf(":%d", port+1000), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			log.Fatalf("mongod stand-in: http interface: %v", err)
		}
		go func() { _ = srv.Serve(ln) }()
		go func() { <-ctx.Done(); _ = srv.Close() }()
		log.Printf("mongod stand-in: http interface on %s", srv.Addr)
	}
	log.Printf("mongod stand-in: waiting for connections on port %d (data in %s)", port, dbpath)
	if err := f.Run(ctx); err != nil {
		log.Fatalf("mongod stand-in: %v", err)
	}
	log.Printf("mongod stand-in: shut down")
}
