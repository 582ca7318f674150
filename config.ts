import * as pulumi from "@pulumi/pulumi";
import { closest, distance } from "fastest-levenshtein";
import * as ipaddr from "ipaddr.js";
import * as os from "os";
import { z } from "zod";

import {
    DEFAULT_ARCHITECTURES,
    DEFAULT_CLUSTER_DOMAIN,
    DEFAULT_DB_MEMORY_LIMIT,
    DEFAULT_NODE_LOSS_TOLERATION_SECONDS,
    fractionalCacheSize,
    imageVersion,
    KUBERNETES_NODE_LOSS_TOLERATION_SECONDS,
    MEMORY_QUANTITY,
    memoryBytes,
    supportsHttpInterface,
    unusableMongoImage,
} from "go-demo-2";

import { CERT_MANAGER_SOURCES, CertManagerSource } from "./certManager";
import { checkCluster, readKubeconfig } from "./cluster";
import { MONITORING_MODES, MonitoringMode } from "./monitoring";

/** The Pulumi project name: every key of this stack's config lives under `go-demo-2:`. */
export const PROJECT = "go-demo-2";

export type Topology = "split" | "combined";

/** The stack's configuration after decoding, defaulting and validation. */
export interface StackConfig {
    namespace: string;
    topology: Topology;
    replicas: number;
    dbImage: string;
    dbHttpInterface: boolean;
    apiImage: string;
    nodePort?: number;
    loadBalancer: boolean;
    loadBalancerSourceRanges: string[];
    loadBalancerAnnotations: Record<string, string>;
    loadBalancerWaitSeconds: number;
    externalName: string;
    clusterDomain: string;
    tls: boolean;
    certManager: CertManagerSource;
    tlsHostname?: string;
    rolloutTimeoutSeconds: number;
    dbStorageSize?: string;
    dbStorageClass?: string;
    dbStorageProtected: boolean;
    nodeLossTolerationSeconds: number;
    dbMemoryLimit: string;
    dbNodeLossTolerationSeconds: number;
    nodeArchitectures: string[];
    /** The uid of the claim whose deletion (and MongoDB's data on it) this update may do; see transitions.ts. */
    acknowledgeDataLoss?: string;
    /** Whether an update that moves a Service address is refused unless acknowledged; see transitions.ts. */
    guardAddresses: boolean;
    /** The token of the address moves this update may make; see transitions.ts. */
    acknowledgeAddressChanges?: string;
    monitoring: MonitoringMode;
    /** The namespace the metrics scraper runs in: the API's NetworkPolicy opens the metrics port to its Pods. */
    monitoringNamespace: string;
}

/**
 * Thrown with every configuration problem at once; Pulumi prints a RunError without a stack trace.
 * `what` heads the list: an invalid config, or a change the deployed stack refuses (transitions.ts).
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: string[],
        stack: string,
        what = "Invalid configuration",
    ) {
        super(
            `${what} for stack ${stack} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// An OCI image reference: [registry[:port]/]path[:tag][@digest]. Kubernetes rejects whitespace and
// upper case in the path, and a reference ending in ':' or '@' is a typo.
const IMAGE_REF =
    /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** The `kubernetes.io/arch` values of the architectures Kubernetes releases its node binaries for. */
const KUBERNETES_ARCHITECTURES = ["amd64", "arm64", "arm", "ppc64le", "s390x"] as const;
/** The go-demo-2 image the lab uses, on Docker Hub, whatever its tag or digest. */
const OFFICIAL_API_IMAGE = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?vfarcic\/go-demo-2(?:[:@]|$)/;
/** The least memory for a mongod that takes only whole GB of cache (1 GB = 50% of the limit less 1 GiB). */
const WHOLE_GB_CACHE_LIMIT = "3Gi";

// Pulumi hands every config value to the program as a string (arrays JSON-encoded), so each
// key decodes its string first, then checks the decoded value.
const integer = (min: number, max: number) =>
    z
        .string()
        .regex(/^-?\d+$/, { error: `expected an integer from ${min} to ${max}` })
        .transform(Number)
        .pipe(z.number().min(min, { error: `expected an integer from ${min} to ${max}` }).max(max, {
            error: `expected an integer from ${min} to ${max}`,
        }));

const boolean = z
    .enum(["true", "false"], { error: "expected true or false" })
    .transform((v) => v === "true");

const label = (what: string) =>
    z.string().max(63, { error: `expected a ${what} of at most 63 characters` }).regex(DNS_LABEL, {
        error: `expected a ${what}: lower-case letters, digits and '-', starting and ending with a letter or digit`,
    });

