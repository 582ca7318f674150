import { execFile, execFileSync } from "child_process";

/** kubectl against the cluster the run targets (KUBECONFIG from scripts/env/kube-env.sh). */
export function kubectl(...args: string[]): string {
    return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * kubectl without blocking the event loop, for long commands (a drain) during which watches
 * (watch.ts) must keep reading. Resolves with stdout and stderr, rejects with both on failure.
 */
export function kubectlAsync(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        execFile("kubectl", args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) {
                reject(new Error(`kubectl ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
            } else {
                resolve({ stdout, stderr });
            }
        });
    });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kubectlJson(...args: string[]): any {
    return JSON.parse(kubectl(...args, "-o", "json"));
}

/** Whether an object exists (kubectl get answers NotFound otherwise). */
export function exists(...args: string[]): boolean {
    try {
        kubectl("get", ...args);
        return true;
    } catch (e) {
        if (String((e as { stderr?: string }).stderr).includes("NotFound")) {
            return false;
        }
        throw e;
    }
}

export interface PodInfo {
    name: string;
    ip: string;
    ready: boolean;
    /** The node it is bound to ("" while unscheduled). */
    node: string;
}

/** A selector as kubectl's `-l` takes it: `k=v,k=v`. */
export function labelSelector(selector: Record<string, string>): string {
    return Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The Pods a Service selector matches, with their IPs and readiness. */
export function pods(namespace: string, selector: Record<string, string>): PodInfo[] {
    return kubectlJson("get", "pods", "-n", namespace, "-l", labelSelector(selector))
        .items.filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp)
        .map(
            (p: {
                metadata: { name: string };
                spec: { nodeName?: string };
                status: { podIP?: string; conditions?: { type: string; status: string }[] };
            }) => ({
                name: p.metadata.name,
                ip: p.status.podIP ?? "",
                ready: (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
                node: p.spec.nodeName ?? "",
            }),
        );
}

interface EndpointSlice {
    endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
    ports?: { name: string; port: number }[];
}

/** A Service's EndpointSlices, as the EndpointSlice controller published them. */
function endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return kubectlJson("get", "endpointslices", "-n", namespace, "-l", `kubernetes.io/service-name=${service}`).items;
}

/** The ready endpoints of one EndpointSlice (ready unless the controller says otherwise). */
export function readyEndpointsOf(slice: EndpointSlice): { addresses: string[] }[] {
    return (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
}

/** The ready endpoint addresses the EndpointSlice controller published for a Service, sorted. */
export function endpointIPs(namespace: string, service: string): string[] {
    return endpointSlices(namespace, service)
        .flatMap((s) => readyEndpointsOf(s).flatMap((e) => e.addresses))
        .sort();
}

/** `ip:port/name` of every ready endpoint the EndpointSlice controller published for a Service, sorted. */
export function endpointPorts(namespace: string, service: string): string[] {
    return endpointSlices(namespace, service)
        .flatMap((s) => readyEndpointsOf(s).flatMap((e) => e.addresses.flatMap((a) => (s.ports ?? []).map((p) => `${a}:${p.port}/${p.name}`))))
        .sort();
}

/** The apiserver's Service CIDRs, from its ServiceCIDR objects. */
export function serviceCIDRs(): string[] {
    return kubectlJson("get", "servicecidrs").items.flatMap((c: { spec: { cidrs: string[] } }) => c.spec.cidrs);
}

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => T, timeoutMs = 120_000, intervalMs = 1_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return check();
        } catch (e) {
            if (Date.now() > deadline) {
                throw e;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** A resource of an exported Pulumi state (`stack.exportStack()`), as far as these checks read it. */
interface StateResource {
    type: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    outputs?: any;
}

/**
 * Every Service and ReplicaSet the state records, as `[object, labels, annotations, spec]` both as
 * recorded and as the live object has them: what `up` reported as applied, to check against the
 * cluster rather than against Pulumi's own view (`expect(recorded).toEqual(live)`).
 */
export function recordedAndLive(resources: StateResource[]): { recorded: unknown[]; live: unknown[] } {
    const kinds: Record<string, string> = { "kubernetes:core/v1:Service": "service", "kubernetes:apps/v1:ReplicaSet": "replicaset" };
    const shape = (object: string, o: { metadata: { labels?: object; annotations?: object }; spec: object }) => [
        object,
        o.metadata.labels ?? {},
        o.metadata.annotations ?? {},
        o.spec,
    ];
    const objects = resources
        .filter((r) => r.type in kinds && r.outputs?.metadata)
        .map((r) => ({ object: `${kinds[r.type]}/${r.outputs.metadata.name}`, namespace: r.outputs.metadata.namespace, outputs: r.outputs }));
    return {
        recorded: objects.map(({ object, outputs }) => shape(object, outputs)),
        live: objects.map(({ object, namespace }) => shape(object, kubectlJson("get", object, "-n", namespace))),
    };
}

/**
 * Every object of the stack's kinds in a namespace as `kind/name uid spec` (a ConfigMap's data
 * and annotations for its spec, a Pod's name and uid only: its status moves on its own), sorted:
 * equal before and after a step when the step changed nothing in the cluster.
 */
export function liveObjects(namespace: string): string[] {
    const kinds = "services,replicasets,pods,persistentvolumeclaims,configmaps,networkpolicies,poddisruptionbudgets";
    return kubectlJson("get", kinds, "-n", namespace)
        .items.map((o: { kind: string; metadata: { name: string; uid: string; annotations?: object }; spec?: object; data?: object }) => {
            const spec = o.kind === "Pod" ? "" : JSON.stringify(o.kind === "ConfigMap" ? [o.data, o.metadata.annotations] : o.spec);
            return `${o.kind}/${o.metadata.name} ${o.metadata.uid} ${spec}`;
        })
        .sort();
}
