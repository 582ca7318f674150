/**
 * The key table: every key the stack accepts, its type, how its string value decodes and what it
 * accepts, and its default. A new key is a field of StackConfig, a decoder in KEYS and a default in
 * withDefaults, all here (the compiler holds StackConfig and KEYS to the same keys, and withDefaults
 * to every key that has a default), then its row in reference.ts (its test fails until then); a
 * rule that relates it to other keys goes to rules.ts.
 */
import { closest, distance } from "fastest-levenshtein";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";

import {
    DEFAULT_ARCHITECTURES,
    DEFAULT_CLUSTER_DOMAIN,
    DEFAULT_DB_MEMORY_LIMIT,
    DEFAULT_NODE_LOSS_TOLERATION_SECONDS,
    KUBERNETES_NODE_LOSS_TOLERATION_SECONDS,
    MEMORY_QUANTITY,
    quantityBytes,
    STORAGE_QUANTITY,
} from "go-demo-2";


/**
 * The Pulumi project name (Pulumi.yaml `name`): every key of this stack's config lives under
 * `go-demo-2:`. Not the components' PACKAGE, though spelt the same: a program of another name
 * uses the same package, and renaming this project would rename config keys and stacks, not tokens.
 */
export const PROJECT = "go-demo-2";

export type Topology = "split" | "combined";

/**
 * Who provides cert-manager: the stack installs it (its CRDs, controllers and webhook, cluster-wide),
 * or the cluster already runs it and the stack only creates its Issuer and Certificate.
 */
export const CERT_MANAGER_SOURCES = ["install", "existing"] as const;
export type CertManagerSource = (typeof CERT_MANAGER_SOURCES)[number];

/**
 * How a Prometheus finds the API's metrics (go-demo-2 serves them at /metrics on its own port):
 * `none`, the conventional `prometheus.io/*` annotations (a Prometheus configured to discover
 * annotated Services), or a Prometheus Operator ServiceMonitor.
 */
export const MONITORING_MODES = ["none", "annotations", "serviceMonitor"] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];

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
    /** Addresses (CIDRs) where the cluster's DNS answers outside any Pod; the egress policies allow DNS to them too. */
    clusterDnsAddresses: string[];
    loadBalancerAnnotations: Record<string, string>;
    loadBalancerWaitSeconds: number;
    externalName: string;
    clusterDomain: string;
    tls: boolean;
    certManager: CertManagerSource;
    tlsHostname?: string;
    /** The TLS sidecar's image; unset: the component's TLS_PROXY_IMAGE. */
    tlsProxyImage?: string;
    rolloutTimeoutSeconds: number;
    dbStorageSize?: string;
    dbStorageClass?: string;
    dbStorageProtected: boolean;
    nodeLossTolerationSeconds: number;
    dbMemoryLimit: string;
    dbNodeLossTolerationSeconds: number;
    nodeArchitectures: string[];
    /** Node labels every Pod of the stack must match (the Pods' nodeSelector); see stack/placement.ts. */
    nodeSelector: Record<string, string>;
    /** Taint keys every Pod of the stack tolerates (NoSchedule); see stack/placement.ts. */
    tolerateTaints: string[];
    /** The uid of the claim whose deletion (and MongoDB's data on it) this update may do; see guards/transitions.ts. */
    acknowledgeDataLoss?: string;
    /** Whether an update that moves a Service address is refused unless acknowledged; see guards/transitions.ts. */
    guardAddresses: boolean;
    /** The token of the address moves this update may make; see guards/transitions.ts. */
    acknowledgeAddressChanges?: string;
    monitoring: MonitoringMode;
    /** The namespace the metrics scraper runs in: the API's NetworkPolicy opens the metrics port to its Pods. */
    monitoringNamespace: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// An OCI image reference: [registry[:port]/]path[:tag][@digest]. Kubernetes rejects whitespace and
// upper case in the path, and a reference ending in ':' or '@' is a typo.
const IMAGE_REF =
    /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** The `kubernetes.io/arch` values of the architectures Kubernetes releases its node binaries for. */
