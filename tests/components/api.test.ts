import * as k8s from "@pulumi/kubernetes";

import {
    API_HEALTH_PATH,
    API_LIVENESS_SCRIPT,
    API_PORT,
    apiContainer,
    DB_CONNECT_SECONDS,
    DB_RELEASE_ANNOTATION,
    GoDemo2Api,
    PERSON_FAILS_WITHIN_SECONDS,
    waitForDbContainer,
} from "../../components/api";
import { selectors } from "../../components/labels";
import { MONGO_PORT } from "../../components/mongodb";
import { SHUTDOWN_DELAY_SECONDS } from "../../components/shutdown";
import { TEMPLATE_HASH_LABEL } from "../../components/templateHash";
import { failureWindowSeconds } from "../../policy/policies";
import { installMocks, recorded, resetRecorded } from "../support/mocks";
import { runWithStubs } from "../support/shell";
import { replicaSetOf } from "../support/workloads";
import { typeToken } from "../../components/package";

type Probe = k8s.types.input.core.v1.Probe;

installMocks();
beforeEach(resetRecorded);

describe("apiContainer", () => {
    it("points DB at the given host and probes the lab's /demo/hello on 8080", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.env).toEqual([{ name: "DB", value: "go-demo-2-db" }]);
        expect(c.readinessProbe).toMatchObject({ httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 });
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    });

    it("is restarted only when it does not answer, or MongoDB takes connections but a DB request fails (tests/pods runs it)", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.livenessProbe).toEqual({
            exec: { command: ["sh", "-c", API_LIVENESS_SCRIPT] },
            initialDelaySeconds: 5,
            periodSeconds: 10,
            timeoutSeconds: DB_CONNECT_SECONDS + PERSON_FAILS_WITHIN_SECONDS + 1,
            failureThreshold: 3,
        });
        // No wget -T: busybox 1.24.2 (the image's) bounds only its connect with it.
        expect(API_LIVENESS_SCRIPT).not.toContain("-T");
        // Restarted after 30 s of a wedged session; out of the endpoints after 3 s of no /demo/hello.
        expect(failureWindowSeconds(c.livenessProbe as Probe)).toBe(30);
        expect(failureWindowSeconds(c.readinessProbe as Probe)).toBe(3);
        expect(c.readinessProbe).toEqual({ httpGet: { path: API_HEALTH_PATH, port: API_PORT }, periodSeconds: 1 });
    });

    describe("its liveness script, run with stand-ins for wget and nc", () => {
        const hello = `wget -q -O /dev/null http://127.0.0.1:${API_PORT}${API_HEALTH_PATH}`;
        const dbConnect = `nc -z -w ${DB_CONNECT_SECONDS} go-demo-2-db ${MONGO_PORT}`;
        const person = `wget -q -O /dev/null http://127.0.0.1:${API_PORT}/demo/person`;
        const live = (env: Record<string, string>) => runWithStubs(API_LIVENESS_SCRIPT, { DB: "go-demo-2-db", ...env });

        it("fails when /demo/hello fails, asking nothing more", () => {
            expect(live({ HELLO: "fail", NC: "ok", PERSON: "ok" })).toEqual({ status: 1, calls: [hello] });
        });

        it("passes when MongoDB takes no connection (a restart would only crash-loop), asking no DB request", () => {
            expect(live({ HELLO: "ok", NC: "fail", PERSON: "fail" })).toEqual({ status: 0, calls: [hello, dbConnect] });
        });

        it("fails when MongoDB takes connections but /demo/person fails; passes when it answers", () => {
            expect(live({ HELLO: "ok", NC: "ok", PERSON: "fail" })).toEqual({ status: 1, calls: [hello, dbConnect, person] });
            expect(live({ HELLO: "ok", NC: "ok", PERSON: "ok" })).toEqual({ status: 0, calls: [hello, dbConnect, person] });
        });

        it("passes a slow /demo/person, cut after PERSON_FAILS_WITHIN_SECONDS (a slow query, not a wedge)", () => {
            const started = Date.now();
            expect(live({ HELLO: "ok", NC: "ok", PERSON: "hang" })).toEqual({ status: 0, calls: [hello, dbConnect, person] });
            const seconds = (Date.now() - started) / 1000;
            expect(seconds).toBeGreaterThanOrEqual(PERSON_FAILS_WITHIN_SECONDS);
            expect(seconds).toBeLessThan(PERSON_FAILS_WITHIN_SECONDS + 3);
        }, 15_000);
    });

    it("waits, in an init container of its own image, until MongoDB takes connections at $DB:27017, with the API's limits and privileges", () => {
        const args = { image: "vfarcic/go-demo-2:2.0", dbHost: "go-demo-2-db" };
        const init = waitForDbContainer(args);
        const api = apiContainer(args);
        expect(init).toEqual({
            name: "wait-for-db",
            image: "vfarcic/go-demo-2:2.0",
            env: [{ name: "DB", value: "go-demo-2-db" }],
            command: ["sh", "-c", expect.any(String)],
            resources: api.resources,
            securityContext: api.securityContext,
        });
        // Run with a stand-in nc: done once $DB:27017 takes a connection, retrying until then.
        const dbConnect = `nc -z -w ${DB_CONNECT_SECONDS} go-demo-2-db ${MONGO_PORT}`;
        const script = (init.command as string[])[2];
        expect(runWithStubs(script, { DB: "go-demo-2-db", NC: "ok" })).toEqual({ status: 0, calls: [dbConnect] });
        const waiting = runWithStubs(script, { DB: "go-demo-2-db", NC: "fail" }, 2500);
        expect(waiting.status).toBeNull();
        expect(new Set(waiting.calls)).toEqual(new Set([dbConnect]));
        expect(waiting.calls.length).toBeGreaterThanOrEqual(2);
    });

    it("keeps serving for the shutdown delay and bounds its ephemeral storage", () => {
        const c = apiContainer({ image: "vfarcic/go-demo-2", dbHost: "go-demo-2-db" });
        expect(c.lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(SHUTDOWN_DELAY_SECONDS)] } } });
        expect(c.resources).toEqual({
            requests: expect.objectContaining({ "ephemeral-storage": "16Mi" }),
            limits: expect.objectContaining({ "ephemeral-storage": "64Mi" }),
        });
    });
});

