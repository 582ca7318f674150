# shellcheck shell=bash
# The local cluster's REAL node, sourced by cluster.sh: beside the simulated (kwok) nodes, one node
# whose Pods are real processes: containerd (Debian's, CRI), a kubelet and kube-proxy (iptables
# mode) built with the control plane (build.sh), a CNI bridge, and CoreDNS (node-build.sh) as the
# cluster DNS. Started by `cluster.sh start` after the control plane, stopped by `cluster.sh stop`
# before it; `cluster.sh real-node start|stop|status` acts on it alone.
#
# Where it cannot run (not Linux, not root, a package or binary missing, GO_DEMO_2_REAL_NODE=off),
# start prints one line saying why and the cluster goes on without it -- unless
# GO_DEMO_2_REAL_NODE=required (CI), where that is an error.
#
# The node is tainted go-demo-2.local/real-node=true:NoSchedule: no Pod lands on it unless it
# tolerates that (its images must exist on the node: images/build.sh makes stand-ins).
#
# Everything it changes on the host is undone by stop (the host is left as found; the e2e tests
# compare node/host-state.sh before start and after stop):
#   - sysctls the kubelet, kube-proxy and the bridge plugin set: saved at start, restored at stop;
#   - the node address on lo, the bridge and its veths, the routes of the cluster's ranges;
#   - netfilter: the iptables-nft tables kube-proxy and the kubelet fill (removed when they did not
#     exist before, else restored from iptables-save), the guard table, ipsets;
#   - mounts and cgroups of the Pods, the directories the node writes outside .cluster/real-node.
# Nothing leaves the machine: Pods get no default route (only the cluster's ranges), the bridge
# does not masquerade, the ranges the host does not serve are unreachable routes, and the guard
# table (inet go_demo_2_guard) drops and counts any packet from or to the cluster's ranges that
# would leave through another interface than lo and the bridge (`cluster.sh real-node guard`).

REAL_NODE_MODE=${GO_DEMO_2_REAL_NODE:-on}        # on | off | required
# What a required node that cannot start does: die (real-node start), or fail_start (cluster
# start: the whole cluster is torn down, as for any other failed part).
REAL_NODE_ON_FAILURE=die
REAL_NODE_NAME=real-node-0
REAL_NODE_IP=172.18.0.10                          # on lo, /32 (the fake nodes use 172.18.0.2)
REAL_NODE_TAINT=go-demo-2.local/real-node=true:NoSchedule
REAL_NODE_DIR=$WORK_DIR/real-node
REAL_NODE_BRIDGE=gd2br0
REAL_NODE_GUARD=go_demo_2_guard
POD_RANGE=10.244.0.0/16
SERVICE_RANGE=10.96.0.0/16
LB_RANGE=172.31.0.0/16
NODE_RANGE=172.18.0.0/16
CLUSTER_DNS_IP=10.96.0.10
CNI_BIN_DIR=/usr/lib/cni
REAL_NODE_PACKAGES=(containerd runc containernetworking-plugins iptables ipset conntrack nftables iproute2 util-linux)
# Directories written outside $REAL_NODE_DIR whatever the configuration (hard-coded in the
# kubelet, containerd's shims, CNI); removed at stop unless they existed before start.
REAL_NODE_HOST_DIRS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd
  /var/run/netns /run/netns /var/lib/go-demo-2 /usr/libexec/kubernetes /etc/cni /opt/cni /var/lib/kube-router)
# sysctls saved at start and restored at stop
REAL_NODE_SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory net.ipv4.ip_forward
  net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_tcp_be_liberal net.ipv4.vs.conntrack kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes)

rn_log() { log "real node: $*"; }
rn_pidfile() { echo "$REAL_NODE_DIR/pids/$1.pid"; }
rn_pid() { cat "$(rn_pidfile "$1")" 2>/dev/null || true; }
rn_alive() { local p; p=$(rn_pid "$1"); [[ -n $p ]] && [[ $(pid_state "$p") =~ ^[RSD]$ ]]; }
rn_sock() { echo "$REAL_NODE_DIR/run/containerd.sock"; }
ctr_() { command ctr --address "$(rn_sock)" -n k8s.io "$@"; }

