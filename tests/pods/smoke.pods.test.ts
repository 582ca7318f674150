/**
 * The smoke Job's script (tools/smoke/smokeJob.ts), run as its Pod would: busybox's `sh` and `nslookup`
 * (1.35.0 here; the image's Alpine busybox has the same non-libc nslookup) and curl, as `nobody`,
 * in a network namespace whose name server, API and MongoDB HTTP interface are peers in another
 * (peer.mjs). The checks are the ones a deployed dev stack calls for, pointed at those peers.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { API_PORT } from "../../components/api";
import { MONGO_HTTP_PORT } from "../../components/mongodb";
import { DEFAULT_CLUSTER_DOMAIN, serviceDnsName } from "../../components/services";
import { names } from "../../stack";
import { checksEnv, SECONDS_PER_CHECK, SMOKE_SCRIPT, SmokeCheck, smokeChecks, smokeOutcome } from "../../tools/smoke/smokeJob";
import { busyboxPath, DB_ADDRESS, PodNetwork, Run } from "./sandbox";

jest.setTimeout(120_000);

const CURL = "/usr/bin/curl";
const NAMESPACE = "go-demo-2-dev";
const dnsName = (service: string) => serviceDnsName(service, NAMESPACE, DEFAULT_CLUSTER_DOMAIN);
const NODE_PORT = 30080;
const DB_HTTP_NODE_PORT = 30081;
const EXTERNAL = "kubernetes.io";

/** The dev stack's Services, every address one of the peers' (the "cluster IP", node and load balancer alike). */
const services = [
    { name: names.db, type: "ClusterIP", clusterIP: DB_ADDRESS, ports: [{ name: "mongodb", port: 27017 }] },
    { name: names.dbHttp, type: "NodePort", clusterIP: DB_ADDRESS, ports: [{ name: "mongodb-http", port: MONGO_HTTP_PORT, nodePort: DB_HTTP_NODE_PORT }] },
    { name: names.api, type: "LoadBalancer", clusterIP: DB_ADDRESS, ports: [{ name: "http", port: API_PORT, nodePort: NODE_PORT }], ingress: DB_ADDRESS },
    { name: names.external, type: "ExternalName", ports: [], externalName: EXTERNAL },
];
const dnsNames = Object.fromEntries(services.map((s) => [s.name, dnsName(s.name)]));

let net: PodNetwork;
let results: string;

beforeAll(() => {
    net = new PodNetwork(busyboxPath(), DB_ADDRESS);
    net.provide(CURL);
    // The termination message file, as the kubelet makes it: writable by the container's user.
    results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "smoke-")), "termination-log");
    fs.writeFileSync(results, "");
    fs.chmodSync(path.dirname(results), 0o755);
    fs.chmodSync(results, 0o666);
});

afterAll(async () => {
    await net?.close();
    fs.rmSync(path.dirname(results), { recursive: true, force: true });
});

/** The name server: every Service's A record, the ExternalName's CNAME. */
const records = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
        ...Object.fromEntries(services.filter((s) => s.clusterIP).map((s) => [dnsName(s.name), { A: s.clusterIP }])),
        [dnsName(names.external)]: { CNAME: EXTERNAL },
        ...overrides,
    });

async function peers(api: string, dns = records()) {
    return [
        await net.startPeer(net.db, "dns", DB_ADDRESS, 53, dns),
        await net.startPeer(net.db, api, DB_ADDRESS, API_PORT),
        await net.startPeer(net.db, api, DB_ADDRESS, NODE_PORT),
        await net.startPeer(net.db, "mongod-http", DB_ADDRESS, MONGO_HTTP_PORT),
        await net.startPeer(net.db, "mongod-http", DB_ADDRESS, DB_HTTP_NODE_PORT),
    ];
}

