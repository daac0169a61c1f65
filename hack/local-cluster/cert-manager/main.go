// Command cert-manager-controller runs the real cert-manager controllers (SelfSigned and CA
// issuers, the Certificate lifecycle) out of cluster against a kubeconfig, for cert-deployer's
// end-to-end tests. Why our own main: the official cmd/controller is a nested module with a
// local replace, which the Go module proxy cannot serve; the root module exports everything
// needed, and this file mirrors the flow of cmd/controller/app (build the context factory,
// construct the enabled controllers, start the shared informers, run). No webhook, no ACME,
// no leader election, no metrics server.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"

	// Controllers register themselves with controllerpkg.Register in init().
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// Issuer implementations (the Setup the issuers controllers call) register in init() too.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// defaultControllers are the controllers the official binary runs for SelfSigned/CA issuance.
const defaultControllers = "issuers,clusterissuers,certificaterequests-approver," +
	"certificaterequests-issuer-ca,certificaterequests-issuer-selfsigned," +
	"certificates-trigger,certificates-issuing,certificates-key-manager," +
	"certificates-request-manager,certificates-readiness,certificates-revision-manager"

func main() {
	klog.InitFlags(flag.CommandLine) // --v, like the official binary
	kubeconfig := flag.String("kubeconfig", "", "path to a kubeconfig (required: this build runs out of cluster only)")
	leaderElect := flag.Bool("leader-elect", false, "not supported by this test build; must be false")
	controllers := flag.String("controllers", defaultControllers, "comma-separated controllers to run, or * for every one compiled in")
	namespace := flag.String("namespace", "", "watch only this namespace (default: all)")
	crNS := flag.String("cluster-resource-namespace", "kube-system", "namespace of ClusterIssuer secrets")
	minBackoff := flag.Duration("certificate-request-minimum-backoff-duration", time.Second, "first retry delay after a failed request (official default 1h)")
	maxBackoff := flag.Duration("certificate-request-maximum-backoff-duration", 10*time.Second, "retry delay cap (official default 32h)")
	healthz := flag.String("internal-healthz-listen-address", "", "host:port serving /readyz (200 once informer caches synced); empty: none")
	flag.Parse()
	if err := run(*kubeconfig, *leaderElect, *controllers, *namespace, *crNS, *minBackoff, *maxBackoff, *healthz); err != nil {
		fmt.Fprintln(os.Stderr, "cert-manager-controller:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, leaderElect bool, controllers, namespace, crNS string, minBackoff, maxBackoff time.Duration, healthz string) error {
	if kubeconfig == "" {
		return fmt.Errorf("--kubeconfig is required")
	}
	if leaderElect {
		return fmt.Errorf("--leader-elect=true is not supported by this test build")
	}
	known := controllerpkg.Known()
	enabled, err := selectControllers(controllers, known)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf.InitLogs()
	defer logf.FlushLogs()
	ctx = logf.NewContext(ctx, logf.Log, "controller")
	log := logf.FromContext(ctx)

	var ready atomic.Bool
	if healthz != "" {
		if err := serveReadyz(ctx, healthz, &ready); err != nil {
			return err
		}
	}

	factory, err := controllerpkg.NewContextFactory(ctx, controllerpkg.ContextOptions{
		Kubeconfig: kubeconfig, Namespace: namespace, KubernetesAPIQPS: 50, KubernetesAPIBurst: 100,
		IssuerOptions: controllerpkg.IssuerOptions{ClusterResourceNamespace: crNS},
		CertificateOptions: controllerpkg.CertificateOptions{
			CertificateRequestMinimumBackoffDuration: minBackoff,
			CertificateRequestMaximumBackoffDuration: maxBackoff,
		},
	})
	if err != nil {
		return fmt.Errorf("building controller context: %w", err)
	}
	shared, err := factory.Build()
	if err != nil {
		return fmt.Errorf("building controller context: %w", err)
	}

	// Construct every controller first: constructing registers the informers they need.
	var wg sync.WaitGroup
	for _, name := range enabled {
		if namespace != "" && name == "clusterissuers" {
			continue // as upstream: cluster-scoped issuers make no sense in a namespaced install
		}
		iface, err := known[name](factory)
		if err != nil {
			return fmt.Errorf("constructing controller %s: %w", name, err)
		}
		wg.Go(func() {
			log.V(logf.InfoLevel).Info("starting controller", "controller", name)
			if err := iface.Run(2, ctx); err != nil {
				log.Error(err, "controller exited", "controller", name)
				stop()
			}
		})
	}

	shared.SharedInformerFactory.Start(ctx.Done())
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	for informer, ok := range shared.SharedInformerFactory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("informer cache for %v did not sync", informer)
		}
	}
	for informer, ok := range shared.KubeSharedInformerFactory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("informer cache for %s did not sync", informer)
		}
	}
	ready.Store(true)
	fmt.Fprintf(os.Stderr, "cert-manager-controller ready: %s\n", strings.Join(enabled, ","))

	<-ctx.Done()
	wg.Wait()
	return nil
}

// selectControllers resolves the --controllers value against the compiled-in set.
func selectControllers(value string, known map[string]controllerpkg.Constructor) ([]string, error) {
	var out []string
	if strings.TrimSpace(value) == "*" {
		for name := range known {
			out = append(out, name)
		}
	} else {
		for _, name := range strings.Split(value, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if _, ok := known[name]; !ok {
				return nil, fmt.Errorf("unknown controller %q (compiled in: %s)", name, strings.Join(sortedKeys(known), ","))
			}
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--controllers selects no controller")
	}
	sort.Strings(out)
	return out, nil
}

func sortedKeys(m map[string]controllerpkg.Constructor) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// serveReadyz answers /readyz with 200 once ready is set, 503 before; /livez always 200.
func serveReadyz(ctx context.Context, addr string, ready *atomic.Bool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--internal-healthz-listen-address: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "informer caches not synced", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return nil
}