const KUBERNETES_ARCHITECTURES = ["amd64", "arm64", "arm", "ppc64le", "s390x"] as const;

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

// A label (or taint) key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_KEY_ERROR = "expected a label or taint key such as kubernetes.io/hostname (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')";
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const image = z.string().regex(IMAGE_REF, {
    error: "expected a container image reference such as mongo:3.3 or registry.example.com/team/api:1.2@sha256:<64 hex>",
});

const storageSize = z.string().regex(STORAGE_QUANTITY, {
    error: "expected a storage size such as 10Gi: a positive whole number with an optional suffix Ki, Mi, Gi, Ti, Pi, k, M, G, T or P",
});

const cidr = z.string().refine((v) => ipaddr.isValidCIDR(v), {
    error: "expected an IPv4 or IPv6 CIDR such as 203.0.113.0/24",
});

const stringArray = (item: z.ZodType<string>) =>
    json("expected a YAML list of strings").pipe(z.array(item, { error: "expected a YAML list of strings" }));

/** Every key the stack accepts, with how its string value decodes and what it accepts. */
const KEYS = {
    namespace: label("namespace name (DNS-1123 label)"),
    topology: z.enum(["split", "combined"], { error: "expected split or combined" }),
    replicas: integer(1, 100),
    dbImage: image,
    dbHttpInterface: boolean,
    apiImage: image,
    nodePort: integer(30000, 32767),
    loadBalancer: boolean,
    loadBalancerSourceRanges: stringArray(cidr),
    clusterDnsAddresses: stringArray(cidr),
    loadBalancerAnnotations: annotations,
    loadBalancerWaitSeconds: integer(0, 3600),
    externalName: externalHost,
    clusterDomain: hostname,
    tls: boolean,
    certManager: z.enum(CERT_MANAGER_SOURCES, {
        error: "expected existing (the cluster already runs cert-manager) or install (the stack installs it)",
    }),
    tlsHostname: hostname,
    tlsProxyImage: image,
    rolloutTimeoutSeconds: integer(10, 3600),
    dbStorageSize: storageSize,
    dbStorageClass: hostname,
    dbStorageProtected: boolean,
    nodeLossTolerationSeconds: integer(0, 3600),
    dbMemoryLimit: z
        .string()
        .regex(MEMORY_QUANTITY, { error: "expected a memory quantity of whole Mi or Gi from 512Mi to 1024Gi, such as 512Mi or 2Gi" })
        // Checked only once the regex matched, which reports a malformed value itself.
        .refine((v) => !MEMORY_QUANTITY.test(v) || (quantityBytes(v) >= quantityBytes("512Mi") && quantityBytes(v) <= quantityBytes("1024Gi")), {
            error: "expected a memory quantity of whole Mi or Gi from 512Mi to 1024Gi, such as 512Mi or 2Gi",
        }),
    dbNodeLossTolerationSeconds: integer(0, 3600),
    nodeArchitectures: stringArray(
        z.enum(KUBERNETES_ARCHITECTURES, { error: `expected architectures as nodes label them (kubernetes.io/arch): ${KUBERNETES_ARCHITECTURES.join(", ")}` }),
    ).refine((v) => v.length > 0, { error: "expected at least one architecture, such as [amd64]" }),
    nodeSelector: json("expected a YAML map of node label names to values").pipe(
        z.record(z.string().regex(LABEL_KEY, { error: LABEL_KEY_ERROR }), z.string().regex(LABEL_VALUE, { error: "expected a label value: at most 63 letters, digits, '-', '_' or '.'" }), {
            error: "expected a YAML map of node label names to values",
        }),
    ),
    tolerateTaints: stringArray(z.string().regex(LABEL_KEY, { error: LABEL_KEY_ERROR })),
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

/** Every key the table decodes, without the `go-demo-2:` prefix. */
export const KNOWN_KEYS = Object.keys(KEYS);

/** A value as a problem shows it. */
export const show = (value: unknown) => JSON.stringify(value);

/** The keys that decoded cleanly, each as its decoder returns it. */
export type DecodedConfig = { [K in keyof typeof KEYS]?: z.output<(typeof KEYS)[K]> };

/**
 * Decodes the stack's raw config (keys without the `go-demo-2:` prefix, values as Pulumi passes
 * them: strings, lists JSON-encoded) through the table. Returns what decoded, and one problem for
 * each unknown key and each value a key does not accept, naming key, value and what is accepted.
 */
export function decodeKeys(raw: Record<string, string>): { decoded: DecodedConfig; problems: string[] } {
    const problems: string[] = [];
    const decoded: DecodedConfig = {};
    for (const [key, value] of Object.entries(raw)) {
        if (!(key in KEYS)) {
            const suggestion = closest(key, KNOWN_KEYS);
            const hint = distance(key, suggestion) <= 3 ? ` Did you mean ${PROJECT}:${suggestion}?` : "";
            problems.push(
                `${PROJECT}:${key} = ${show(value)}: unknown key.${hint} Known keys: ${KNOWN_KEYS.join(", ")}.`,
            );
            continue;
        }
        const name = key as keyof typeof KEYS;
        const result = KEYS[name].safeParse(value);
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
    return { decoded, problems };
}

/** The config with every key that did not decode (or was not set) at its default; `stack` names the default namespace. */
export function withDefaults(decoded: DecodedConfig, stack: string): StackConfig {
    const topology = decoded.topology ?? "split";
    return {
        namespace: decoded.namespace ?? `${PROJECT}-${stack}`,
        topology,
        replicas: decoded.replicas ?? (topology === "split" ? 3 : 2),
        dbImage: decoded.dbImage ?? "mongo:3.3",
        dbHttpInterface: decoded.dbHttpInterface ?? true,
        apiImage: decoded.apiImage ?? "vfarcic/go-demo-2",
        nodePort: decoded.nodePort,
        loadBalancer: decoded.loadBalancer ?? true,
        loadBalancerSourceRanges: decoded.loadBalancerSourceRanges ?? [],
        clusterDnsAddresses: decoded.clusterDnsAddresses ?? [],
        loadBalancerAnnotations: decoded.loadBalancerAnnotations ?? {},
        // kind and minikube have no load-balancer controller: by default `up` does not wait for an address.
        loadBalancerWaitSeconds: decoded.loadBalancerWaitSeconds ?? 0,
        externalName: decoded.externalName ?? "kubernetes.io",
        clusterDomain: decoded.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        tls: decoded.tls ?? false,
        // cert-manager is cluster-wide: a stack installs it only when told to.
        certManager: decoded.certManager ?? "existing",
        tlsHostname: decoded.tlsHostname,
        tlsProxyImage: decoded.tlsProxyImage,
        rolloutTimeoutSeconds: decoded.rolloutTimeoutSeconds ?? 300,
        dbStorageSize: decoded.dbStorageSize,
        dbStorageClass: decoded.dbStorageClass,
        dbStorageProtected: decoded.dbStorageProtected ?? false,
        nodeLossTolerationSeconds: decoded.nodeLossTolerationSeconds ?? DEFAULT_NODE_LOSS_TOLERATION_SECONDS,
        dbMemoryLimit: decoded.dbMemoryLimit ?? DEFAULT_DB_MEMORY_LIMIT,
        dbNodeLossTolerationSeconds: decoded.dbNodeLossTolerationSeconds ?? KUBERNETES_NODE_LOSS_TOLERATION_SECONDS,
        nodeArchitectures: decoded.nodeArchitectures ?? [...DEFAULT_ARCHITECTURES],
        nodeSelector: decoded.nodeSelector ?? {},
        tolerateTaints: decoded.tolerateTaints ?? [],
        acknowledgeDataLoss: decoded.acknowledgeDataLoss,
        guardAddresses: decoded.guardAddresses ?? false,
        acknowledgeAddressChanges: decoded.acknowledgeAddressChanges,
        monitoring: decoded.monitoring ?? "none",
        monitoringNamespace: decoded.monitoringNamespace ?? "monitoring",
    };
}