describe("GoDemo2Api", () => {
    it("scales on its own and reaches the DB by its Service name", async () => {
        const api = new GoDemo2Api("go-demo-2-api", {
            namespace: "ns",
            image: "vfarcic/go-demo-2",
            dbHost: "go-demo-2-db",
            replicas: 5,
        });
        const rs = await replicaSetOf(api);
        expect(recorded[0].type).toBe(typeToken("GoDemo2Api"));
        expect(rs.spec.replicas).toBe(5);
        expect(JSON.parse(rs.metadata.annotations["pulumi.com/waitFor"])[1]).toBe("jsonpath={.status.readyReplicas}=5");
        expect(rs.spec.selector.matchLabels).toEqual({ ...selectors.api, [TEMPLATE_HASH_LABEL]: api.templateHash });
        expect(rs.spec.template.metadata.labels).toMatchObject({ ...selectors.api, language: "go" });
        const [container] = rs.spec.template.spec.containers;
        expect(container.env).toEqual([{ name: "DB", value: "go-demo-2-db" }]);
        expect(rs.spec.template.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(["wait-for-db"]);
    });

    it("carries the MongoDB release it talks to in its Pod template, so a new MongoDB is a new API release", async () => {
        const api = (name: string, dbRelease?: string) =>
            new GoDemo2Api(name, { namespace: "ns", image: "i", dbHost: "db", replicaSetName: "go-demo-2-api", dbRelease });
        const first = api("a", "0123456789");
        const rs = await replicaSetOf(first);
        expect(rs.spec.template.metadata.annotations).toEqual({ [DB_RELEASE_ANNOTATION]: "0123456789" });
        expect(api("b", "abcdefabcd").templateHash).not.toBe(first.templateHash);
        expect(api("c", "0123456789").templateHash).toBe(first.templateHash);
        expect(api("d").templateHash).not.toBe(first.templateHash);
    });

    it("defaults to 3 replicas, as in the lab", async () => {
        const api = new GoDemo2Api("api", { namespace: "ns", image: "i", dbHost: "db" });
        expect((await replicaSetOf(api)).spec.replicas).toBe(3);
    });
});

