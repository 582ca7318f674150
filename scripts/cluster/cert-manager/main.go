// Command cert-manager-controller runs, out of cluster, the part of cert-manager the local
// cluster needs to issue the API's certificate: Issuers with the self-signed issuer, the
// Certificate controllers and the approval of CertificateRequests.
//
// It exists because cert-manager's own controller binary is a separate Go module that the Go
// module proxy does not serve, while the root module github.com/cert-manager/cert-manager (and
// with it every controller package) is. scripts/cluster/cert-manager.sh builds it in a throwaway
// module at the version pinned in package.json (.toolchain.certManager).
//
// Deliberately absent: leader election (one process per local cluster), the metrics and health
// listeners (nothing scrapes them here, and a listener is one more port to leave behind), the
// webhook (self-signed issuing needs none, and the CRDs declare no conversion webhook) and every
// issuer type other than self-signed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"

	// Each of these packages registers its controller with controller.Register in init().
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The issuers controller looks issuer types up in a registry; without this one it reports
	// "issuer 'selfsigned' not registered" and the Issuer never becomes Ready.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// controllers are the control loops this binary runs, by their registered names. Listed rather
// than taken from controller.Known(), so that a package registering a loop as a side effect of
// an import cannot start something nobody asked for, and a renamed loop fails at start.
var controllers = []string{
	"issuers",
	"certificaterequests-approver",
	"certificaterequests-issuer-selfsigned",
	"certificates-trigger",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-issuing",
	"certificates-readiness",
	"certificates-revision-manager",
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to run against (required)")
	clusterResourceNamespace := flag.String("cluster-resource-namespace", "kube-system",
		"namespace for the Secrets of cluster-scoped issuers")
	workers := flag.Int("workers", 2, "worker goroutines per control loop")
	flag.Parse()
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "cert-manager-controller: --kubeconfig is required")
		os.Exit(2)
	}

	logf.InitLogs()
	defer logf.FlushLogs()
	log := logf.Log.WithName("go-demo-2-cert-manager")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *kubeconfig, *clusterResourceNamespace, *workers); err != nil {
		log.Error(err, "stopped")
		logf.FlushLogs()
		os.Exit(1)
	}
	log.Info("stopped")
}

func run(ctx context.Context, kubeconfig, clusterResourceNamespace string, workers int) error {
	log := logf.Log.WithName("go-demo-2-cert-manager")
	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		Kubeconfig:         kubeconfig,
		KubernetesAPIQPS:   50,
		KubernetesAPIBurst: 100,
		IssuerOptions:      controller.IssuerOptions{ClusterResourceNamespace: clusterResourceNamespace},
		// The Secret outlives its Certificate, as with cert-manager's default settings.
		CertificateOptions: controller.CertificateOptions{EnableOwnerRef: false},
	})
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}

	known := controller.Known()
	loops := make(map[string]controller.Interface, len(controllers))
	for _, name := range controllers {
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("control loop %q is not registered by the imported packages (registered: %s)",
				name, strings.Join(sortedKeys(known), ", "))
		}
		loop, err := construct(factory)
		if err != nil {
			return fmt.Errorf("constructing control loop %q: %w", name, err)
		}
		loops[name] = loop
	}

	// Every context the factory builds shares its informer factories; the loops registered their
	// informers while being constructed, so starting the factories now starts exactly those.
	shared, err := factory.Build()
	if err != nil {
		return fmt.Errorf("building the shared context: %w", err)
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())

	// One loop failing stops the others: a half-working controller would leave Certificates
	// pending with no error anywhere but in this log.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(loops))
	for name, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop.Run(workers, ctx); err != nil {
				errs <- fmt.Errorf("control loop %q: %w", name, err)
				cancel()
			}
		}()
	}
	log.Info("running", "controllers", controllers, "kubeconfig", kubeconfig)
	wg.Wait()
	close(errs)
	return <-errs
}

func sortedKeys(m map[string]controller.Constructor) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
