#!/usr/bin/env bash
# npm run up [-- <stack>] [-- --smoke] [-- --local-images]: everything a fresh machine needs, then
# `pulumi up` (stack dev by default). --local-images first sets, in the stack's file, the stand-in
# images built here (and, with tls, the ghostunnel built here) and the placement on the local
# cluster's real node (docs/real-node.md).
#   Node.js and the dependencies (node-env.sh: npm ci) → Pulumi toolchain → a cluster (the
#   user's, or the local one started here) → local state backend → stack select/create →
#   pulumi up --yes → outputs → how to reach the API → with --smoke, the smoke test
#   (tools/smoke/smoke.ts: a Job that calls every Service from inside the cluster); its failure fails up.
set -euo pipefail
step() { printf '[up] %s\n' "$*" >&2; }

main() {
  local stack=dev smoke=false local_images=false arg bound ns port scheme node_port address
  for arg in "$@"; do
    case $arg in
      --smoke) smoke=true ;;
      --local-images) local_images=true ;;
      -*) echo "usage: npm run up -- [<stack>] [--smoke] [--local-images]" >&2; exit 2 ;;
      *) stack=$arg ;;
    esac
  done
  cd "$(dirname "$0")/../.."

  step "providing Node.js and the locked dependencies (scripts/env/node-env.sh)"
  # shellcheck source=../env/node-env.sh
  source scripts/env/node-env.sh

  # shellcheck source=../env/kube-env.sh
  source scripts/env/kube-env.sh
  if [[ $GO_DEMO_2_CLUSTER == local ]]; then
    step "starting the local cluster (scripts/cluster/cluster.sh start)"
    bash scripts/cluster/cluster.sh start
  else
    step "using your cluster: KUBECONFIG=$KUBECONFIG, context $(kubectl config current-context)"
  fi

  step "providing the Pulumi toolchain (scripts/toolchain/pulumi.sh)"
  # shellcheck source=../env/pulumi-env.sh
  source scripts/env/pulumi-env.sh

  step "stack $stack on $PULUMI_BACKEND_URL"
  pulumi stack select --create "$stack" >/dev/null
  if $local_images; then
    step "stack $stack: the stand-in images built here, placed on the real node (docs/real-node.md)"
    local key value
    while read -r key value; do
      pulumi config set --path "go-demo-2:$key" "$value" --stack "$stack"
    done <<'KEYS'
apiImage go-demo-2.local/go-demo-2:stand-in
dbImage go-demo-2.local/mongo:3.3-stand-in
nodeSelector["kubernetes.io/hostname"] real-node-0
tolerateTaints[0] go-demo-2.local/real-node
clusterDnsAddresses[0] 172.18.0.10/32
KEYS
    # The TLS sidecar (prod): ghostunnel itself, built here at the version the stack pins.
    if [[ $(pulumi config get go-demo-2:tls --stack "$stack" 2>/dev/null) == true ]]; then
      pulumi config set go-demo-2:tlsProxyImage go-demo-2.local/ghostunnel:v1.8.4 --stack "$stack"
    fi
  fi
  if bound=$(pulumi config get kubernetes:context --stack "$stack" 2>/dev/null); then
    step "stack $stack is bound to context $bound (kubernetes:context): it deploys there, or refuses"
  fi
  if ! pulumi up --yes --stack "$stack"; then
    step "pulumi up failed; what the stack's Pods report (scripts/commands/not-ready.sh):"
    bash scripts/commands/not-ready.sh || true
    exit 1
  fi
  pulumi stack output --stack "$stack" --json

  # How to reach what was deployed, from the outputs and the live API Service.
  ns=$(pulumi stack output namespace --stack "$stack")
  port=$(kubectl -n "$ns" get service go-demo-2-api -o jsonpath='{.spec.ports[0].port}')
  scheme=http
  [[ $port == 443 ]] && scheme=https
  node_port=$(kubectl -n "$ns" get service go-demo-2-api -o jsonpath='{.spec.ports[0].nodePort}')
  # The live address: up does not wait for it where loadBalancerWaitSeconds is 0, so the output
  # may still be null while the Service already has one.
  address=$(kubectl -n "$ns" get service go-demo-2-api -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}')
  step "reach the API:"
  printf '  kubectl port-forward -n %s service/go-demo-2-api 8080:%s   # then: curl -k %s://localhost:8080/demo/hello\n' "$ns" "$port" "$scheme" >&2
  if [[ -n $node_port ]]; then
    printf '  %s://<a node address>:%s/demo/hello   (nodePorts output)\n' "$scheme" "$node_port" >&2
  fi
  if [[ -n $address ]]; then
    printf '  %s://%s:%s/demo/hello   (the load balancer; the next up records it in loadBalancerIngress)\n' "$scheme" "$address" "$port" >&2
  elif [[ $(kubectl -n "$ns" get service go-demo-2-api -o jsonpath='{.spec.type}') == LoadBalancer ]]; then
    printf '  (no load-balancer address yet: kind and minikube give none without cloud-provider-kind or minikube tunnel, docs/clusters.md)\n' >&2
  fi
  if [[ $GO_DEMO_2_CLUSTER == local ]] && $local_images; then
    step "its Pods run on the local cluster's real node: the cluster IP, node port (on 172.18.0.10) and load-balancer address above answer from this machine"
  elif [[ $GO_DEMO_2_CLUSTER == local ]]; then
    step "on the local cluster nothing answers: its kubelets are simulated (docs/clusters.md); on kind, minikube or a cloud the commands above do"
  fi

  if $smoke; then
    step "smoke test (tools/smoke/smoke.ts): a Job calls every Service of $stack from inside the cluster"
    local smoke_args=("$stack")
    $local_images && smoke_args+=(--image go-demo-2.local/curl:stand-in)
    if ! bash scripts/commands/tool.sh smoke/smoke "${smoke_args[@]}"; then
      step "deployed, but the smoke test failed (the table above says which check)"
      exit 1
    fi
  fi
}

main "$@"
