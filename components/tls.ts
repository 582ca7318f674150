import * as k8s from "@pulumi/kubernetes";
import { CertManager } from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";

import { shutdownDelay } from "./shutdown";
import { restrictedSecurityContext } from "./workload";

export const TLS_PORT = 8443;
/**
 * ghostunnel terminates TLS in front of a plain-HTTP port; pinned like every image of the stack.
 */
export const TLS_PROXY_IMAGE = "ghostunnel/ghostunnel:v1.8.4";
const TLS_PROXY_UID = 65534;

/**
 * A TLS-terminating sidecar serving `targetPort` of the same Pod on TLS_PORT from a
 * kubernetes.io/tls Secret. A sidecar rather than an Ingress: the API is published by an L4
 * LoadBalancer Service and the stack installs no ingress controller, and the go-demo-2 image
 * cannot serve TLS itself.
 */
export function tlsSidecar(
    secretName: string,
    targetPort: number,
    /** An HTTP path of the target that answers when it is ready; readiness is checked through the tunnel. */
    healthPath: string,
): { container: k8s.types.input.core.v1.Container; volume: k8s.types.input.core.v1.Volume } {
    return {
        container: {
            name: "tls",
            image: TLS_PROXY_IMAGE,
            args: [
                "server",
                `--listen=0.0.0.0:${TLS_PORT}`,
                `--target=127.0.0.1:${targetPort}`,
                "--cert=/tls/tls.crt",
                "--key=/tls/tls.key",
                // cert-manager renews the Secret in place; re-read it rather than serve an expired one.
                "--timed-reload=1h",
                // Clients are browsers and curl, not mTLS peers.
                "--disable-authentication",
            ],
            ports: [{ name: "https", containerPort: TLS_PORT, protocol: "TCP" }],
            // Ready: HTTPS reaches the API through the tunnel (the kubelet does not verify the
            // certificate, so a self-signed one is fine).
            readinessProbe: { httpGet: { scheme: "HTTPS", path: healthPath, port: TLS_PORT }, periodSeconds: 5 },
            // Alive: ghostunnel still accepts connections, for a whole minute; a slow API behind it
            // is no reason to restart the tunnel.
            livenessProbe: { tcpSocket: { port: TLS_PORT }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
            // Keeps serving as long as the api container does, while the endpoint is withdrawn.
            lifecycle: shutdownDelay,
            resources: {
                // ghostunnel writes nothing but its log.
                requests: { cpu: "20m", memory: "16Mi", "ephemeral-storage": "16Mi" },
                limits: { cpu: "200m", memory: "64Mi", "ephemeral-storage": "64Mi" },
            },
            securityContext: restrictedSecurityContext(TLS_PROXY_UID),
            volumeMounts: [{ name: "tls", mountPath: "/tls", readOnly: true }],
        },
        volume: { name: "tls", secret: { secretName } },
    };
}

export interface ApiCertificateArgs {
    /** Namespace of the Issuer, the Certificate and its Secret. */
    namespace: pulumi.Input<string>;
    /** Names the certificate is valid for; the first is its common name. */
    dnsNames: pulumi.Input<string>[];
    /** Name of the kubernetes.io/tls Secret cert-manager writes. */
    secretName: string;
    /** Namespace cert-manager is installed into. Defaults to `cert-manager`. */
    certManagerNamespace?: string;
}

/**
 * cert-manager (installed with its CRDs), a self-signed Issuer and a Certificate for the API.
 * Self-signed needs nothing outside the cluster; swap the Issuer for ACME or a CA in a real
 * environment.
 */
export class ApiCertificate extends pulumi.ComponentResource {
    public readonly certManager: CertManager;
    public readonly issuer: k8s.apiextensions.CustomResource;
    public readonly certificate: k8s.apiextensions.CustomResource;
    /** The Secret the certificate and key land in; pods mounting it wait for the Certificate. */
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: ApiCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("go-demo-2:tls:ApiCertificate", name, {}, opts);

        const certManagerNamespace = args.certManagerNamespace ?? "cert-manager";
        this.certManager = new CertManager(
            `${name}-cert-manager`,
            {
                installCRDs: true,
                helmOptions: { namespace: certManagerNamespace, createNamespace: true },
            },
            { parent: this },
        );
        this.issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Issuer",
                metadata: { name: `${name}-selfsigned`, namespace: args.namespace },
                spec: { selfSigned: {} },
            },
            { parent: this, dependsOn: [this.certManager] },
        );
        this.certificate = new k8s.apiextensions.CustomResource(
            `${name}-certificate`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: {
                    name,
                    namespace: args.namespace,
                    // Pods mounting the Secret must not start before cert-manager has written it.
                    annotations: { "pulumi.com/waitFor": "condition=Ready" },
                },
                spec: {
                    secretName: args.secretName,
                    commonName: args.dnsNames[0],
                    dnsNames: args.dnsNames,
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                    issuerRef: { name: this.issuer.metadata.name, kind: "Issuer" },
                },
            },
            { parent: this },
        );
        this.secretName = this.certificate.metadata.apply(() => args.secretName);
        this.registerOutputs({ secretName: this.secretName });
    }
}
