import * as k8s from "@pulumi/kubernetes";

/**
 * Seconds a stopping container keeps serving before it is sent SIGTERM. Removing a Pod from its
 * Services' endpoints and stopping the Pod happen at the same time, and load balancers, kube-proxy
 * and clients learn of the new endpoints only a moment later: without this delay they would still
 * send requests to a process that is already gone.
 */
export const SHUTDOWN_DELAY_SECONDS = 5;

/**
 * The Pod's whole budget for stopping: the delay above, then up to 25 s for the process to stop
 * on SIGTERM (mongod flushes its data) before the kubelet kills it.
 */
export const TERMINATION_GRACE_SECONDS = 30;

/**
 * `exec: sleep` rather than Kubernetes' own `sleep` action, which needs Kubernetes 1.30 (feature
 * gate PodLifecycleSleepAction) and is rejected or dropped by older API servers. Every image of
 * the stack ships a `sleep`: go-demo-2 and ghostunnel are built on Alpine (busybox), the mongo
 * images on Debian or Ubuntu (coreutils).
 */
export const shutdownDelay: k8s.types.input.core.v1.Lifecycle = {
    preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } },
};
