/**
 * The post-deploy smoke test, as plain data: which checks a deployed stack's live Services call
 * for, the Job that runs them from inside the cluster, and what its outcome says. The runner
 * (smoke.ts) does the kubectl side; everything here is pure and unit-tested.
 */
import { API_HEALTH_PATH } from "../../components/api";
import { recommendedLabels } from "../../components/labels";
import { MONGO_HTTP_PORT } from "../../components/mongodb";
import { names } from "../../stack";

/**
 * The image the Job runs: curl for the HTTP checks (busybox wget cannot send the PUT that
 * writes a person: go-demo-2's main.go `PersonServer` writes only on PUT), with Alpine's busybox
 * for `sh` and `nslookup`. Pinned to a tag; multi-arch.
 */
export const SMOKE_IMAGE = "curlimages/curl:8.14.1";

/** Seconds each check may take: curl's `--max-time`. */
export const SECONDS_PER_CHECK = 5;

/** What a check does. */
export type CheckKind = "dns" | "cname" | "get" | "put";

/** One check of the smoke Job, and the row of the table it fills. */
export interface SmokeCheck {
    /** `spec.type` of the Service it proves: ClusterIP, NodePort, LoadBalancer, ExternalName. */
    serviceType: string;
    service: string;
    /** What the row says it proves, such as "/demo/hello through the node port". */
    what: string;
    kind: CheckKind;
    /** The DNS name to resolve, or the URL to call. */
    target: string;
    /**
     * What the answer must hold: for DNS checks a whole line of busybox `nslookup`'s output (tabs
     * read as spaces: `Address: <ip>`, `<name> canonical name = <target>`, as its nslookup.c
     * prints them); for HTTP checks text the body contains ("" for none: success of the call is the check).
     */
    expect: string;
}

/** A live Service, reduced to what the checks need. */
export interface LiveService {
    name: string;
    type: string;
    clusterIP?: string;
    ports: { name?: string; port: number; nodePort?: number }[];
    externalName?: string;
    /** The first load-balancer ingress's IP or host name. */
    ingress?: string;
    /** The labels of the Pods it selects. */
    selector?: Record<string, string>;
}