# real_node_why_not: empty when the node can run here, else the reason (one line).
real_node_why_not() {
  [[ $REAL_NODE_MODE == off ]] && { echo "GO_DEMO_2_REAL_NODE=off"; return; }
  [[ $(uname -s) == Linux ]] || { echo "not Linux ($(uname -s))"; return; }
  (($(id -u) == 0)) || { echo "not root (a node needs root for containers, links and netfilter)"; return; }
  [[ -d /sys/fs/cgroup ]] || { echo "no /sys/fs/cgroup"; return; }
  local c
  for c in containerd containerd-shim-runc-v2 runc ctr iptables ip6tables iptables-save iptables-restore nft ip ipset conntrack findmnt; do
    command -v "$c" >/dev/null || { echo "$c is missing (Debian: apt-get install ${REAL_NODE_PACKAGES[*]})"; return; }
  done
  for c in bridge host-local loopback; do
    [[ -x $CNI_BIN_DIR/$c ]] || { echo "CNI plugin $CNI_BIN_DIR/$c is missing (Debian: apt-get install containernetworking-plugins)"; return; }
  done
  for c in kubelet kube-proxy; do [[ -x $K8S_DIR/bin/$c ]] || { echo "$K8S_DIR/bin/$c is not built"; return; }; done
  [[ -x $COREDNS_DIR/coredns ]] || { echo "$COREDNS_DIR/coredns is not built"; return; }
  [[ -d /proc/sys/net/bridge ]] || { echo "the kernel has no bridge netfilter (br_netfilter)"; return; }
  local sock; sock=$(rn_sock)
  ((${#sock} < 100)) || { echo "the containerd socket path is too long for a unix socket: $sock"; return; }
  return 0
}

# real_node_packages: installs the Debian packages the node needs when some is missing (root, apt).
real_node_packages() {
  [[ $REAL_NODE_MODE == off || $(uname -s) != Linux ]] && return 0
  local missing=() p
  for p in "${REAL_NODE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || { rn_log "Debian packages present (${REAL_NODE_PACKAGES[*]})"; return 0; }
  if (($(id -u) != 0)) || ! command -v apt-get >/dev/null; then
    rn_log "Debian packages missing and not installable here (not root or no apt-get): ${missing[*]}"
    return 0
  fi
  local t0=$SECONDS
  rn_log "installing Debian packages: ${missing[*]} (apt-get)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >"$CACHE_ROOT/.apt-real-node.log" 2>&1; then
    tail -n 20 "$CACHE_ROOT/.apt-real-node.log" >&2
    rn_log "installing ${missing[*]} failed (see above); the cluster will start without the real node"
    return 0
  fi
  rn_log "Debian packages installed in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- host state: save and restore
rn_save_host_state() {
  local d s t
  mkdir -p "$REAL_NODE_DIR/saved"
  bash "$CLUSTER_SCRIPTS/node/host-state.sh" >"$REAL_NODE_DIR/saved/host-before.txt"
  : >"$REAL_NODE_DIR/saved/sysctls"
  for s in "${REAL_NODE_SYSCTLS[@]}"; do
    [[ -e /proc/sys/${s//.//} ]] && echo "$s=$(sysctl -n "$s")" >>"$REAL_NODE_DIR/saved/sysctls"
  done
  : >"$REAL_NODE_DIR/saved/dirs-present"
  for d in "${REAL_NODE_HOST_DIRS[@]}"; do [[ -e $d ]] && echo "$d" >>"$REAL_NODE_DIR/saved/dirs-present"; done
  nft list tables >"$REAL_NODE_DIR/saved/nft-tables" 2>/dev/null || true
  iptables-save >"$REAL_NODE_DIR/saved/iptables" 2>/dev/null || true
  ip6tables-save >"$REAL_NODE_DIR/saved/ip6tables" 2>/dev/null || true
  ipset list -n >"$REAL_NODE_DIR/saved/ipsets" 2>/dev/null || true
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d >"$REAL_NODE_DIR/saved/cgroup-dirs" 2>/dev/null || true
  for t in /run/netns /var/run/netns; do ls "$t" 2>/dev/null; done | sort -u >"$REAL_NODE_DIR/saved/netns"
}

# ---------------------------------------------------------------- the guard
rn_guard_up() {
  local ranges="{ $POD_RANGE, $SERVICE_RANGE, $LB_RANGE, $NODE_RANGE }"
  nft -f - <<EOF
table inet $REAL_NODE_GUARD
delete table inet $REAL_NODE_GUARD
table inet $REAL_NODE_GUARD {
  counter leaked { }
  chain forward {
    type filter hook forward priority -300; policy accept;
    oifname != { "lo", "$REAL_NODE_BRIDGE" } ip saddr $ranges counter name leaked drop
    oifname != { "lo", "$REAL_NODE_BRIDGE" } ip daddr $ranges counter name leaked drop
  }
  chain postrouting {
    type filter hook postrouting priority 300; policy accept;
    oifname != { "lo", "$REAL_NODE_BRIDGE" } ip saddr $ranges counter name leaked drop
    oifname != { "lo", "$REAL_NODE_BRIDGE" } ip daddr $ranges counter name leaked drop
  }
}
EOF
}
# the guard's count of dropped packets (empty when there is no guard)
rn_guard_count() {
  { nft list counter inet "$REAL_NODE_GUARD" leaked 2>/dev/null || true; } | sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n1
}

# ---------------------------------------------------------------- configuration files
rn_write_configs() {
  local d=$REAL_NODE_DIR
  mkdir -p "$d"/{containerd,run,cni/net.d,cni/ipam,kubelet,kubelet-pki,volume-plugins,logs,pids,pod-logs,opt}
  cat >"$d/containerd.toml" <<EOF
version = 2
root = "$d/containerd"
state = "$d/run/containerd-state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$(rn_sock)"
[ttrpc]
  address = "$(rn_sock).ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "go-demo-2.local/pause:stand-in"
  # this VM's bounding set lacks CAP_SYS_RESOURCE: a negative oom_score_adj cannot be written
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$d/cni/net.d"
    max_conf_num = 1
EOF
  # Pods' resolver: the cluster DNS, never the host's (for dnsPolicy Default too).
  printf 'nameserver %s\noptions ndots:1\n' "$CLUSTER_DNS_IP" >"$d/resolv.conf"
  cat >"$d/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $REAL_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: true }
  webhook: { enabled: false }
authorization: { mode: AlwaysAllow }
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: cluster.local
resolvConf: $d/resolv.conf
podLogsDir: $d/pod-logs
volumePluginDir: $d/volume-plugins
containerRuntimeEndpoint: unix://$(rn_sock)
imageServiceEndpoint: unix://$(rn_sock)
serializeImagePulls: false
maxPods: 60
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 10s
syncFrequency: 10s
fileCheckFrequency: 0s
registerNode: true
registerWithTaints:
- { key: go-demo-2.local/real-node, value: "true", effect: NoSchedule }
rotateCertificates: false
serverTLSBootstrap: false
protectKernelDefaults: false
localStorageCapacityIsolation: true
EOF
  cat >"$d/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $KUBECONFIG_OUT
hostnameOverride: $REAL_NODE_NAME
bindAddress: $REAL_NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
mode: iptables
clusterCIDR: $POD_RANGE
nodePortAddresses: ["$REAL_NODE_IP/32"]
iptables:
  localhostNodePorts: false
  masqueradeAll: false
  syncPeriod: 30s
  # kube-proxy's default, as kind and kubeadm run it: an endpoint change reaches the rules within
  # a second, not at once, which is the window a Pod's preStop delay must cover.
  minSyncPeriod: 1s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  cat >"$d/Corefile" <<EOF
.:53 {
    bind $REAL_NODE_IP
    errors
    health 127.0.0.1:18080
    ready 127.0.0.1:18181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $KUBECONFIG_OUT
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
EOF
}

# rn_cni_config <podCIDR>: the bridge network (no masquerade, no default route: routes to the
# cluster's own ranges only).
rn_cni_config() {
  local cidr=$1
  cat >"$REAL_NODE_DIR/cni/net.d/10-go-demo-2.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "go-demo-2",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$REAL_NODE_BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$REAL_NODE_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$cidr" }]],
        "routes": [
          { "dst": "$POD_RANGE" }, { "dst": "$SERVICE_RANGE" },
          { "dst": "$LB_RANGE" }, { "dst": "$NODE_RANGE" }
        ]
      }
    }
  ]
}
EOF
}

# ---------------------------------------------------------------- processes
# rn_spawn <name> <cmd...>: runs a node process in its own session, log in logs/<name>.log.
rn_spawn() {
  local name=$1; shift
  setsid "$@" >>"$REAL_NODE_DIR/logs/$name.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$(rn_pidfile "$name")"
}

rn_wait() { # rn_wait <seconds> <description> <command...>: fails at once when a node process died
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs)) p
  until "$@"; do
    ((SECONDS < deadline)) || { REAL_NODE_FAILED="timed out after ${secs}s waiting for: $what"; return 1; }
    for p in containerd kubelet kube-proxy coredns kube-router; do
      if [[ -f $(rn_pidfile "$p") ]] && ! rn_alive "$p"; then
        REAL_NODE_FAILED="$p exited while waiting for: $what: $(grep -v '^\s*$' "$REAL_NODE_DIR/logs/$p.log" | tail -n 3 | tr '\n\t' '  ' | cut -c1-400)"
        return 1
      fi
    done
    sleep 0.5
  done
  rn_log "$what ($((SECONDS - REAL_NODE_T0))s)"
}