const hostname = z.string().regex(DNS_SUBDOMAIN, {
    error: "expected a DNS name such as kubernetes.io (lower-case labels separated by dots, at most 253 characters)",
});

// The API server checks an ExternalName Service's name with its trailing dot removed, so the fully
// qualified form (`kubernetes.io.`) is as valid as the relative one.
const externalHost = z
    .string()
    .refine((v) => DNS_SUBDOMAIN.test(v.endsWith(".") ? v.slice(0, -1) : v), {
        error:
            "expected a DNS name such as kubernetes.io or, fully qualified, kubernetes.io. (lower-case labels separated by dots, at most 253 characters)",
    });

/** A YAML list or map as Pulumi passes it: JSON in a string, decoded before it is checked. */
const json = (expected: string) =>
    z.string().transform((raw, ctx) => {
        try {
            return JSON.parse(raw) as unknown;
        } catch {
            ctx.addIssue({ code: "custom", message: expected });
            return z.NEVER;
        }
    });

// A Kubernetes annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63
// characters; the API server checks it lower-cased, so the prefix may be in any case. The stack's
// own `pulumi.com/` annotations tell the engine what to wait for; a Service's config must not
// override them.
const ANNOTATION_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const annotationKey = (key: string) => {
    const slash = key.lastIndexOf("/");
    const prefix = slash < 0 ? undefined : key.slice(0, slash).toLowerCase();
    return ANNOTATION_NAME.test(key.slice(slash + 1)) && (prefix === undefined || DNS_SUBDOMAIN.test(prefix));
};
const annotations = json("expected a YAML map of annotation names to strings").pipe(
        z
            .record(z.string(), z.string({ error: "expected a string value (quote true, false and numbers in YAML)" }), {
                error: "expected a YAML map of annotation names to strings",
            })
            .superRefine((map, ctx) => {
                for (const key of Object.keys(map)) {
                    if (!annotationKey(key)) {
                        ctx.addIssue({
                            code: "custom",
                            path: [key],
                            message:
                                "expected an annotation name such as service.beta.kubernetes.io/aws-load-balancer-scheme (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')",
                        });
                    } else if (key.startsWith("pulumi.com/")) {
                        ctx.addIssue({
                            code: "custom",
                            path: [key],
                            message: "pulumi.com/ annotations are the stack's own (they tell pulumi up what to wait for); remove it",
                        });
                    }
                }
            }),
    );

const image = z.string().regex(IMAGE_REF, {
    error: "expected a container image reference such as mongo:3.3 or registry.example.com/team/api:1.2@sha256:<64 hex>",
});

const storageSize = z.string().regex(/^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/, {
    error: "expected a storage size such as 10Gi: a positive whole number with an optional suffix Ki, Mi, Gi, Ti, Pi, k, M, G, T or P",
});

const cidr = z.string().refine((v) => ipaddr.isValidCIDR(v), {
    error: "expected an IPv4 or IPv6 CIDR such as 203.0.113.0/24",
});

const stringArray = (item: z.ZodType<string>) =>
    json("expected a YAML list of strings").pipe(z.array(item, { error: "expected a YAML list of strings" }));

