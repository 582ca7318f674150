import * as k8s from "@pulumi/kubernetes";
import { CertManager } from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";
import { forcedApply, typeToken } from "go-demo-2";

import { CertManagerSource } from "../config";
import { requireCrds } from "./crds";

/**
 * The cert-manager release of the Helm chart the stack installs (`certManager: install`). The
 * local cluster runs the same release (package.json .toolchain.certManager; a unit test keeps
 * the two equal). Pinned: without a version the chart would be whatever is newest on the day of
 * `pulumi up`.
 */
export const CERT_MANAGER_CHART_VERSION = "v1.19.5";

/** The CustomResourceDefinitions of the kinds the stack creates; `existing` requires them. */
export const CERT_MANAGER_CRDS = ["issuers.cert-manager.io", "certificates.cert-manager.io"] as const;

export interface CertManagerSetupArgs {
    /** Who provides cert-manager (see CertManagerSource). */
    source: CertManagerSource;
    /**
     * With `existing`, whether to check the cluster for cert-manager's CRDs. Defaults to true; off
     * only while rendering manifests, when there may be no cluster to read from.
     */
    check?: boolean;
    /** Namespace cert-manager is installed into with `install`. Defaults to `cert-manager`. */
    namespace?: string;
}

/**
 * cert-manager as the stack relies on it: installed here (the pinned chart), or required from the
 * cluster (its CRDs read, so a cluster without cert-manager fails before anything is created). A
 * stack makes everything else depend on this component, so a missing cert-manager or a failed
 * install (a second install on one cluster: Helm refuses the release name or CRDs another release
 * owns) stops the deployment with nothing half-applied.
 */
export class CertManagerSetup extends pulumi.ComponentResource {
    /** The cert-manager the stack installs (`install` only). */
    public readonly release?: CertManager;
    /**
     * The cert-manager CRDs read from the cluster (`existing` only): reading a missing one fails
     * the preview and the update, and a read object is never deleted by the stack.
     */
    public readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];

    constructor(name: string, args: CertManagerSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeToken("CertManagerSetup", "tls"), name, {}, opts);
        if (args.source === "install") {
            this.release = new CertManager(
                `${name}-install`,
                {
                    installCRDs: true,
                    helmOptions: {
                        // One fixed release per cluster: a second stack installing it into the same
                        // namespace collides on the release name instead of silently sharing CRDs.
                        name: "cert-manager",
                        namespace: args.namespace ?? "cert-manager",
                        createNamespace: true,
                        version: CERT_MANAGER_CHART_VERSION,
                    },
                },
                { parent: this },
            );
            this.crds = [];
        } else if (args.check ?? true) {
            this.crds = requireCrds(name, CERT_MANAGER_CRDS, { parent: this });
        } else {
            this.crds = [];
        }
        this.registerOutputs({});
    }
}

export interface ApiCertificateArgs {
    /** Namespace of the Issuer, the Certificate and its Secret. */
    namespace: pulumi.Input<string>;
    /** Names the certificate is valid for; the first is its common name. */
    dnsNames: pulumi.Input<string>[];
    /** Name of the kubernetes.io/tls Secret cert-manager writes. */
    secretName: string;
}

/**
 * A self-signed Issuer and a Certificate for the API; cert-manager itself comes from a
 * CertManagerSetup. Self-signed needs nothing outside the cluster; swap the Issuer for ACME or a CA
 * in a real environment.
 */
export class ApiCertificate extends pulumi.ComponentResource {
    public readonly issuer: k8s.apiextensions.CustomResource;
    /** Ready once cert-manager has written the Secret: what Pods mounting it depend on. */
    public readonly certificate: k8s.apiextensions.CustomResource;
    /** The kubernetes.io/tls Secret the certificate and key land in. */
    public readonly secretName: string;

    constructor(name: string, args: ApiCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeToken("ApiCertificate", "tls"), name, {}, opts);
        this.issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Issuer",
                metadata: { name: `${name}-selfsigned`, namespace: args.namespace, annotations: forcedApply() },
                spec: { selfSigned: {} },
            },
            { parent: this },
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
                    annotations: forcedApply({ "pulumi.com/waitFor": "condition=Ready" }),
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
        this.secretName = args.secretName;
        this.registerOutputs({ secretName: this.secretName });
    }
}
