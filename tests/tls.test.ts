import * as fs from "fs";
import * as path from "path";

import {
    ApiCertificate,
    CERT_MANAGER_CHART_VERSION,
    CERT_MANAGER_CRDS,
    CertManagerSource,
} from "../components/tls";
import { find, installMocks, ofType, recorded, registered, resetRecorded } from "./mocks";

installMocks();
beforeEach(resetRecorded);

const CERT_MANAGER = "kubernetes-cert-manager:index:CertManager";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

async function apiCertificate(certManager: CertManagerSource, checkCertManager?: boolean): Promise<ApiCertificate> {
    const cert = new ApiCertificate("go-demo-2-api-tls", {
        namespace: "ns",
        secretName: "go-demo-2-api-tls",
        dnsNames: ["api.example.com", "go-demo-2-api.ns.svc"],
        certManager,
        checkCertManager,
    });
    await registered(cert.certificate, cert.issuer, ...(cert.certManager ? [cert.certManager] : []), ...cert.crds);
    return cert;
}

/** Type and name of every resource the component registered or read, in order. */
const resourceMap = () => recorded.map((r) => `${r.readId === undefined ? "register" : "read"} ${r.type} ${r.name}`);

/** The Issuer and Certificate are the same whoever provides cert-manager. */
function expectIssuerAndCertificate(): void {
    const issuer = find("kubernetes:cert-manager.io/v1:Issuer", "go-demo-2-api-tls-issuer").inputs;
    expect(issuer.metadata).toMatchObject({ name: "go-demo-2-api-tls-selfsigned", namespace: "ns" });
    expect(issuer.spec).toEqual({ selfSigned: {} });

    const certificate = find("kubernetes:cert-manager.io/v1:Certificate", "go-demo-2-api-tls-certificate").inputs;
    expect(certificate.metadata.annotations).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
    expect(certificate.spec).toMatchObject({
        secretName: "go-demo-2-api-tls",
        commonName: "api.example.com",
        dnsNames: ["api.example.com", "go-demo-2-api.ns.svc"],
        issuerRef: { name: "go-demo-2-api-tls-selfsigned", kind: "Issuer" },
    });
}

describe("ApiCertificate", () => {
    it("certManager install: the pinned cert-manager chart with its CRDs, then the Issuer and the Certificate", async () => {
        const cert = await apiCertificate("install");
        expect(resourceMap()).toEqual([
            "register go-demo-2:tls:ApiCertificate go-demo-2-api-tls",
            `register ${CERT_MANAGER} go-demo-2-api-tls-cert-manager`,
            "register kubernetes:cert-manager.io/v1:Issuer go-demo-2-api-tls-issuer",
            "register kubernetes:cert-manager.io/v1:Certificate go-demo-2-api-tls-certificate",
        ]);
        // A remote component: the mock sees it as one resource with no children.
        expect(find(CERT_MANAGER, "go-demo-2-api-tls-cert-manager").inputs).toEqual({
            installCRDs: true,
            helmOptions: { name: "cert-manager", namespace: "cert-manager", createNamespace: true, version: CERT_MANAGER_CHART_VERSION },
        });
        expect(cert.crds).toEqual([]);
        expectIssuerAndCertificate();
    });

    it("certManager existing: reads cert-manager's CRDs from the cluster and installs nothing", async () => {
        const cert = await apiCertificate("existing");
        expect(resourceMap()).toEqual([
            "register go-demo-2:tls:ApiCertificate go-demo-2-api-tls",
            `read ${CRD} go-demo-2-api-tls-requires-issuers.cert-manager.io`,
            `read ${CRD} go-demo-2-api-tls-requires-certificates.cert-manager.io`,
            "register kubernetes:cert-manager.io/v1:Issuer go-demo-2-api-tls-issuer",
            "register kubernetes:cert-manager.io/v1:Certificate go-demo-2-api-tls-certificate",
        ]);
        expect(ofType(CRD).map((r) => r.readId)).toEqual([...CERT_MANAGER_CRDS]);
        expect(cert.certManager).toBeUndefined();
        expectIssuerAndCertificate();
    });

    it("certManager existing, not checked (rendering manifests): reads nothing from a cluster", async () => {
        const cert = await apiCertificate("existing", false);
        expect(resourceMap()).toEqual([
            "register go-demo-2:tls:ApiCertificate go-demo-2-api-tls",
            "register kubernetes:cert-manager.io/v1:Issuer go-demo-2-api-tls-issuer",
            "register kubernetes:cert-manager.io/v1:Certificate go-demo-2-api-tls-certificate",
        ]);
        expect(cert.crds).toEqual([]);
        expectIssuerAndCertificate();
    });

    it("requires the CRDs of exactly the kinds it creates", async () => {
        await apiCertificate("existing");
        const kinds = recorded.filter((r) => r.type.startsWith("kubernetes:cert-manager.io/")).map((r) => r.inputs.kind);
        const plurals = kinds.map((k: string) => `${k.toLowerCase()}s.cert-manager.io`);
        expect([...CERT_MANAGER_CRDS].sort()).toEqual(plurals.sort());
    });
});

describe("CERT_MANAGER_CHART_VERSION", () => {
    it("is an exact release, the one the local cluster runs (package.json .toolchain.certManager)", () => {
        expect(CERT_MANAGER_CHART_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
            toolchain: { certManager: string };
        };
        expect(CERT_MANAGER_CHART_VERSION).toBe(`v${pkg.toolchain.certManager}`);
    });
});