/** Every key the stack accepts, with how its string value decodes and what it accepts. */
const keys = {
    namespace: label("namespace name (DNS-1123 label)"),
    topology: z.enum(["split", "combined"], { error: "expected split or combined" }),
    replicas: integer(1, 100),
    dbImage: image,
    dbHttpInterface: boolean,
    apiImage: image,
    nodePort: integer(30000, 32767),
    loadBalancer: boolean,
    loadBalancerSourceRanges: stringArray(cidr),
    loadBalancerAnnotations: annotations,
    loadBalancerWaitSeconds: integer(0, 3600),
    externalName: externalHost,
    clusterDomain: hostname,
    tls: boolean,
    certManager: z.enum(CERT_MANAGER_SOURCES, {
        error: "expected existing (the cluster already runs cert-manager) or install (the stack installs it)",
    }),
    tlsHostname: hostname,
    rolloutTimeoutSeconds: integer(10, 3600),
    dbStorageSize: storageSize,
    dbStorageClass: hostname,
    dbStorageProtected: boolean,
    nodeLossTolerationSeconds: integer(0, 3600),
    dbMemoryLimit: z
        .string()
        .regex(MEMORY_QUANTITY, { error: "expected a memory quantity of whole Mi or Gi from 512Mi to 1024Gi, such as 512Mi or 2Gi" })
        // Checked only once the regex matched, which reports a malformed value itself.
        .refine((v) => !MEMORY_QUANTITY.test(v) || (memoryBytes(v) >= memoryBytes("512Mi") && memoryBytes(v) <= memoryBytes("1024Gi")), {
            error: "expected a memory quantity of whole Mi or Gi from 512Mi to 1024Gi, such as 512Mi or 2Gi",
        }),
    dbNodeLossTolerationSeconds: integer(0, 3600),
    nodeArchitectures: stringArray(
        z.enum(KUBERNETES_ARCHITECTURES, { error: `expected architectures as nodes label them (kubernetes.io/arch): ${KUBERNETES_ARCHITECTURES.join(", ")}` }),
    ).refine((v) => v.length > 0, { error: "expected at least one architecture, such as [amd64]" }),
    acknowledgeDataLoss: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
        error: "expected the uid of the claim to delete, as the refusal names it (such as 0b5c7f5e-8c1a-4a2e-9a53-2f1d9e6a7b10)",
    }),
    guardAddresses: boolean,
    acknowledgeAddressChanges: z.string().regex(/^[0-9a-f]{10}$/, {
        error: "expected the token the refusal names: 10 hexadecimal digits",
    }),
    monitoring: z.enum(MONITORING_MODES, { error: "expected none, annotations (prometheus.io/* on a metrics Service) or serviceMonitor (a Prometheus Operator ServiceMonitor)" }),
    monitoringNamespace: label("namespace name (DNS-1123 label)"),
} satisfies Record<keyof StackConfig, z.ZodType>;

/** Every key config.ts decodes, without the `go-demo-2:` prefix. */
export const KNOWN_KEYS = Object.keys(keys);

const show = (value: unknown) => JSON.stringify(value);

/**
 * Decodes, defaults and validates the stack's raw config (keys without the `go-demo-2:` prefix,
 * values as Pulumi passes them: strings, lists JSON-encoded). Throws one ConfigError listing
 * every problem, `otherProblems` (found outside the project's keys) first; returns only a fully
 * valid config.
 */
