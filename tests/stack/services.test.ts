import { parseConfig } from "../../config";
import { installMocks, ofType, registeredOfType, resetRecorded, unwrap } from "../support/mocks";
import { run, fromFile } from "../support/stack";

installMocks();
beforeEach(resetRecorded);

describe("Services", () => {
    it.each(["dev", "lab"])("in %s, each selecting Service is created after the workload it selects is Ready", async (name) => {
        const { stack } = await run(fromFile(name));
        const workloadURNs = [await unwrap(stack.db.replicaSet.urn), await unwrap(stack.api.replicaSet.urn)];
        for (const svc of registeredOfType("kubernetes:core/v1:Service").filter((r) => r.inputs.spec.type !== "ExternalName")) {
            const selects = ofType("kubernetes:apps/v1:ReplicaSet").filter((rs) =>
                Object.entries(svc.inputs.spec.selector).every(([k, v]) => rs.inputs.spec.template.metadata.labels[k] === v),
            );
            expect(selects).toHaveLength(1);
            const urn = workloadURNs.find((u) => u.endsWith(`::${selects[0].name}`));
            expect([svc.name, svc.dependencies]).toEqual([svc.name, expect.arrayContaining([urn])]);
            expect(svc.inputs.metadata.annotations["pulumi.com/waitFor"]).toMatch(/^(jsonpath=|\["jsonpath=)/);
        }
    });
});

describe("Service DNS names", () => {
    it("ends every DNS name and the certificate's in-cluster names with clusterDomain", async () => {
        const { outputs } = await run(
            parseConfig({ clusterDomain: "k8s.example.internal", tls: "true", externalName: "kubernetes.io." }, "dev"),
        );
        Object.entries(outputs.dnsNames).forEach(([service, dns]) =>
            expect(dns).toBe(`${service}.go-demo-2-dev.svc.k8s.example.internal`),
        );
        const certificate = ofType("kubernetes:cert-manager.io/v1:Certificate")[0].inputs;
        expect(certificate.spec.dnsNames).toContain("go-demo-2-api.go-demo-2-dev.svc.k8s.example.internal");
        expect(certificate.spec.dnsNames.join(" ")).not.toContain("cluster.local");
        // The fully qualified external name reaches the Service as written.
        expect(outputs.externalName).toBe("kubernetes.io.");
    });
});
