// Another team's program: its own web Deployment, with go-demo-2's Service components in front of it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterIPService, NodePortService } from "go-demo-2";

const config = new pulumi.Config();
const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: config.require("namespace") } }).metadata.name;

const labels = { app: "hello" };
const web = new k8s.apps.v1.Deployment("web", {
    metadata: { name: "hello", namespace },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: { containers: [{ name: "web", image: "nginx:1.27.3", ports: [{ name: "http", containerPort: 80 }] }] },
        },
    },
});

// Inside the cluster, by a named container port.
const internal = new ClusterIPService(
    "hello",
    { namespace, selector: labels, ports: [{ name: "http", port: 8080, targetPortName: "http" }] },
    { dependsOn: [web] },
);
// From outside, on every node.
const external = new NodePortService(
    "hello-public",
    { namespace, selector: labels, ports: [{ name: "http", port: 80 }] },
    { dependsOn: [web] },
);

export const clusterIP = internal.clusterIP;
export const dnsName = internal.dnsName;
export const nodePorts = external.nodePorts;