export function parseConfig(raw: Record<string, string>, stack: string, otherProblems: string[] = []): StackConfig {
    const problems = [...otherProblems];
    const decoded: { [K in keyof typeof keys]?: z.output<(typeof keys)[K]> } = {};

    for (const [key, value] of Object.entries(raw)) {
        if (!(key in keys)) {
            const suggestion = closest(key, KNOWN_KEYS);
            const hint = distance(key, suggestion) <= 3 ? ` Did you mean ${PROJECT}:${suggestion}?` : "";
            problems.push(
                `${PROJECT}:${key} = ${show(value)}: unknown key.${hint} Known keys: ${KNOWN_KEYS.join(", ")}.`,
            );
            continue;
        }
        const name = key as keyof typeof keys;
        const result = keys[name].safeParse(value);
        if (result.success) {
            (decoded as Record<string, unknown>)[name] = result.data;
            continue;
        }
        for (const issue of result.error.issues) {
            // A list names the item, a map the entry; anything else shows the whole value.
            const [at] = issue.path;
            const shown =
                typeof at === "number"
                    ? `${show((JSON.parse(value) as unknown[])[at])} (item ${at})`
                    : typeof at === "string"
                      ? `{${show(at)}: ${show((JSON.parse(value) as Record<string, unknown>)[at])}} (entry ${show(at)})`
                      : show(value);
            problems.push(`${PROJECT}:${key} = ${shown}: ${issue.message}.`);
        }
    }

    const topology = decoded.topology ?? "split";
    const config: StackConfig = {
        namespace: decoded.namespace ?? `${PROJECT}-${stack}`,
        topology,
        replicas: decoded.replicas ?? (topology === "split" ? 3 : 2),
        dbImage: decoded.dbImage ?? "mongo:3.3",
        dbHttpInterface: decoded.dbHttpInterface ?? true,
        apiImage: decoded.apiImage ?? "vfarcic/go-demo-2",
        nodePort: decoded.nodePort,
        loadBalancer: decoded.loadBalancer ?? true,
        loadBalancerSourceRanges: decoded.loadBalancerSourceRanges ?? [],
        loadBalancerAnnotations: decoded.loadBalancerAnnotations ?? {},
        // kind and minikube have no load-balancer controller: by default `up` does not wait for an address.
        loadBalancerWaitSeconds: decoded.loadBalancerWaitSeconds ?? 0,
        externalName: decoded.externalName ?? "kubernetes.io",
        clusterDomain: decoded.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        tls: decoded.tls ?? false,
        // cert-manager is cluster-wide: a stack installs it only when told to.
        certManager: decoded.certManager ?? "existing",
        tlsHostname: decoded.tlsHostname,
        rolloutTimeoutSeconds: decoded.rolloutTimeoutSeconds ?? 300,
        dbStorageSize: decoded.dbStorageSize,
        dbStorageClass: decoded.dbStorageClass,
        dbStorageProtected: decoded.dbStorageProtected ?? false,
        nodeLossTolerationSeconds: decoded.nodeLossTolerationSeconds ?? DEFAULT_NODE_LOSS_TOLERATION_SECONDS,
        dbMemoryLimit: decoded.dbMemoryLimit ?? DEFAULT_DB_MEMORY_LIMIT,
        dbNodeLossTolerationSeconds: decoded.dbNodeLossTolerationSeconds ?? KUBERNETES_NODE_LOSS_TOLERATION_SECONDS,
        nodeArchitectures: decoded.nodeArchitectures ?? [...DEFAULT_ARCHITECTURES],
        acknowledgeDataLoss: decoded.acknowledgeDataLoss,
        guardAddresses: decoded.guardAddresses ?? false,
        acknowledgeAddressChanges: decoded.acknowledgeAddressChanges,
        monitoring: decoded.monitoring ?? "none",
        monitoringNamespace: decoded.monitoringNamespace ?? "monitoring",
    };

    // Rules that span keys, checked only on values that decoded cleanly.
    const unusable = unusableMongoImage(config.dbImage);
    if (unusable !== undefined) {
        problems.push(`${PROJECT}:dbImage = ${show(config.dbImage)}: ${unusable}.`);
    } else if (!fractionalCacheSize(config.dbImage) && memoryBytes(config.dbMemoryLimit) < memoryBytes(WHOLE_GB_CACHE_LIMIT)) {
        problems.push(
            `${PROJECT}:dbMemoryLimit = ${show(config.dbMemoryLimit)}: ${PROJECT}:dbImage = ${show(config.dbImage)} takes ` +
                `--wiredTigerCacheSizeGB only in whole GB, at least 1, and a 1 GB cache is 50% of (memory − 1 GB) only from ` +
                `${WHOLE_GB_CACHE_LIMIT}; set dbMemoryLimit to ${WHOLE_GB_CACHE_LIMIT} or more, or use mongo 3.4 or later.`,
        );
    }
    const foreign = config.nodeArchitectures.filter((a) => a !== "amd64");
    if (OFFICIAL_API_IMAGE.test(config.apiImage) && foreign.length > 0) {
        problems.push(
            `${PROJECT}:nodeArchitectures = ${show(config.nodeArchitectures)}: ${PROJECT}:apiImage = ${show(config.apiImage)} is built ` +
                `for amd64 only (its Dockerfile links /lib/libc.musl-x86_64.so.1), so on ${foreign.join(" or ")} nodes it would fail with ` +
                `"exec format error"; set nodeArchitectures to [amd64], or use a go-demo-2 image built for ${foreign.join(" and ")}.`,
        );
    }
    if (config.dbHttpInterface && !supportsHttpInterface(config.dbImage)) {
        const which = Array.isArray(imageVersion(config.dbImage))
            ? `${PROJECT}:dbImage = ${show(config.dbImage)} is 3.6 or later`
            : `the version of ${PROJECT}:dbImage = ${show(config.dbImage)} cannot be read from its reference (a digest, or a tag that names no version)`;
        problems.push(
            `${PROJECT}:dbHttpInterface = true: MongoDB 3.6 and later removed --rest/--httpinterface, and ${which}; ` +
                `set dbHttpInterface to false, or use a mongo image whose tag names a version older than 3.6 (such as mongo:3.4).`,
        );
    }
    if (config.nodePort !== undefined && !config.dbHttpInterface) {
        problems.push(
            `${PROJECT}:nodePort = ${config.nodePort}: only the go-demo-2-svc NodePort Service uses it, and that ` +
                `Service exists only when ${PROJECT}:dbHttpInterface is true; remove nodePort or enable dbHttpInterface.`,
        );
    }
    if (!config.loadBalancer && config.loadBalancerSourceRanges.length > 0) {
        problems.push(
            `${PROJECT}:loadBalancerSourceRanges = ${show(config.loadBalancerSourceRanges)}: applies only to the ` +
                `LoadBalancer Service, but ${PROJECT}:loadBalancer is false; remove the ranges or enable loadBalancer.`,
        );
    }
    if (!config.loadBalancer && Object.keys(config.loadBalancerAnnotations).length > 0) {
        problems.push(
            `${PROJECT}:loadBalancerAnnotations = ${show(config.loadBalancerAnnotations)}: apply only to the ` +
                `LoadBalancer Service, but ${PROJECT}:loadBalancer is false; remove the annotations or enable loadBalancer.`,
        );
    }
    if (!config.loadBalancer && config.loadBalancerWaitSeconds > 0) {
        problems.push(
            `${PROJECT}:loadBalancerWaitSeconds = ${config.loadBalancerWaitSeconds}: waits for the LoadBalancer Service's ` +
                `address, but ${PROJECT}:loadBalancer is false; remove loadBalancerWaitSeconds or enable loadBalancer.`,
        );
    }
    if (config.tlsHostname !== undefined && !config.tls) {
        problems.push(
            `${PROJECT}:tlsHostname = ${show(config.tlsHostname)}: names the API's certificate, but ` +
                `${PROJECT}:tls is false; remove tlsHostname or enable tls.`,
        );
    }
    if (config.certManager === "install" && !config.tls) {
        problems.push(
            `${PROJECT}:certManager = "install": cert-manager is installed only to issue the API's certificate, but ` +
                `${PROJECT}:tls is false; remove certManager or enable tls.`,
        );
    }
    if (config.tls && !config.loadBalancer) {
        problems.push(
            `${PROJECT}:tls = true: TLS is served on the API's LoadBalancer Service, but ${PROJECT}:loadBalancer is false; enable loadBalancer.`,
        );
    }

    if (config.tls && config.topology === "combined") {
        problems.push(
            `${PROJECT}:tls = true: TLS is served by a sidecar of the API's own Pods, but ${PROJECT}:topology = "combined"; use the split topology.`,
        );
    }

    // Pulumi hands every stack the declared default (Pulumi.yaml), so only another value is a choice.
    if (config.dbNodeLossTolerationSeconds !== KUBERNETES_NODE_LOSS_TOLERATION_SECONDS && config.topology === "combined") {
        problems.push(
            `${PROJECT}:dbNodeLossTolerationSeconds = ${config.dbNodeLossTolerationSeconds}: applies to the split topology's ` +
                `MongoDB Pod, but ${PROJECT}:topology = "combined" runs MongoDB beside the API in every Pod, which ` +
                `${PROJECT}:nodeLossTolerationSeconds governs; use the split topology or remove dbNodeLossTolerationSeconds.`,
        );
    }
    if (config.dbStorageSize !== undefined && config.topology === "combined") {
        problems.push(
            `${PROJECT}:dbStorageSize = ${show(config.dbStorageSize)}: a claim holds one MongoDB's data, but ` +
                `${PROJECT}:topology = "combined" runs a MongoDB in every replica; use the split topology or remove dbStorageSize.`,
        );
    }
    const withoutClaim = (key: string, value: unknown) =>
        `${PROJECT}:${key} = ${show(value)}: applies to MongoDB's claim, but ${PROJECT}:dbStorageSize is unset ` +
        `(the data lives in an emptyDir); set dbStorageSize or remove ${key}.`;
    if (config.dbStorageSize === undefined && config.dbStorageClass !== undefined) {
        problems.push(withoutClaim("dbStorageClass", config.dbStorageClass));
    }
    if (config.dbStorageSize === undefined && config.dbStorageProtected) {
        problems.push(withoutClaim("dbStorageProtected", true));
    }

    if (problems.length > 0) {
        throw new ConfigError(problems, stack);
    }
    return config;
}

/**
 * Reads this stack's config from the Pulumi runtime and validates it (see parseConfig), together
 * with the cluster it is bound to (`kubernetes:context`, see cluster.ts), and says in the engine's
 * output which cluster it deploys to. Rendering manifests needs no cluster, so nothing is checked then.
 */
export function loadConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    const prefix = `${PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(all)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    const cluster = renderingManifests()
        ? { problems: [] }
        : checkCluster(
              all["kubernetes:context"],
              readKubeconfig({ kubeconfig: all["kubernetes:kubeconfig"], kubeconfigEnv: process.env.KUBECONFIG, home: os.homedir() }),
          );
    const config = parseConfig(raw, pulumi.getStack(), cluster.problems);
    if (cluster.target) {
        void pulumi.log.info(cluster.target);
    }
    return config;
}

/**
 * Whether the engine renders manifests instead of applying them (the Kubernetes provider's
 * `renderYamlToDirectory`, which `npm run render` sets): then nothing may be read from a cluster,
 * because there may be none. Not a key of this project's, so parseConfig does not see it.
 */
export function renderingManifests(): boolean {
    return new pulumi.Config("kubernetes").get("renderYamlToDirectory") !== undefined;
}