async function runScript(checks: SmokeCheck[]): Promise<Run & { message: string }> {
    fs.writeFileSync(results, "");
    const run = await net.run(["sh", "-c", SMOKE_SCRIPT], { CHECKS: checksEnv(checks), SECONDS_PER_CHECK: String(SECONDS_PER_CHECK), RESULTS: results }, 110);
    return { ...run, message: fs.readFileSync(results, "utf8") };
}

/** What the runner makes of the run: the Job completes when the script exits 0, fails otherwise. */
function outcome(checks: SmokeCheck[], run: { code: number | null; message: string }) {
    const job = { conditions: [{ type: run.code === 0 ? "Complete" : "Failed", status: "True" }] };
    return smokeOutcome(checks, { job, pod: { containerStatuses: [{ state: { terminated: { exitCode: run.code ?? 137, message: run.message } } }] } });
}

describe("the smoke Job's script", () => {
    it("passes every check of a dev stack that serves: DNS names, CNAME, /demo/hello three ways, a person written and read, MongoDB's HTTP interface", async () => {
        const started = await peers("api-people");
        try {
            const checks = smokeChecks({ services, dnsNames, nodeAddress: DB_ADDRESS, person: "go-demo-2-smoke-abc" });
            expect(checks.length).toBe(11);
            const run = await runScript(checks);
            const result = outcome(checks, run);
            expect({ code: run.code, failed: result.rows.filter((r) => !r.ok) }).toEqual({ code: 0, failed: [] });
            expect(result.ok).toBe(true);
            expect(run.message.trim().split("\n")).toEqual(checks.map((_, i) => `${i + 1} ok`));
        } finally {
            await Promise.all(started.map((p) => net.stopPeer(p)));
        }
    });

    it("fails the rows whose answer is wrong, with what the command printed, and exits 1", async () => {
        // The API answers, but lists people without the one just written; the DB's name resolves elsewhere.
        const started = await peers("api-healthy", records({ [dnsName(names.db)]: { A: "198.18.0.77" } }));
        try {
            const checks = smokeChecks({ services, dnsNames, nodeAddress: DB_ADDRESS, person: "go-demo-2-smoke-def" });
            const run = await runScript(checks);
            const result = outcome(checks, run);
            expect(run.code).toBe(1);
            expect(result.ok).toBe(false);
            const failed = result.rows.filter((r) => !r.ok);
            expect(failed.map((r) => `${r.service} ${r.what}`)).toEqual([
                `${names.db} DNS name resolves to the cluster IP`,
                // api-healthy answers a PUT with the list too, so the write itself succeeds
                `${names.api} the person read back`,
            ]);
            expect(failed[0].detail).toContain("198.18.0.77");
        } finally {
            await Promise.all(started.map((p) => net.stopPeer(p)));
        }
    });

    it("fails, within curl's bound per check, when nothing answers: every HTTP row names curl's error", async () => {
        const started = [await net.startPeer(net.db, "dns", DB_ADDRESS, 53, records()), await net.startPeer(net.db, "api-hung", DB_ADDRESS, API_PORT)];
        try {
            const checks = smokeChecks({ services, dnsNames, nodeAddress: DB_ADDRESS, person: "p" });
            const run = await runScript(checks);
            const result = outcome(checks, run);
            expect(run.code).toBe(1);
            const http = result.rows.filter((r) => r.kind === "get" || r.kind === "put");
            expect(http.length).toBe(7);
            for (const row of http) {
                expect({ what: row.what, ok: row.ok, curl: /^curl: \(\d+\)/.test(row.detail) }).toEqual({ what: row.what, ok: false, curl: true });
            }
            // DNS and CNAME still pass: the rows are independent.
            expect(result.rows.filter((r) => r.kind === "dns" || r.kind === "cname").every((r) => r.ok)).toBe(true);
            // The hung API's four calls each end at curl's --max-time; the refused ones at once.
            expect(run.seconds).toBeLessThan(4 * SECONDS_PER_CHECK + 15);
        } finally {
            await Promise.all(started.map((p) => net.stopPeer(p)));
        }
    });
});
