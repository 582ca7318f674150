import { execFile, execFileSync } from "child_process";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import * as tls from "tls";

import { root } from "../../tools/project/root";
import { eventually, kubectl, kubectlJson } from "./kube";

/**
 * The local cluster's real node (scripts/cluster/real-node.sh) as the data-plane tests see it: its
 * name, address and taint, the stand-in images built here (images/build.sh), and helpers to run
 * Pods on it. Every packet these tests send stays on this machine (loopback, the node's bridge and
 * the Pods' namespaces).
 */
export const REAL_NODE = "real-node-0";
export const REAL_NODE_IP = "172.18.0.10";
export const REAL_NODE_TAINT = "go-demo-2.local/real-node";
export const CLUSTER_DNS_IP = "10.96.0.10";

/** Stand-in images built here and imported into the node (none of them is the real image). */
export const STAND_IN = {
    busybox: "go-demo-2.local/busybox:stand-in",
    api: "go-demo-2.local/go-demo-2:stand-in",
    api2: "go-demo-2.local/go-demo-2:stand-in-2",
    mongo: "go-demo-2.local/mongo:3.3-stand-in",
    curl: "go-demo-2.local/curl:stand-in",
};

/** The TLS sidecar built here: ghostunnel itself at the stack's version (images/ghostunnel), not a stand-in. */
export const LOCAL_TLS_PROXY = "go-demo-2.local/ghostunnel:v1.8.4";

/** What the Pods on the real node need: to tolerate its taint and to be placed on it. */
export const onRealNode = {
    nodeSelector: { "kubernetes.io/hostname": REAL_NODE },
    tolerations: [{ key: REAL_NODE_TAINT, operator: "Exists", effect: "NoSchedule" }],
};

/**
 * Fails (never skips) when the real node is not Ready: the data-plane tests are required wherever
 * the e2e run (`.ci/run` starts the cluster with GO_DEMO_2_REAL_NODE=required). Only an explicit
 * GO_DEMO_2_REAL_NODE=off, which the cluster script also honours, turns them off, loudly.
 */
export function realNodeWanted(): boolean {
    if (process.env.GO_DEMO_2_REAL_NODE === "off") {
        console.warn("GO_DEMO_2_REAL_NODE=off: the data-plane tests on the real node are NOT run");
        return false;
    }
    return true;
}

export function assertRealNodeReady(): void {
    let ready = "";
    try {
        ready = kubectl("get", "node", REAL_NODE, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`);
    } catch (e) {
        throw new Error(
            `the real node ${REAL_NODE} is not in the cluster: ${String((e as { stderr?: string }).stderr ?? e)}; ` +
                "npm run cluster -- start prints why it did not start (see docs/real-node.md)",
        );
    }
    if (ready !== "True") {
        throw new Error(`the real node ${REAL_NODE} is not Ready (Ready=${ready})`);
    }
}

/** The leak guard's count of dropped packets (scripts/cluster/cluster.sh real-node guard). */
export function guardDropped(): number {
    const out = execFileSync("bash", ["scripts/cluster/cluster.sh", "real-node", "guard"], { cwd: root, encoding: "utf8" }).trim();
    if (!/^\d+$/.test(out)) {
        throw new Error(`the leak guard's counter cannot be read (got ${JSON.stringify(out)}): is its nftables table there?`);
    }
    return Number(out);
}

export function createNamespace(name: string): void {
    kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=true", "--timeout=120s");
    kubectl("create", "namespace", name);
    // Pods are only created once the namespace's default ServiceAccount exists.
    execFileSync("bash", ["-c", `for i in $(seq 60); do kubectl -n ${name} get sa default >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1`]);
}

export function apply(manifest: unknown): void {
    execFileSync("kubectl", ["apply", "-f", "-"], { input: JSON.stringify(manifest), encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

/** A Pod on the real node running `command` in `image` (busybox by default). */
export function podOnRealNode(
    namespace: string,
    name: string,
    command: string[],
    extra: { image?: string; labels?: Record<string, string>; container?: Record<string, unknown>; spec?: Record<string, unknown> } = {},
): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { app: name, ...(extra.labels ?? {}) } },
        spec: {
            ...onRealNode,
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "main", image: extra.image ?? STAND_IN.busybox, imagePullPolicy: "Never", command, ...(extra.container ?? {}) }],
            ...(extra.spec ?? {}),
        },
    };
}

