#!/usr/bin/env bash
# Prints what a real node can change on this host, in a stable text form, so that two snapshots
# (before the node starts, after it stops) can be compared line by line: every sysctl (less the
# counters that move by themselves), links, addresses, routes and rules, network namespaces, the
# netfilter ruleset (without counter values), ipsets, mounts, cgroups (two levels deep: hierarchies and their top groups, where a node puts kubepods; deeper ones belong to whatever runs commands on this machine), and
# whether the directories a kubelet, containerd and CNI write outside their chosen roots exist.
#   bash scripts/cluster/node/host-state.sh > before.txt   ... later ...   diff before.txt after.txt
set -uo pipefail
section() { printf '## %s\n' "$1"; }

section sysctl
sysctl -a 2>/dev/null | grep -vE '^(fs\.(dentry-state|file-nr|inode-nr|inode-state)|kernel\.(ns_last_pid|random\.|pty\.nr)|net\.netfilter\.nf_conntrack_count|net\.ipv4\.tcp_mem|net\.ipv4\.udp_mem|fs\.quota|net\.core\.netdev_rss_key|kernel\.tainted|fs\.aio-nr|kernel\.core_pipe_limit)' | LC_ALL=C sort

section links
ip -o link show 2>/dev/null | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//; s/\\.*$//' | awk '{print $1, $2}' | LC_ALL=C sort
section addresses
ip -o addr show 2>/dev/null | awk '{print $2, $3, $4}' | LC_ALL=C sort
section routes
ip -4 route show table all 2>/dev/null | LC_ALL=C sort
ip -6 route show table all 2>/dev/null | grep -v '^local fe80\|^fe80\|^multicast' | LC_ALL=C sort
section rules
ip rule show 2>/dev/null; ip -6 rule show 2>/dev/null
section netns
ip netns list 2>/dev/null | LC_ALL=C sort
section nftables
if command -v nft >/dev/null; then nft -s list ruleset 2>&1; fi
section ipsets
if command -v ipset >/dev/null; then ipset list -n 2>/dev/null | LC_ALL=C sort; fi
section mounts
findmnt -rn -o TARGET,FSTYPE,SOURCE 2>/dev/null | LC_ALL=C sort
section cgroups
find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d 2>/dev/null | LC_ALL=C sort
section directories
for d in /var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd /var/run/netns \
  /run/netns /var/lib/go-demo-2 /usr/libexec/kubernetes /etc/cni /opt/cni /var/lib/containerd /run/flannel \
  /var/lib/kube-router /var/lib/dockershim /etc/kubernetes; do
  if [[ -e $d ]]; then echo "$d present"; else echo "$d absent"; fi
done
