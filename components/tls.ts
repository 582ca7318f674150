import * as k8s from "@pulumi/kubernetes";

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
    /** A ghostunnel image: its entrypoint is ghostunnel, and it carries a `sleep` (shutdownDelay). */
    image: string = TLS_PROXY_IMAGE,
): { container: k8s.types.input.core.v1.Container; volume: k8s.types.input.core.v1.Volume } {
    return {
        container: {
            name: "tls",
            image,
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