export async function waitRunning(namespace: string, name: string, timeoutMs = 90_000): Promise<{ ip: string; node: string }> {
    return eventually(() => {
        const p = kubectlJson("get", "pod", "-n", namespace, name);
        const ready = (p.status.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
        if (p.status.phase !== "Running" || !ready) {
            throw new Error(`pod ${namespace}/${name}: ${p.status.phase} ${JSON.stringify(p.status.containerStatuses?.[0]?.state ?? {})}`);
        }
        return { ip: p.status.podIP as string, node: p.spec.nodeName as string };
    }, timeoutMs);
}

/** kubectl exec in a Pod's (first) container; returns stdout. */
export function execIn(namespace: string, pod: string, ...command: string[]): string {
    return execFileSync("kubectl", ["exec", "-n", namespace, pod, "--", ...command], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30_000,
    });
}

/**
 * Whether a TCP connection from a Pod (its first container) to `host:port` opens within 3 s:
 * busybox's `nc -z`, which every stand-in image carries.
 */
export function canConnect(namespace: string, pod: string, host: string, port: number): boolean {
    try {
        execIn(namespace, pod, "nc", "-z", "-w", "3", host, String(port));
        return true;
    } catch {
        return false;
    }
}

/**
 * A GET from this host on a connection of its own (no keep-alive: kube-proxy picks a Pod for every
 * request, as for a new client, rather than every request riding one pooled connection to one
 * Pod), bounded in time: the body and, over HTTPS, the SHA-256 fingerprint of the certificate
 * served, which is not verified here (tests compare it with the one issued). Throws unless 200.
 */
export function getOnce(url: string, timeoutMs = 3_000): Promise<{ body: string; fingerprint?: string }> {
    return new Promise((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`GET ${url}: ${why}`));
        const options = { agent: false as const, timeout: timeoutMs, rejectUnauthorized: false };
        const req = (url.startsWith("https:") ? https : http).get(url, options, (res) => {
            const fingerprint = res.socket instanceof tls.TLSSocket ? res.socket.getPeerCertificate().fingerprint256 : undefined;
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => (res.statusCode === 200 ? resolve({ body, fingerprint }) : fail(`${res.statusCode} ${body.slice(0, 200)}`)));
            res.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
        });
        req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" })));
        req.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    });
}

/** An HTTP GET from this host (getOnce), bounded in time; the body, or throws. */
export async function httpGet(url: string, timeoutMs = 3_000): Promise<string> {
    return (await getOnce(url, timeoutMs)).body;
}

/** Retries an async `check` until it resolves, or rethrows its last error after `timeoutMs`. */
export async function eventuallyAsync<T>(check: () => Promise<T>, timeoutMs = 120_000, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await check();
        } catch (e) {
            if (Date.now() > deadline) {
                throw e;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/**
 * A stack's placement on the real node: config nodeSelector (its hostname), tolerateTaints (its
 * taint) and clusterDnsAddresses (its DNS), set by path as `pulumi config set --path` does (the
 * project declares their types); scripts/commands/up.sh --local-images sets the same.
 */
export async function placeOnRealNode(stack: { setConfig: (key: string, value: { value: string }, path?: boolean) => Promise<void> }): Promise<void> {
    await stack.setConfig('go-demo-2:nodeSelector["kubernetes.io/hostname"]', { value: REAL_NODE }, true);
    await stack.setConfig("go-demo-2:tolerateTaints[0]", { value: REAL_NODE_TAINT }, true);
    // The node's CoreDNS answers on the host (the kube-dns Service's endpoint), where no Pod
    // selector of the egress policies reaches: its address is allowed by clusterDnsAddresses.
    await stack.setConfig("go-demo-2:clusterDnsAddresses[0]", { value: `${REAL_NODE_IP}/32` }, true);
}

/**
 * `npm run smoke -- <stack> --image <curl stand-in>` on a stack of a copied project in `workDir`,
 * as a user runs it (the runner itself, in that folder): its exit code and output, printed too.
 */
export async function smokeOnRealNode(stackName: string, workDir: string): Promise<{ code: number; stdout: string }> {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
            path.join(root, "node_modules", ".bin", "tsx"),
            [path.join(root, "tools", "smoke", "smoke.ts"), stackName, "--image", STAND_IN.curl, "--timeout", "90"],
            { cwd: workDir, encoding: "utf8", timeout: 240_000 },
            (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
        );
    });
    console.log(`npm run smoke -- ${stackName} on the real node:\n${stdout}\n${stderr.split("\n").slice(-5).join("\n")}`);
    return { code, stdout };
}
