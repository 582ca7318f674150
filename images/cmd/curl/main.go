// curl STAND-IN for the smoke test's image on the real node of the local cluster (the smoke Job's
// curl image cannot be pulled here). This project's own program, not curl: it takes only what the
// smoke script passes -- -f -k -s -S (alone or combined, e.g. -fksS), --max-time N, -X METHOD and
// one URL -- prints the body, and exits as curl does: 0, 22 (-f and an HTTP status >= 400),
// 28 (timeout), 6 (host not resolved), 7 (connection failed), 2 (bad usage).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	fail, insecure, silent, showErr := false, false, false, false
	method, url, maxTime := http.MethodGet, "", 0.0
	args := os.Args[1:]
	usage := func(msg string) { fmt.Fprintf(os.Stderr, "curl: %s\n", msg); os.Exit(2) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 >= len(args) {
				usage("option " + a + ": requires parameter")
			}
			i++
			return args[i]
		}
		switch {
		case a == "--max-time" || a == "-m":
			v, err := strconv.ParseFloat(next(), 64)
			if err != nil {
				usage("--max-time: bad number")
			}
			maxTime = v
		case a == "-X" || a == "--request":
			method = next()
		case a == "--fail":
			fail = true
		case a == "--insecure":
			insecure = true
		case a == "--silent":
			silent = true
		case a == "--show-error":
			showErr = true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 1:
			for _, c := range a[1:] {
				switch c {
				case 'f':
					fail = true
				case 'k':
					insecure = true
				case 's':
					silent = true
				case 'S':
					showErr = true
				default:
					usage(fmt.Sprintf("option -%c: not supported by this stand-in", c))
				}
			}
		case strings.HasPrefix(a, "-"):
			usage("option " + a + ": not supported by this stand-in")
		default:
			url = a
		}
	}
	if url == "" {
		usage("no URL specified")
	}
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	ctx := context.Background()
	if maxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(maxTime*float64(time.Second)))
		defer cancel()
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}}} //nolint:gosec // -k
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		usage(err.Error())
	}
	report := func(code int, format string, a ...any) {
		if !silent || showErr {
			fmt.Fprintf(os.Stderr, "curl: (%d) "+format+"\n", append([]any{code}, a...)...)
		}
		os.Exit(code)
	}
	resp, err := client.Do(req)
	if err != nil {
		var dnsErr *net.DNSError
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			report(28, "Operation timed out after %g seconds", maxTime)
		case errors.As(err, &dnsErr):
			report(6, "Could not resolve host: %s", req.URL.Hostname())
		default:
			report(7, "Failed to connect: %v", err)
		}
	}
	defer resp.Body.Close()
	if fail && resp.StatusCode >= 400 {
		report(22, "The requested URL returned error: %d", resp.StatusCode)
	}
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			report(28, "Operation timed out after %g seconds", maxTime)
		}
		report(56, "Failure when receiving data from the peer: %v", err)
	}
}
