/**
 * The one reference of the stack's config keys: type, default and what each accepts. The table in
 * docs/configuration.md is rendered from it (`npm run docs:config`), and Pulumi.yaml's key
 * descriptions are its `accepted` texts without links; tests/config/reference.test.ts keeps all three
 * equal and covers every key of the table in keys.ts.
 */
import { DB_HTTP_SERVICE } from "./names";

/** One key of the reference. Texts are Markdown; links are relative to docs/. */
export interface ConfigKeyDoc {
    /** `go-demo-2:` keys without the prefix; the provider's own keys with theirs (`kubernetes:context`). */
    key: string;
    type: string;
    default: string;
    accepted: string;
}

export const CONFIG_REFERENCE: ConfigKeyDoc[] = [
    { key: "namespace", type: "string", default: "`go-demo-2-<stack>`", accepted: "DNS-1123 label" },
    { key: "topology", type: "string", default: "`split`", accepted: "`split` (API and DB in their own ReplicaSets) or `combined` (the lab's one ReplicaSet)" },
    { key: "replicas", type: "integer", default: "3 split, 2 combined", accepted: "1–100: API Pods (split) or Pods (combined)" },
    { key: "dbImage", type: "string", default: "`mongo:3.3`", accepted: "image reference of MongoDB 3.0 to 5.0: go-demo-2's mgo driver sends every command as OP_QUERY, which MongoDB rejects from 5.1 on (so 5.1+, 6, 7, 8, untagged and `latest` are refused, naming the limit and the reason); 3.0 is the first line with the WiredTiger cache the stack sizes. A digest or a tag that names no version cannot be read and is accepted as it is, but never given the HTTP interface (`dbHttpInterface` must then be false). 5.0 needs a CPU with AVX, 4.4.19+ on ARM ARMv8.2-A ([Known limits](known-limits.md))" },
    { key: "dbHttpInterface", type: "boolean", default: "`true`", accepted: `\`--rest --httpinterface\` on 28017 and NodePort \`${DB_HTTP_SERVICE}\`; MongoDB < 3.6 only` },
    { key: "apiImage", type: "string", default: "`vfarcic/go-demo-2`", accepted: "image reference" },
    { key: "nodePort", type: "integer", default: "unset (Kubernetes picks)", accepted: `30000–32767, the node port of \`${DB_HTTP_SERVICE}\`; needs \`dbHttpInterface\`` },
    { key: "loadBalancer", type: "boolean", default: "`true`", accepted: "API Service type LoadBalancer (`false`: ClusterIP)" },
    { key: "loadBalancerSourceRanges", type: "string[]", default: "`[]`", accepted: "CIDRs allowed to reach the load balancer; needs `loadBalancer`" },
    { key: "loadBalancerAnnotations", type: "map of strings", default: "`{}`", accepted: "annotations on the API's LoadBalancer Service, such as a cloud's internal load-balancer annotation (see [Internal load balancers](clusters.md#internal-load-balancers)); names as Kubernetes accepts them, values quoted strings, nothing under `pulumi.com/`; needs `loadBalancer`" },
    { key: "loadBalancerWaitSeconds", type: "integer", default: "0 (prod: 300)", accepted: "0–3600: how long `up` waits for the API load balancer's address before it fails; 0: only for its cluster IP, with a warning on a later update while the Service has no address (kind, minikube); more than 0 needs `loadBalancer`" },
    { key: "externalName", type: "string", default: "`kubernetes.io`", accepted: "DNS name the ExternalName Service aliases, relative (`kubernetes.io`) or fully qualified (`kubernetes.io.`), as the API server accepts it" },
    { key: "clusterDnsAddresses", type: "string[]", default: "`[]`", accepted: "CIDRs where the cluster's DNS answers outside any Pod (a DNS on the nodes' host network, NodeLocal DNSCache's `169.254.20.10/32`; the local cluster's real node: `172.18.0.10/32`): the egress policies let the API and the smoke Job reach port 53 there as well as the `k8s-app: kube-dns` Pods of kube-system ([NetworkPolicies](stacks.md#networkpolicies))" },
    { key: "clusterDomain", type: "string", default: "`cluster.local`", accepted: "the cluster's DNS domain (the kubelet's `clusterDomain`): the `dnsNames` output and the API certificate's in-cluster names end with it" },
    { key: "tls", type: "boolean", default: "`false`", accepted: "cert-manager + HTTPS on the API; needs `loadBalancer` and the split topology" },
    { key: "tlsHostname", type: "string", default: "unset", accepted: "extra DNS name on the API's certificate; needs `tls`" },
    { key: "tlsProxyImage", type: "string", default: "unset (the component's `ghostunnel/ghostunnel:v1.8.4`)", accepted: "image reference of the API's TLS sidecar: ghostunnel as its entrypoint, with a `sleep` (a registry mirror's copy, or the local cluster's build, see [The real node](real-node.md)); needs `tls`" },
    { key: "rolloutTimeoutSeconds", type: "integer", default: "300", accepted: "10–3600: how long `up` waits for a release's Pods to be Ready before it fails (the old Pods keep serving)" },
    { key: "dbStorageSize", type: "string", default: "unset (an `emptyDir`)", accepted: "a positive whole quantity such as `10Gi`: MongoDB's data on a claim of that size; split topology only" },
    { key: "dbStorageClass", type: "string", default: "unset (the cluster's default class)", accepted: "a StorageClass name; needs `dbStorageSize`" },
    { key: "dbStorageProtected", type: "boolean", default: "`false`", accepted: "`pulumi destroy` refuses to delete the claim; needs `dbStorageSize`" },
    { key: "certManager", type: "string", default: "`existing`", accepted: "who provides cert-manager when `tls` is on: `existing` (the cluster runs it; its CRDs must exist) or `install` (the stack installs chart v1.19.5; needs `tls`)" },
    { key: "nodeLossTolerationSeconds", type: "integer", default: "30", accepted: "0–3600: seconds the API's Pods (and the lab's combined Pods) stay on a node that stopped answering (tainted `not-ready` or `unreachable`) before they are evicted and replaced elsewhere; Kubernetes' own default is 300" },
    { key: "dbNodeLossTolerationSeconds", type: "integer", default: "300", accepted: "0–3600: the same for the split topology's MongoDB Pod (see [What it survives](operations.md#what-it-survives)); another value with `combined` is an error (its Pods follow `nodeLossTolerationSeconds`)" },
    { key: "dbMemoryLimit", type: "string", default: "`512Mi`", accepted: "whole `Mi` or `Gi`, 512Mi–1024Gi: mongod's memory request and limit, from which its WiredTiger cache is derived; at least 3Gi with MongoDB 3.0–3.3.4 (whole-GB cache)" },
    { key: "nodeArchitectures", type: "list", default: "`[amd64]`", accepted: "`kubernetes.io/arch` values (amd64, arm64, arm, ppc64le, s390x) of the nodes every Pod is scheduled on; anything but amd64 with the vfarcic/go-demo-2 image is an error (it is built for x86-64 only), and so is arm64 with an official mongo tag not built for it (before 3.4.20, 3.6.11, 4.0.8: the default mongo:3.3 is amd64 only) or arm/ppc64le with any" },
    { key: "nodeSelector", type: "map of strings", default: "`{}`", accepted: "node labels (name → value) every Pod of the stack must match, added to its Pods' `nodeSelector`; with `tolerateTaints`, how a stack is placed on the local cluster's real node (`{\"go-demo-2.local/real-node\": \"true\"}`, see [The real node](real-node.md)). Not part of the Pod template's hash: set it before the first `up`" },
    { key: "tolerateTaints", type: "list", default: "`[]`", accepted: "taint keys every Pod of the stack tolerates (`NoSchedule`, any value): `[go-demo-2.local/real-node]` lets the Pods onto the local cluster's real node. Not part of the Pod template's hash: set it before the first `up`" },
    { key: "guardAddresses", type: "boolean", default: "`false` (prod: `true`)", accepted: "refuse an update that would move a Service's cluster IP, node port, DNS name or load-balancer address, unless `acknowledgeAddressChanges` holds the token the refusal names (see [Changing a key on a deployed stack](#changing-a-key-on-a-deployed-stack))" },
    { key: "acknowledgeAddressChanges", type: "string", default: "unset", accepted: "the 10-hex-digit token of exactly the address moves one update may make, as the refusal prints it; a token for other moves, or for addresses that have since changed, covers nothing" },
    { key: "acknowledgeDataLoss", type: "string", default: "unset", accepted: "the uid of the claim one update may delete or replace (with MongoDB's data on it), as the refusal prints it; a protected claim is refused whatever this says" },
    { key: "monitoring", type: "string", default: "`none`", accepted: "how a Prometheus finds the API's metrics (`/metrics` on 8080, through the ClusterIP Service `go-demo-2-api-metrics`, port `metrics`): `none` (no metrics Service), `annotations` (`prometheus.io/scrape`, `port` and `path` on that Service) or `serviceMonitor` (a `monitoring.coreos.com/v1` ServiceMonitor selecting it; the cluster must have its CRD, else preview fails with nothing created); see [Metrics](operations.md#metrics)" },
    { key: "monitoringNamespace", type: "string", default: "`monitoring`", accepted: "DNS-1123 label: the namespace the scraper runs in; when `monitoring` is not `none`, the API's NetworkPolicy opens the metrics port to that namespace's Pods (`kubernetes.io/metadata.name`). With `tls` that is the only way to 8080; without, 8080 is the API's public port anyway" },
    { key: "kubernetes:context", type: "string", default: "unset (lab, dev: the kubeconfig's current context); prod: `go-demo-2-prod`", accepted: "the Kubernetes provider's own key, checked by the program: a context of the kubeconfig the provider reads; the stack deploys there and nowhere else (see [Which cluster](clusters.md#which-cluster))" },
    { key: "kubernetes:kubeconfig", type: "string, secret", default: "unset (`KUBECONFIG`, else `~/.kube/config`)", accepted: "the provider's own key: a kubeconfig's path or contents, read instead of `KUBECONFIG`" },
];

/** The reference as the Markdown table docs/configuration.md holds between its markers. */
export function configReferenceTable(): string {
    return [
        "| key | type | default | accepted |",
        "|---|---|---|---|",
        ...CONFIG_REFERENCE.map((k) => `| \`${k.key}\` | ${k.type} | ${k.default} | ${k.accepted} |`),
    ].join("\n");
}

/** A reference text without Markdown links, as Pulumi.yaml's descriptions carry it: `[text](page.md#anchor)` → `text (docs/page.md)`. */
export function withoutLinks(text: string): string {
    return text.replace(/\[([^\]]+)\]\(([^)#]+)(#[^)]*)?\)/g, (_, label: string, page: string) => `${label} (docs/${page})`);
}

/** Where the rendered table sits in docs/configuration.md. */
export const TABLE_MARKERS = ["<!-- config-reference:begin (npm run docs:config) -->", "<!-- config-reference:end -->"] as const;