/** The live Services of `kubectl get services -o json`. */
export function liveServices(list: { items: LiveServiceObject[] }): LiveService[] {
    return list.items.map((s) => {
        const ingress = s.status?.loadBalancer?.ingress?.[0];
        const clusterIP = s.spec.clusterIP && s.spec.clusterIP !== "None" ? s.spec.clusterIP : undefined;
        return {
            name: s.metadata.name,
            type: s.spec.type ?? "ClusterIP",
            ...(clusterIP ? { clusterIP } : {}),
            ports: (s.spec.ports ?? []).map((p) => ({ name: p.name, port: p.port, ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
            ...(s.spec.externalName ? { externalName: s.spec.externalName } : {}),
            ...(ingress ? { ingress: ingress.ip ?? ingress.hostname } : {}),
            ...(s.spec.selector ? { selector: s.spec.selector } : {}),
        };
    });
}

/** The part of a Service object liveServices reads. */
export interface LiveServiceObject {
    metadata: { name: string };
    spec: {
        type?: string;
        clusterIP?: string;
        externalName?: string;
        ports?: { name?: string; port: number; nodePort?: number }[];
        selector?: Record<string, string>;
    };
    status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** The InternalIP of the first Ready node of `kubectl get nodes -o json`: where node ports answer. */
export function readyNodeAddress(list: {
    items: { status?: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] } }[];
}): string | undefined {
    const ready = list.items.find((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    return ready?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
}

/** An address as a URL's host: IPv6 in brackets. */
function host(address: string): string {
    return address.includes(":") ? `[${address}]` : address;
}

export interface SmokeTarget {
    /** The stack's live Services. */
    services: LiveService[];
    /** The DNS name of each Service, as the stack's `dnsNames` output gives them. */
    dnsNames: Record<string, string>;
    /** A Ready node's address, for the node port checks; none: those checks are left out. */
    nodeAddress?: string;
    /** The name of the person the run writes and reads back: unique per run, so the read proves the write. */
    person: string;
}

/**
 * Every check the live Services call for. Each Service with a cluster IP: its DNS name resolves
 * to it. The ExternalName Service: its name is a CNAME to its external name. The API: /demo/hello
 * through its cluster IP, a node's node port and the load balancer's address where it has them,
 * then a person written and read back (API → go-demo-2-db → MongoDB; read back only where every API Pod reads the same database). MongoDB's HTTP interface
 * (go-demo-2-svc), where the stack publishes it: through its cluster IP and node port.
 */
export function smokeChecks(target: SmokeTarget): SmokeCheck[] {
    const checks: SmokeCheck[] = [];
    // The lab's combined Pod runs its own MongoDB beside each API (DB=localhost): a person written
    // through the Service lands in one Pod's database, and a read may reach another's. Only where
    // every API Pod reads one database (go-demo-2-db selects other Pods) can a read prove the write.
    const selectorOf = (name: string) => target.services.find((s) => s.name === name)?.selector;
    const [dbPods, apiPods] = [selectorOf(names.db), selectorOf(names.api)];
    const sharedDatabase = !dbPods || !apiPods || JSON.stringify(dbPods) !== JSON.stringify(apiPods);
    for (const s of target.services) {
        const base = { serviceType: s.type, service: s.name };
        const dnsName = target.dnsNames[s.name];
        if (s.type === "ExternalName") {
            if (dnsName && s.externalName) {
                checks.push({ ...base, what: `DNS name is a CNAME to ${s.externalName}`, kind: "cname", target: dnsName, expect: `${dnsName} canonical name = ${s.externalName}` });
            }
            continue;
        }
        if (dnsName && s.clusterIP) {
            checks.push({ ...base, what: "DNS name resolves to the cluster IP", kind: "dns", target: dnsName, expect: `Address: ${s.clusterIP}` });
        }
        const port = s.ports[0];
        if (!port || !s.clusterIP) {
            continue;
        }
        // Each path reaches the same Pods: the cluster IP, a node's node port, the load balancer.
        const through = (path: string): { via: string; url: string }[] => {
            const scheme = port.name === "https" || port.port === 443 ? "https" : "http";
            return [
                { via: "the cluster IP", url: `${scheme}://${host(s.clusterIP!)}:${port.port}${path}` },
                ...(port.nodePort && target.nodeAddress ? [{ via: "a node's node port", url: `${scheme}://${host(target.nodeAddress)}:${port.nodePort}${path}` }] : []),
                ...(s.ingress ? [{ via: "the load balancer", url: `${scheme}://${host(s.ingress)}:${port.port}${path}` }] : []),
            ];
        };
        if (s.name === names.api) {
            for (const { via, url } of through(API_HEALTH_PATH)) {
                checks.push({ ...base, what: `${API_HEALTH_PATH} through ${via}`, kind: "get", target: url, expect: "hello, world!" });
            }
            const [{ url: people }] = through("/demo/person");
            const person = encodeURIComponent(target.person);
            checks.push({ ...base, what: "a person written (API → go-demo-2-db)", kind: "put", target: `${people}?name=${person}`, expect: "" });
            if (sharedDatabase) {
                checks.push({ ...base, what: "the person read back", kind: "get", target: people, expect: target.person });
            }
        } else if (s.name === names.dbHttp && port.port === MONGO_HTTP_PORT) {
            for (const { via, url } of through("/")) {
                checks.push({ ...base, what: `MongoDB's HTTP interface through ${via}`, kind: "get", target: url, expect: "" });
            }
        }
    }
    return checks;
}

/**
 * The Job's shell script, run by the image's busybox `sh`. Each line of `$CHECKS` is one check:
 * kind, target and expected text, tab-separated. Each check's row (`<n> ok`, or `<n> FAIL <what
 * it printed>`) goes to stdout and to `$RESULTS`, the container's termination message, which the
 * runner reads from the Pod's status (no log access needed, and bounded to 4 KiB by the kubelet:
 * the detail is cut to 120 characters). The exit code says whether every check passed.
 */
export const SMOKE_SCRIPT = `set -u
tab=$(printf '\\t')
n=0
failed=0
: >"$RESULTS"
while IFS="$tab" read -r kind target expect; do
  [ -n "$kind" ] || continue
  n=$((n + 1))
  case $kind in
    dns | cname) out=$(nslookup "$target" 2>&1) ;;
    get) out=$(curl -fksS --max-time "$SECONDS_PER_CHECK" "$target" 2>&1) ;;
    put) out=$(curl -fksS --max-time "$SECONDS_PER_CHECK" -X PUT "$target" 2>&1) ;;
    *) out="unknown check $kind"; false ;;
  esac
  rc=$?
  if [ "$kind" = dns ] || [ "$kind" = cname ]; then
    # A whole answer line: the name server's own address must not pass for the Service's.
    if printf '%s\n' "$out" | tr '\t' ' ' | grep -Fqx -- "$expect"; then found=1; else found=0; fi
  else
    case $out in *"$expect"*) found=1 ;; *) found=0 ;; esac
  fi
  if [ "$rc" -eq 0 ] && [ "$found" -eq 1 ]; then
    row="$n ok"
  else
    failed=1
    # Without nslookup's lines about its server, so that the answer fits the row.
    row="$n FAIL $(printf '%s\\n' "$out" | grep -v -e '^Server:' -e '^Address:.*:53$' -e '^$' | tr '\\n\\t' '  ' | cut -c1-120)"
  fi
  echo "$row"
  echo "$row" >>"$RESULTS"
done <<EOF
$CHECKS
EOF
exit "$failed"
`;

/** `$CHECKS`: one line per check. */
export function checksEnv(checks: SmokeCheck[]): string {
    for (const c of checks) {
        if (/[\t\n]/.test(c.target + c.expect)) {
            throw new Error(`a smoke check's target or expected text has a tab or a newline: ${JSON.stringify(c)}`);
        }
    }
    return checks.map((c) => [c.kind, c.target, c.expect].join("\t")).join("\n");
}

/** Labels of the Job and its Pod: the recommended set only, so that no Service of the stack selects the Pod. */
export function smokeLabels(jobName: string): Record<string, string> {
    return recommendedLabels(names.smoke, "smoke-test", jobName);
}

export interface SmokeJobArgs {
    name: string;
    namespace: string;
    checks: SmokeCheck[];
    /** The Job's `activeDeadlineSeconds`: image pull included, it then fails with DeadlineExceeded. */
    deadlineSeconds: number;
    /** @default SMOKE_IMAGE */
    image?: string;
    /** The Pod's nodeSelector: where the stack's own Pods are placed (config `nodeSelector`). @default none */
    nodeSelector?: Record<string, string>;
    /** Taint keys the Pod tolerates (NoSchedule), as the stack's Pods do (config `tolerateTaints`). @default none */
    tolerateTaints?: string[];
}

/** Where the script writes its rows: the container's termination message. */
const RESULTS_PATH = "/dev/termination-log";

/**
 * The smoke Job: one Pod, never retried (a failed check is an answer, not a flake to retry),
 * bounded by its deadline, removed by the TTL controller ten minutes after it ends should the
 * runner not delete it. It runs unprivileged, read-only, without a service account token.
 */
export function smokeJob(args: SmokeJobArgs): Record<string, unknown> {
    const labels = smokeLabels(args.name);
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: args.deadlineSeconds,
            ttlSecondsAfterFinished: 600,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    ...(args.nodeSelector && Object.keys(args.nodeSelector).length > 0 ? { nodeSelector: args.nodeSelector } : {}),
                    ...(args.tolerateTaints && args.tolerateTaints.length > 0
                        ? { tolerations: args.tolerateTaints.map((key) => ({ key, operator: "Exists", effect: "NoSchedule" })) }
                        : {}),
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "smoke",
                            image: args.image ?? SMOKE_IMAGE,
                            command: ["sh", "-c", SMOKE_SCRIPT],
                            env: [
                                { name: "CHECKS", value: checksEnv(args.checks) },
                                { name: "SECONDS_PER_CHECK", value: String(SECONDS_PER_CHECK) },
                                { name: "RESULTS", value: RESULTS_PATH },
                            ],
                            terminationMessagePath: RESULTS_PATH,
                            terminationMessagePolicy: "File",
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        },
                    ],
                },
            },
        },
    };
}