rn_node_cidr() { kc get node "$REAL_NODE_NAME" -o jsonpath='{.spec.podCIDR}' 2>/dev/null; }
rn_node_ready() {
  [[ $(kc get node "$REAL_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# the kube-dns Service of the cluster: its endpoint is CoreDNS on the real node's address
rn_dns_manifest() {
  cat <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: { k8s-app: kube-dns, kubernetes.io/name: CoreDNS }
spec:
  clusterIP: $CLUSTER_DNS_IP
  ports:
  - { name: dns, port: 53, protocol: UDP, targetPort: 53 }
  - { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-real-node
  namespace: kube-system
  labels: { kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: go-demo-2.local-real-node }
addressType: IPv4
endpoints:
- addresses: ["$REAL_NODE_IP"]
  conditions: { ready: true }
  nodeName: $REAL_NODE_NAME
ports:
- { name: dns, port: 53, protocol: UDP }
- { name: dns-tcp, port: 53, protocol: TCP }
EOF
}

# ---------------------------------------------------------------- start
# real_node_start: starts the node; on failure tears down what it started and says why in one line
# (an error when GO_DEMO_2_REAL_NODE=required).
real_node_start() {
  local why; why=$(real_node_why_not)
  if [[ -n $why ]]; then
    if [[ $REAL_NODE_MODE == required ]]; then "$REAL_NODE_ON_FAILURE" "real node required (GO_DEMO_2_REAL_NODE=required) but cannot run: $why"; fi
    log "real node: not started: $why (the cluster runs on simulated nodes only)"
    return 0
  fi
  if rn_alive kubelet && rn_node_ready; then rn_log "$REAL_NODE_NAME already running"; return 0; fi
  [[ -d $REAL_NODE_DIR ]] && real_node_stop quiet
  REAL_NODE_T0=$SECONDS REAL_NODE_FAILED=""
  if ! rn_start_steps; then
    local reason=${REAL_NODE_FAILED:-a step failed}
    tail -n 5 "$REAL_NODE_DIR"/logs/*.log >&2 2>/dev/null || true
    mkdir -p "$WORK_DIR/last-failed-real-node" && cp -r "$REAL_NODE_DIR/logs" "$WORK_DIR/last-failed-real-node/" 2>/dev/null || true
    real_node_stop quiet
    if [[ $REAL_NODE_MODE == required ]]; then "$REAL_NODE_ON_FAILURE" "real node failed to start: $reason (logs in $WORK_DIR/last-failed-real-node)"; fi
    log "real node: not started: $reason (logs in $WORK_DIR/last-failed-real-node; the cluster runs on simulated nodes only)"
    return 0
  fi
  rn_log "$REAL_NODE_NAME Ready in $((SECONDS - REAL_NODE_T0))s (taint $REAL_NODE_TAINT; guard: inet $REAL_NODE_GUARD)"
}

rn_start_steps() {
  # CI's data-plane tests assert the policies with packets: a required node without its policy
  # agent is not the node they test.
  if [[ $REAL_NODE_MODE == required && ! -x $KUBE_ROUTER_DIR/kube-router ]]; then
    REAL_NODE_FAILED="no NetworkPolicy agent: kube-router is not built ($KUBE_ROUTER_DIR)"; return 1
  fi
  mkdir -p "$REAL_NODE_DIR"
  rn_save_host_state
  rn_guard_up || { REAL_NODE_FAILED="nft could not load the guard table"; return 1; }
  rn_write_configs
  # the node's address, and unreachable routes for the cluster's ranges: none of them may follow
  # the default route out of the machine (the bridge's routes, more specific, come later)
  ip addr add "$REAL_NODE_IP/32" dev lo || { REAL_NODE_FAILED="cannot add $REAL_NODE_IP to lo"; return 1; }
  local r
  for r in "$POD_RANGE" "$NODE_RANGE"; do ip route add unreachable "$r" || { REAL_NODE_FAILED="cannot add route unreachable $r"; return 1; }; done
  # The local volumes (lifecycle.sh's hostPath PersistentVolumes), writable by any uid as a local
  # path provisioner makes them: mongod runs as 999, and the kubelet applies no fsGroup to hostPath.
  local i
  for ((i = 0; i < VOLUME_COUNT; i++)); do
    mkdir -p "/var/lib/go-demo-2/volumes/local-pv-$i" && chmod 1777 "/var/lib/go-demo-2/volumes/local-pv-$i"
  done
  # Pod to Service to a Pod on the same bridge: the bridged replies must pass kube-proxy's NAT.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1

  rn_log "starting containerd $(containerd --version | awk '{print $3}')"
  rn_spawn containerd containerd --config "$REAL_NODE_DIR/containerd.toml"
  rn_wait 30 "containerd answers on $(rn_sock)" eval 'ctr_ version >/dev/null 2>&1' || return 1
  real_node_import_images || return 1

  rn_log "starting kubelet v$K8S_VERSION"
  rn_spawn kubelet "$K8S_DIR/bin/kubelet" --config "$REAL_NODE_DIR/kubelet.yaml" \
    --kubeconfig "$KUBECONFIG_OUT" --root-dir "$REAL_NODE_DIR/kubelet" --cert-dir "$REAL_NODE_DIR/kubelet-pki" \
    --hostname-override "$REAL_NODE_NAME" --node-ip "$REAL_NODE_IP" \
    --node-labels "type=real,go-demo-2.local/real-node=true" --v=1
  rn_wait 90 "$REAL_NODE_NAME registered with a podCIDR" eval '[[ -n $(rn_node_cidr) ]]' || return 1
  local cidr gw; cidr=$(rn_node_cidr)
  rn_cni_config "$cidr"
  # The bridge (the plugin would make it at the first Pod; the Service routes need it now).
  gw=$(node -e 'const [a,m]=process.argv[1].split("/");const o=a.split(".").map(Number);o[3]+=1;console.log(o.join(".")+"/"+m)' "$cidr")
  ip link add "$REAL_NODE_BRIDGE" type bridge && ip addr add "$gw" dev "$REAL_NODE_BRIDGE" && ip link set "$REAL_NODE_BRIDGE" up \
    || { REAL_NODE_FAILED="cannot create the bridge $REAL_NODE_BRIDGE"; return 1; }
  for r in "$SERVICE_RANGE" "$LB_RANGE"; do
    ip route add "$r" dev "$REAL_NODE_BRIDGE" || { REAL_NODE_FAILED="cannot route $r onto $REAL_NODE_BRIDGE"; return 1; }
  done

  rn_log "starting kube-proxy v$K8S_VERSION (iptables mode)"
  rn_spawn kube-proxy "$K8S_DIR/bin/kube-proxy" --config "$REAL_NODE_DIR/kube-proxy.yaml" --v=1
  # NetworkPolicies: kube-router's firewall only (iptables + ipset), no routing, no proxy, no CNI.
  if [[ -x $KUBE_ROUTER_DIR/kube-router ]]; then
    rn_log "starting kube-router v$KUBE_ROUTER_VERSION (NetworkPolicy firewall only)"
    rn_spawn kube-router "$KUBE_ROUTER_DIR/kube-router" --run-firewall=true --run-router=false \
      --run-service-proxy=false --enable-cni=false --enable-ipv6=false --health-port=0 --metrics-port=0 \
      --kubeconfig "$KUBECONFIG_OUT" --hostname-override "$REAL_NODE_NAME" \
      --service-cluster-ip-range "$SERVICE_RANGE" --iptables-sync-period 30s --v=1
  else
    rn_log "no NetworkPolicy agent: kube-router is not built ($KUBE_ROUTER_DIR); policies are not enforced"
  fi
  local out
  out=$(rn_dns_manifest | kc apply -f - 2>&1) || { REAL_NODE_FAILED="creating kube-dns failed: $out"; return 1; }
  rn_log "starting CoreDNS v$COREDNS_VERSION on $REAL_NODE_IP:53 (kube-dns $CLUSTER_DNS_IP)"
  rn_spawn coredns "$COREDNS_DIR/coredns" -conf "$REAL_NODE_DIR/Corefile"
  rn_wait 60 "CoreDNS ready" eval '[[ $(curl -fsS --max-time 2 http://127.0.0.1:18181/ready 2>/dev/null) == OK ]]' || return 1
  rn_wait 90 "$REAL_NODE_NAME Ready (podCIDR $cidr)" rn_node_ready || return 1
  rn_wait 30 "kube-proxy healthy" eval 'curl -fsS --max-time 2 http://127.0.0.1:10256/healthz >/dev/null 2>&1' || return 1
  local p
  for p in containerd kubelet kube-proxy coredns $([[ -f $(rn_pidfile kube-router) ]] && echo kube-router); do
    rn_alive "$p" || { REAL_NODE_FAILED="$p exited: $(tail -n 2 "$REAL_NODE_DIR/logs/$p.log" | tr '\n' ' ' | cut -c1-300)"; return 1; }
  done
}

# real_node_import_images: the images built here (images/build.sh) into the node's containerd.
real_node_import_images() {
  local dir t out
  dir=$(bash "$PROJECT_DIR/images/build.sh" 2>>"$REAL_NODE_DIR/logs/images.log" | tail -n1) \
    || { REAL_NODE_FAILED="images/build.sh failed: $(tail -n 3 "$REAL_NODE_DIR/logs/images.log" | tr '\n' ' ')"; return 1; }
  for t in "$dir"/*.tar; do
    out=$(ctr_ images import "$t" 2>&1) || { REAL_NODE_FAILED="importing $t failed: $out"; return 1; }
  done
  rn_log "images imported: $(ctr_ images ls -q 2>/dev/null | grep -v '^sha256:' | tr '\n' ' ')"
}

# ---------------------------------------------------------------- stop
rn_kill() { # rn_kill <name> <signal>
  local p; p=$(rn_pid "$1")
  [[ -n $p ]] && rn_alive "$1" && kill "-$2" "$p" 2>/dev/null
  return 0
}
rn_wait_gone() { # rn_wait_gone <seconds> <name...>
  local deadline=$((SECONDS + $1)) n; shift
  while :; do
    local left=0
    for n in "$@"; do rn_alive "$n" && left=1; done
    ((left)) || return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}
# pids of the containerd shims of this node (their command line names its socket)
rn_shim_pids() {
  local sock; sock=$(rn_sock)
  pgrep -f -- "containerd-shim-runc-v2 .*-address $sock" 2>/dev/null || true
}

# real_node_stop [quiet]: stops the node and leaves the host as it was before its start.
real_node_stop() {
  [[ -d $REAL_NODE_DIR ]] || return 0
  local t0=$SECONDS quiet=${1:-} leaked
  leaked=$(rn_guard_count || true)
  [[ -n $leaked ]] || log "real node: WARNING: its leak guard (nftables table inet $REAL_NODE_GUARD) was gone"
  # Pods first, through the kubelet, so that CNI removes their network as it should.
  if rn_alive kubelet && [[ $(kc get --raw /readyz 2>/dev/null) == ok ]]; then
    kc cordon "$REAL_NODE_NAME" >/dev/null 2>&1 || true
    kc delete pods -A --field-selector "spec.nodeName=$REAL_NODE_NAME" --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 30))
    while ctr_ tasks ls 2>/dev/null | grep -q RUNNING && ((SECONDS < deadline)); do sleep 0.5; done
  fi
  rn_kill kube-router TERM; rn_kill coredns TERM; rn_kill kube-proxy TERM; rn_kill kubelet TERM
  rn_wait_gone 10 kube-router coredns kube-proxy kubelet || {
    rn_kill kube-router KILL; rn_kill coredns KILL; rn_kill kube-proxy KILL; rn_kill kubelet KILL
    rn_wait_gone 5 kube-router coredns kube-proxy kubelet
  }
  # What the kubelet did not stop: tasks killed, then containerd and its shims.
  if rn_alive containerd; then
    local c
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true; done
    sleep 0.5
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$c" >/dev/null 2>&1 || true; done
  fi
  rn_kill containerd TERM; rn_wait_gone 10 containerd || { rn_kill containerd KILL; rn_wait_gone 5 containerd; }
  local s; for s in $(rn_shim_pids); do kill -KILL "$s" 2>/dev/null || true; done
  rn_restore_host
  if [[ -z $quiet ]]; then
    rn_log "$REAL_NODE_NAME stopped and the host restored in $((SECONDS - t0))s${leaked:+ (guard: $leaked packet(s) dropped)}"
  fi
  [[ $(kc get --raw /readyz 2>/dev/null) == ok ]] && kc delete node "$REAL_NODE_NAME" --wait=false >/dev/null 2>&1 || true
  return 0
}

rn_restore_host() {
  local saved=$REAL_NODE_DIR/saved m d t f
  # mounts under the node's directories and the network namespaces it made, deepest first
  for _ in 1 2 3; do
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(findmnt -rn -o TARGET | grep -E "^($REAL_NODE_DIR|/run/netns|/var/run/netns|/run/containerd|/var/lib/kubelet)/" | sort -r)
  done
  for d in /run/netns /var/run/netns; do
    for f in "$d"/cni-*; do
      [[ -e $f ]] || continue
      grep -qx "$(basename "$f")" "$saved/netns" 2>/dev/null || rm -f "$f"
    done
  done
  # links, addresses, routes
  ip link del "$REAL_NODE_BRIDGE" 2>/dev/null || true
  for f in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    if [[ $(ip -o link show "$f" 2>/dev/null) == *"master $REAL_NODE_BRIDGE"* ]]; then ip link del "$f" 2>/dev/null || true; fi
  done
  ip addr del "$REAL_NODE_IP/32" dev lo 2>/dev/null || true
  for r in "$POD_RANGE" "$NODE_RANGE"; do ip route del unreachable "$r" 2>/dev/null || true; done
  for r in "$SERVICE_RANGE" "$LB_RANGE"; do ip route del "$r" 2>/dev/null || true; done
  # netfilter: kube-proxy's chains, then the tables that were not there before (or their old rules)
  if [[ -x $K8S_DIR/bin/kube-proxy ]]; then "$K8S_DIR/bin/kube-proxy" --cleanup --proxy-mode iptables >/dev/null 2>&1 || true; fi
  nft delete table inet "$REAL_NODE_GUARD" 2>/dev/null || true
  local fam tbl
  # (only with a record of what was there before: never remove what this node did not add)
  [[ -f $saved/nft-tables ]] && while read -r _ fam tbl; do
    [[ -n $tbl ]] || continue
    grep -qx "table $fam $tbl" "$saved/nft-tables" 2>/dev/null && continue
    nft delete table "$fam" "$tbl" 2>/dev/null || true
  done < <(nft list tables 2>/dev/null)
  if [[ -s $saved/iptables ]]; then iptables-restore <"$saved/iptables" 2>/dev/null || true; fi
  if [[ -s $saved/ip6tables ]]; then ip6tables-restore <"$saved/ip6tables" 2>/dev/null || true; fi
  [[ -f $saved/ipsets ]] && for f in $(ipset list -n 2>/dev/null); do
    grep -qx "$f" "$saved/ipsets" 2>/dev/null || ipset destroy "$f" 2>/dev/null || true
  done
  conntrack -D -s "$POD_RANGE" >/dev/null 2>&1 || true
  conntrack -D -d "$SERVICE_RANGE" >/dev/null 2>&1 || true
  # cgroups the node made (kubepods, containerd's k8s.io ...): every group one or two levels down
  # (a v1 hierarchy's top groups, or cgroup2's) that was not there before, deepest first; rmdir
  # leaves any group still in use
  if [[ -f $saved/cgroup-dirs ]]; then
    while IFS= read -r d; do
      grep -qxF "$d" "$saved/cgroup-dirs" || find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d 2>/dev/null)
  fi
  # sysctls
  if [[ -f $saved/sysctls ]]; then
    while IFS= read -r f; do sysctl -qw "$f" >/dev/null 2>&1 || true; done <"$saved/sysctls"
  fi
  # directories written outside the node's own
  [[ -f $saved/dirs-present ]] && for d in "${REAL_NODE_HOST_DIRS[@]}"; do
    [[ -e $d ]] || continue
    grep -qx "$d" "$saved/dirs-present" 2>/dev/null && continue
    rm -rf --one-file-system "$d" 2>/dev/null || true
  done
  if [[ -f $saved/host-before.txt ]]; then
    mkdir -p "$WORK_DIR/real-node-host"
    cp "$saved/host-before.txt" "$WORK_DIR/real-node-host/before.txt"
    bash "$CLUSTER_SCRIPTS/node/host-state.sh" >"$WORK_DIR/real-node-host/after.txt"
  fi
  rm -rf --one-file-system "$REAL_NODE_DIR"
}

real_node_status() {
  if [[ ! -d $REAL_NODE_DIR ]]; then echo "  real node:  not running ($(real_node_why_not || true))"; return 0; fi
  local p
  echo "  real node:  $REAL_NODE_NAME ($REAL_NODE_IP), guard dropped $(rn_guard_count || echo '?') packet(s)"
  for p in containerd kubelet kube-proxy coredns kube-router; do
    if rn_alive "$p"; then printf '    %-12s pid %-8s running\n' "$p" "$(rn_pid "$p")"; else printf '    %-12s DEAD\n' "$p"; fi
  done
}

cmd_real_node() {
  case ${1:-} in
  start) lock_cluster; healthy || die "the cluster is not running (npm run cluster -- start)"; real_node_start ;;
  stop) lock_cluster; real_node_stop ;;
  status) real_node_status ;;
  guard) rn_guard_count ;;
  *) echo "usage: $0 real-node start|stop|status|guard" >&2; exit 2 ;;
  esac
}
