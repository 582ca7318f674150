import { selectors } from "../../components/labels";
import { apiPolicySpec, CLUSTER_DNS, dbPolicySpec, defaultDenyIngressSpec, defaultDenySpec, egressPolicySpec } from "../../components/networkPolicy";

describe("dbPolicySpec", () => {
    it("lets only API Pods reach 27017 when nothing else is published", () => {
        expect(
            dbPolicySpec({ db: selectors.db, api: selectors.api, httpInterface: false, servesApi: false }),
        ).toEqual({
            podSelector: { matchLabels: selectors.db },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: selectors.api } }], ports: [{ protocol: "TCP", port: 27017 }] }],
        });
    });

    it("opens 28017 to everyone where go-demo-2-svc publishes it", () => {
        const spec = dbPolicySpec({ db: selectors.db, api: selectors.api, httpInterface: true, servesApi: false });
        expect(spec.ingress).toContainEqual({ ports: [{ protocol: "TCP", port: 28017 }] });
    });

    it("opens 8080 too when the DB's Pod also runs the API (combined)", () => {
        const spec = dbPolicySpec({
            db: selectors.combined,
            api: selectors.combined,
            httpInterface: true,
            servesApi: true,
        });
        expect(spec.ingress).toContainEqual({
            ports: [
                { protocol: "TCP", port: 28017 },
                { protocol: "TCP", port: 8080 },
            ],
        });
    });
});

describe("defaultDenyIngressSpec", () => {
    it("selects every Pod of the namespace and allows no ingress", () => {
        expect(defaultDenyIngressSpec()).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    });
});

describe("apiPolicySpec", () => {
    it("opens only the port the API's Service targets, on the API Pods", () => {
        expect(apiPolicySpec({ api: selectors.api, port: 8443 })).toEqual({
            podSelector: { matchLabels: selectors.api },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ protocol: "TCP", port: 8443 }] }],
        });
    });

    it("opens the metrics port to the Pods of the scraper's namespace only, beside the Service's port", () => {
        expect(apiPolicySpec({ api: selectors.api, port: 8443, metrics: { port: 8080, fromNamespace: "monitoring" } })).toEqual({
            podSelector: { matchLabels: selectors.api },
            policyTypes: ["Ingress"],
            ingress: [
                { ports: [{ protocol: "TCP", port: 8443 }] },
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                    ports: [{ protocol: "TCP", port: 8080 }],
                },
            ],
        });
    });
});

describe("egress", () => {
    const dns = {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };

    it("the default deny selects every Pod both ways", () => {
        expect(defaultDenySpec()).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("lets the API Pods out to the cluster's DNS and to MongoDB's Pods on 27017 only", () => {
        const spec = apiPolicySpec({ api: selectors.api, port: 8080, egress: [{ pods: selectors.db, ports: [27017] }] });
        expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
        expect(spec.egress).toEqual([dns, { to: [{ podSelector: { matchLabels: selectors.db } }], ports: [{ protocol: "TCP", port: 27017 }] }]);
    });

    it("egressPolicySpec: DNS where the cluster runs it, then each target", () => {
        const other = { namespace: "dns", pods: { app: "resolver" } };
        expect(egressPolicySpec({ pods: { a: "b" }, to: [], dns: other })).toEqual({
            podSelector: { matchLabels: { a: "b" } },
            policyTypes: ["Egress"],
            egress: [{ ...dns, to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } }, podSelector: { matchLabels: { app: "resolver" } } }] }],
        });
        expect(CLUSTER_DNS).toEqual({ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } });
    });
});
