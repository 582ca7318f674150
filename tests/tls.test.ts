import { ApiCertificate } from "../components/tls";
import { find, installMocks, recorded, registered, resetRecorded, unwrap } from "./mocks";

installMocks();
beforeEach(resetRecorded);

describe("ApiCertificate", () => {
    it("installs cert-manager with its CRDs, then a self-signed Issuer and a Certificate for the API", async () => {
        const cert = new ApiCertificate("go-demo-2-api-tls", {
            namespace: "ns",
            secretName: "go-demo-2-api-tls",
            dnsNames: ["api.example.com", "go-demo-2-api.ns.svc"],
        });
        await registered(cert.certificate, cert.issuer, cert.certManager);
        expect(await unwrap(cert.secretName)).toBe("go-demo-2-api-tls");

        expect(recorded[0].type).toBe("go-demo-2:tls:ApiCertificate");
        // A remote component: the mock sees it as one resource with no children.
        const certManager = find("kubernetes-cert-manager:index:CertManager", "go-demo-2-api-tls-cert-manager");
        expect(certManager.inputs).toMatchObject({
            installCRDs: true,
            helmOptions: { namespace: "cert-manager", createNamespace: true },
        });

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
    });
});
