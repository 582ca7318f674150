import * as fs from "fs";
import * as path from "path";

import { CertManagerSource } from "../../config";
import { ApiCertificate, CERT_MANAGER_CHART_VERSION, CERT_MANAGER_CRDS, CertManagerSetup } from "../../stack/certManager";
import { forcedApply } from "../../components/forcedApply";
import { typeToken } from "../../components/package";
import { find, installMocks, ofType, recorded, registered, resetRecorded } from "../support/mocks";
import { root } from "../../tools/project/root";

installMocks();
beforeEach(resetRecorded);

const CERT_MANAGER = "kubernetes-cert-manager:index:CertManager";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

async function certManagerSetup(source: CertManagerSource, check?: boolean): Promise<CertManagerSetup> {
    const setup = new CertManagerSetup("cert-manager", { source, check });
    await registered(setup, ...(setup.release ? [setup.release] : []), ...setup.crds);
    return setup;
}

/** Type and name of every resource registered or read, in order. */
const resourceMap = () => recorded.map((r) => `${r.readId === undefined ? "register" : "read"} ${r.type} ${r.name}`);

describe("CertManagerSetup", () => {
    it("install: the pinned cert-manager chart with its CRDs, one fixed Helm release", async () => {
        const setup = await certManagerSetup("install");
        expect(resourceMap()).toEqual([
            `register ${typeToken("CertManagerSetup", "tls")} cert-manager`,
            `register ${CERT_MANAGER} cert-manager-install`,
        ]);
        // A remote component: the mock sees it as one resource with no children.
        expect(find(CERT_MANAGER, "cert-manager-install").inputs).toEqual({
            installCRDs: true,
            helmOptions: { name: "cert-manager", namespace: "cert-manager", createNamespace: true, version: CERT_MANAGER_CHART_VERSION },
        });
        expect(setup.crds).toEqual([]);
    });

    it("existing: reads cert-manager's CRDs from the cluster and installs nothing", async () => {
        const setup = await certManagerSetup("existing");
        expect(resourceMap()).toEqual([
            `register ${typeToken("CertManagerSetup", "tls")} cert-manager`,
            `read ${CRD} cert-manager-requires-issuers.cert-manager.io`,
            `read ${CRD} cert-manager-requires-certificates.cert-manager.io`,
        ]);
        expect(ofType(CRD).map((r) => r.readId)).toEqual([...CERT_MANAGER_CRDS]);
        expect(setup.release).toBeUndefined();
    });

    it("existing, not checked (rendering manifests): reads nothing from a cluster", async () => {
        const setup = await certManagerSetup("existing", false);
        expect(resourceMap()).toEqual([`register ${typeToken("CertManagerSetup", "tls")} cert-manager`]);
        expect(setup.crds).toEqual([]);
    });
});

describe("ApiCertificate", () => {
    it("a self-signed Issuer and a Certificate for the API's names, written to the named Secret", async () => {
        const cert = new ApiCertificate("go-demo-2-api-tls", {
            namespace: "ns",
            secretName: "go-demo-2-api-tls",
            dnsNames: ["api.example.com", "go-demo-2-api.ns.svc"],
        });
        await registered(cert.certificate, cert.issuer);
        expect(resourceMap()).toEqual([
            `register ${typeToken("ApiCertificate", "tls")} go-demo-2-api-tls`,
            "register kubernetes:cert-manager.io/v1:Issuer go-demo-2-api-tls-issuer",
            "register kubernetes:cert-manager.io/v1:Certificate go-demo-2-api-tls-certificate",
        ]);
        const issuer = find("kubernetes:cert-manager.io/v1:Issuer", "go-demo-2-api-tls-issuer").inputs;
        expect(issuer.metadata).toMatchObject({ name: "go-demo-2-api-tls-selfsigned", namespace: "ns" });
        expect(issuer.spec).toEqual({ selfSigned: {} });

        const certificate = find("kubernetes:cert-manager.io/v1:Certificate", "go-demo-2-api-tls-certificate").inputs;
        expect(certificate.metadata.annotations).toEqual(forcedApply({ "pulumi.com/waitFor": "condition=Ready" }));
        expect(certificate.spec).toMatchObject({
            secretName: "go-demo-2-api-tls",
            commonName: "api.example.com",
            dnsNames: ["api.example.com", "go-demo-2-api.ns.svc"],
            issuerRef: { name: "go-demo-2-api-tls-selfsigned", kind: "Issuer" },
        });
        expect(cert.secretName).toBe("go-demo-2-api-tls");
    });

    it("the CRDs CertManagerSetup requires are those of exactly the kinds ApiCertificate creates", async () => {
        const cert = new ApiCertificate("c", { namespace: "ns", secretName: "s", dnsNames: ["a.example.com"] });
        await registered(cert.certificate, cert.issuer);
        const plurals = ofType("kubernetes:cert-manager.io/v1:Issuer")
            .concat(ofType("kubernetes:cert-manager.io/v1:Certificate"))
            .map((r) => `${String(r.inputs.kind).toLowerCase()}s.cert-manager.io`);
        expect([...CERT_MANAGER_CRDS].sort()).toEqual(plurals.sort());
    });
});

describe("CERT_MANAGER_CHART_VERSION", () => {
    it("is an exact release, the one the local cluster runs (package.json .toolchain.certManager)", () => {
        expect(CERT_MANAGER_CHART_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
            toolchain: { certManager: string };
        };
        expect(CERT_MANAGER_CHART_VERSION).toBe(`v${pkg.toolchain.certManager}`);
    });
});