/** One row of the table: a check and what came of it. */
export interface SmokeRow extends SmokeCheck {
    ok: boolean;
    /** What the check printed when it failed, or why it has no result. */
    detail: string;
}

/** The part of the Job's and its Pod's status the outcome reads. */
export interface SmokeStatus {
    job?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
    pod?: {
        phase?: string;
        containerStatuses?: {
            state?: {
                waiting?: { reason?: string; message?: string };
                terminated?: { exitCode?: number; reason?: string; message?: string };
            };
        }[];
    };
    /** The runner stopped waiting before the Job ended. */
    timedOut?: boolean;
}

export interface SmokeOutcome {
    ok: boolean;
    rows: SmokeRow[];
    /** One line: how the run ended. */
    summary: string;
}

/**
 * What a run says: each check's row from the Pod's termination message, and whether the whole
 * passed — only when the Job completed and every check reported ok. A Job that ended without
 * rows (the image never ran; a simulated kubelet completed the Pod) fails with the reason its
 * status gives.
 */
export function smokeOutcome(checks: SmokeCheck[], status: SmokeStatus): SmokeOutcome {
    const condition = (type: string) => status.job?.conditions?.find((c) => c.type === type && c.status === "True");
    const container = status.pod?.containerStatuses?.[0]?.state;
    const message = container?.terminated?.message ?? "";
    const reported = new Map<number, string>();
    for (const line of message.split("\n")) {
        const m = /^(\d+) (ok|FAIL)(?: (.*))?$/.exec(line.trim());
        if (m) {
            reported.set(Number(m[1]), m[2] === "ok" ? "" : `FAIL ${m[3] ?? ""}`.trim());
        }
    }
    const rows = checks.map((c, i) => {
        const row = reported.get(i + 1);
        return row === undefined ? { ...c, ok: false, detail: "no result" } : { ...c, ok: row === "", detail: row.replace(/^FAIL ?/, "") };
    });
    const complete = condition("Complete");
    const failed = condition("Failed");
    const waiting = container?.waiting ? `; its container is waiting: ${container.waiting.reason ?? ""} ${container.waiting.message ?? ""}`.trimEnd() : "";
    let summary: string;
    if (status.timedOut) {
        summary = `the Job did not end in time${waiting}`;
    } else if (failed) {
        summary = `the Job failed: ${failed.reason ?? ""} ${failed.message ?? ""}`.trimEnd() + waiting;
    } else if (complete) {
        summary = reported.size === 0 ? "the Job completed, but its Pod left no results: nothing ran the checks (a simulated kubelet completes Pods without running them)" : "the Job completed";
    } else {
        summary = "the Job has not ended";
    }
    const passed = rows.filter((r) => r.ok).length;
    const ok = Boolean(complete) && !failed && !status.timedOut && rows.length > 0 && passed === rows.length;
    return { ok, rows, summary: `${summary}: ${passed} of ${rows.length} checks passed` };
}

/** The table the runner prints: one block per Service type, in the lab's order, a line per check. */
export function smokeTable(rows: SmokeRow[]): string {
    const order = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    const types = [...new Set(rows.map((r) => r.serviceType))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const width = (pick: (r: SmokeRow) => string) => Math.max(0, ...rows.map((r) => pick(r).length));
    const [serviceWidth, whatWidth, targetWidth] = [width((r) => r.service), width((r) => r.what), width((r) => r.target)];
    const lines: string[] = [];
    for (const type of types) {
        lines.push(type);
        for (const r of rows.filter((x) => x.serviceType === type)) {
            const result = r.ok ? "ok" : `FAIL${r.detail ? `  ${r.detail}` : ""}`;
            lines.push(`  ${r.service.padEnd(serviceWidth)}  ${r.what.padEnd(whatWidth)}  ${r.target.padEnd(targetWidth)}  ${result}`);
        }
    }
    return lines.join("\n");
}
