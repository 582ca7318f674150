import * as fs from "fs";
import * as path from "path";

import { API_HEALTH_PATH, API_PORT, GoDemo2Api } from "../../components/api";
import { SHUTDOWN_DELAY_SECONDS } from "../../components/shutdown";
import { TLS_PORT, TLS_PROXY_IMAGE } from "../../components/tls";
import { failureWindowSeconds } from "../../policy/policies";
import { installMocks, resetRecorded } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";
import { LOCAL_TLS_PROXY } from "../e2e/realNode";
import { root } from "../../tools/project/root";

installMocks();
beforeEach(resetRecorded);

describe("tlsSidecar", () => {
    it("adds a TLS sidecar serving 8443 from the certificate's Secret", async () => {
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db", tlsSecretName: "api-tls" });
        const pod = (await replicaSetOf(api)).spec.template.spec;
        expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(["api", "tls"]);
        const tls = pod.containers[1];
        expect(tls.image).toBe(TLS_PROXY_IMAGE);
        expect(TLS_PROXY_IMAGE).toMatch(/:v\d+\.\d+\.\d+$/);
        expect(tls.args).toEqual(
            expect.arrayContaining([`--listen=0.0.0.0:${TLS_PORT}`, `--target=127.0.0.1:${API_PORT}`]),
        );
        expect(tls.volumeMounts).toEqual([{ name: "tls", mountPath: "/tls", readOnly: true }]);
        // Ready only when HTTPS reaches the API through the tunnel; alive while it accepts connections.
        expect(tls.readinessProbe).toMatchObject({ httpGet: { scheme: "HTTPS", path: API_HEALTH_PATH, port: TLS_PORT } });
        expect(tls.livenessProbe).toMatchObject({ tcpSocket: { port: TLS_PORT } });
        expect(failureWindowSeconds(tls.livenessProbe)).toBeGreaterThan(failureWindowSeconds(tls.readinessProbe));
        expect(tls.lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } } });
        expect(tls.resources.limits["ephemeral-storage"]).toBe("64Mi");
        expect(pod.volumes).toEqual([{ name: "tls", secret: { secretName: "api-tls" } }]);
    });

    it("runs the tlsProxyImage given (a mirror's copy), and no sidecar without a Secret whatever the image", async () => {
        const mirrored = "registry.example.com/mirror/ghostunnel:v1.8.4";
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db", tlsSecretName: "api-tls", tlsProxyImage: mirrored });
        expect((await replicaSetOf(api)).spec.template.spec.containers[1].image).toBe(mirrored);
        resetRecorded();
        const plain = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db", tlsProxyImage: mirrored });
        expect((await replicaSetOf(plain)).spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual(["i"]);
    });
});


describe("TLS_PROXY_IMAGE", () => {
    it("is the ghostunnel the local cluster's real node builds: the version of images/ghostunnel/go.mod, the tag images/build.sh and npm run up --local-images use", () => {
        const version = TLS_PROXY_IMAGE.split(":")[1];
        const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
        expect(read("images/ghostunnel/go.mod")).toMatch(new RegExp(`^\\s*github\\.com/ghostunnel/ghostunnel ${version.replace(/\./g, "\\.")}\\b`, "m"));
        const local = `go-demo-2.local/ghostunnel:${version}`;
        expect(read("images/build.sh")).toContain(` ${local} `);
        expect(read("scripts/commands/up.sh")).toContain(`tlsProxyImage ${local} `);
        expect(LOCAL_TLS_PROXY).toBe(local);
    });
});
