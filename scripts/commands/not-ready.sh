#!/usr/bin/env bash
# scripts/commands/not-ready.sh: every Pod of the stack (any namespace) that is not Ready, and why,
# as the kubelet reports it: each container's waiting reason and message, or its last exit.
# `pulumi up` names a workload that did not become Ready; this says what its Pods are waiting for. Run by
# npm run up and by the deploy workflow when an up fails.
set -euo pipefail
# shellcheck source=../env/kube-env.sh
source "$(dirname "$0")/../env/kube-env.sh"
kubectl get pods -A -l app.kubernetes.io/part-of=go-demo-2 -o json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const lines = [];
    for (const pod of JSON.parse(s).items) {
      const ready = (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
      if (ready || pod.metadata.deletionTimestamp) continue;
      const why = (pod.status.containerStatuses ?? [])
        .filter((c) => !c.ready)
        .map((c) => {
          const w = c.state?.waiting, t = c.state?.terminated ?? c.lastState?.terminated;
          const reason = w ? `${w.reason}${w.message ? `: ${w.message}` : ""}` : t ? `exited ${t.exitCode} (${t.reason})` : "not ready (readiness probe)";
          return `${c.name} ${reason}`;
        });
      const what = why.length > 0 ? why.join("; ") : pod.status.phase + ((pod.status.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status !== "True")?.message ?? "");
      lines.push(`  ${pod.metadata.namespace}/${pod.metadata.name} (release ${pod.metadata.labels["pod-template-hash"] ?? "?"}): ${what}`);
    }
    console.log(lines.length ? `Pods that are not Ready:\n${lines.join("\n")}` : "Every Pod of the stack is Ready.");
  });'
