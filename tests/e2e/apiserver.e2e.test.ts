/**
 * The config's rules for values the API server checks too agree with the API server itself:
 * every candidate is asked of both (a server-side dry run creates nothing), so a rule stricter or
 * looser than Kubernetes fails here.
 */
import { execFileSync } from "child_process";

import { ConfigError, parseConfig } from "../../config";

/** Whether the API server accepts the object (server-side dry run: validated, admitted, not stored). */
function apiServerAccepts(object: object): boolean {
    try {
        execFileSync("kubectl", ["create", "--dry-run=server", "-f", "-", "-o", "name"], {
            input: JSON.stringify(object),
            stdio: ["pipe", "pipe", "pipe"],
        });
        return true;
    } catch (e) {
        const stderr = String((e as { stderr?: Buffer }).stderr);
        // Only a validation refusal counts as "rejects"; anything else is a broken test setup.
        if (!stderr.includes("is invalid")) {
            throw e;
        }
        return false;
    }
}

/** Whether parseConfig accepts the one key; a problem with another key would be a broken test. */
function configAccepts(key: string, value: string): boolean {
    try {
        parseConfig({ [key]: value }, "e2e");
        return true;
    } catch (e) {
        expect((e as ConfigError).problems.every((p) => p.startsWith(`go-demo-2:${key} = `))).toBe(true);
        return false;
    }
}

const service = (spec: object, annotations?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "config-check", namespace: "default", annotations },
    spec,
});

describe("config rules agree with the API server", () => {
    it.each([
        "kubernetes.io",
        "kubernetes.io.",
        "localhost",
        "localhost.",
        "a-b.example.com.",
        "kubernetes.io..",
        ".",
        ".kubernetes.io",
        "Kubernetes.io",
        "kube_rnetes.io",
        "-kubernetes.io",
        `${"a".repeat(64)}.io`,
        `${"a.".repeat(126)}io.`,
        `${"a.".repeat(127)}io`,
    ])("externalName %j", (name) => {
        const server = apiServerAccepts(service({ type: "ExternalName", externalName: name }));
        expect([name, configAccepts("externalName", name)]).toEqual([name, server]);
    });

    it.each([
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "networking.gke.io/load-balancer-type",
        "internal",
        "Internal_Scheme.v2",
        "example.com/" + "n".repeat(63),
        "example.com/" + "n".repeat(64),
        "bad key",
        "/internal",
        "Example.com/internal",
        "example.com/-internal",
        "a/b/c",
    ])("loadBalancerAnnotations name %j", (key) => {
        const server = apiServerAccepts(
            service({ type: "ClusterIP", selector: { app: "x" }, ports: [{ port: 80 }] }, { [key]: "x" }),
        );
        expect([key, configAccepts("loadBalancerAnnotations", JSON.stringify({ [key]: "x" }))]).toEqual([key, server]);
    });
});
