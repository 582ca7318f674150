import { API_HEALTH_PATH, API_PORT, GoDemo2Api } from "../../components/api";
import { SHUTDOWN_DELAY_SECONDS } from "../../components/shutdown";
import { TLS_PORT } from "../../components/tls";
import { failureWindowSeconds } from "../../policy/policies";
import { installMocks, resetRecorded } from "../support/mocks";
import { replicaSetOf } from "../support/workloads";

installMocks();
beforeEach(resetRecorded);

describe("tlsSidecar", () => {
    it("adds a TLS sidecar serving 8443 from the certificate's Secret", async () => {
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db", tlsSecretName: "api-tls" });
        const pod = (await replicaSetOf(api)).spec.template.spec;
        expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(["api", "tls"]);
        const tls = pod.containers[1];
        expect(tls.image).toMatch(/:v\d+\.\d+\.\d+$/);
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
});

