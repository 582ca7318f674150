// The real node's cluster DNS: CoreDNS with only the plugins the local cluster needs, built by
// scripts/cluster/real-node.sh from the coredns module at package.json's .toolchain.coredns.
// It runs on the host (as kube-dns' endpoint on the node's address), answers the cluster's names
// from the API server (the kubernetes plugin) and forwards nothing: no query leaves the machine.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
