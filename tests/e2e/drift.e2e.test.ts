/**
 * Fields edited with kubectl on a deployed stack, found and healed as docs/operations.md tells
 * users to: the refreshing preview (what the drift workflow runs) lists an update of exactly the
 * edited object and does not fail on a Server-Side Apply field conflict; `up --refresh` sets the
 * live object back to the stack's value; then a refreshing preview finds nothing to do. A label
 * kubectl adds is a field the stack never set, so Server-Side Apply leaves it to kubectl: that
 * case checks that it stays, and why. Steps share one stack, so they run in order.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { selectors } from "../../components/labels";
import { MONGO_HTTP_PORT } from "../../components/mongodb";
import { names } from "../../stack";
import { CHANGES, steps } from "../../tools/review/review";
import { destroyTestStack, testStack } from "./stacks";
import { printTimings, timed } from "./timings";
import { withoutTemplateHash } from "../support/expected";
import { endpointIPs, eventually, kubectl, kubectlJson, pods } from "./kube";

jest.setTimeout(15 * 60_000);

const namespace = "e2e-go-demo-2-drift";
/** Pulumi.dev.yaml's replicas. */
const REPLICAS = 3;
/** A node port the stack fixes (config nodePort), so that the Service's nodePort is a field it sets. */
const NODE_PORT = 30765;
let stack: Stack;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const live = (object: string): any => kubectlJson("get", object, "-n", namespace);
/** The API's one ReplicaSet, as `replicaset/<name>-<template hash>`. */
const apiReplicaSet = () => `replicaset/${kubectlJson("get", "replicasets", "-n", namespace, "-l", `app.kubernetes.io/instance=${names.api}`).items[0].metadata.name}`;

/**
 * The field managers that own a field of an object, by its path in managedFields' notation
 * (`f:spec`, `f:replicas`): who the next apply would conflict with, or leave the field to.
 */
function managersOf(object: string, ...path: string[]): string[] {
    return kubectlJson("get", object, "-n", namespace, "--show-managed-fields")
        .metadata.managedFields.filter((m: { fieldsV1?: object }) =>
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            path.reduce<any>((fields, key) => fields?.[key], m.fieldsV1) !== undefined,
        )
        .map((m: { manager: string; subresource?: string }) => (m.subresource ? `${m.manager}/${m.subresource}` : m.manager))
        .sort();
}

/** What a refreshing preview would change (`op Kind/name`, a ReplicaSet without its hash); fails if the preview fails. */
async function refreshingPreview(label: string): Promise<string[]> {
    const events: EngineEvent[] = [];
    await timed(`drift: preview --refresh (${label})`, () => stack.preview({ refresh: true, onEvent: (e) => events.push(e), color: "never" }));
    return steps(events, CHANGES).map(withoutTemplateHash);
}

/** `up --refresh`, then checks that a refreshing preview (the drift workflow's) finds nothing left. */
async function heal(label: string): Promise<void> {
    await timed(`drift: up --refresh (${label})`, () => stack.up({ refresh: true, color: "never" }));
    await stack.preview({ refresh: true, expectNoChanges: true, color: "never" });
}

beforeAll(async () => {
    stack = await testStack("dev", namespace);
    await stack.setConfig("go-demo-2:nodePort", { value: String(NODE_PORT) });
    await stack.setConfig("go-demo-2:loadBalancerWaitSeconds", { value: "60" });
    await timed("drift: up (dev)", () => stack.up({ color: "never" }));
    await stack.preview({ refresh: true, expectNoChanges: true, color: "never" });
});

afterAll(async () => {
    await destroyTestStack(stack);
    printTimings();
});

it("kubectl scale rs of the API: found as an update of that ReplicaSet, and up sets its replicas back", async () => {
    const rs = apiReplicaSet();
    kubectl("scale", rs, "-n", namespace, "--replicas=1");
    expect(managersOf(rs, "f:spec", "f:replicas")).toEqual(["kubectl/scale"]);

    expect(await refreshingPreview("scale")).toEqual([`update ReplicaSet/${names.api}`]);
    await heal("scale");

    expect(live(rs).spec.replicas).toBe(REPLICAS);
    // The stack's field manager owns the field again: the scale subresource's claim is gone.
    expect(managersOf(rs, "f:spec", "f:replicas")).toEqual([expect.stringMatching(/^pulumi-kubernetes-/)]);
    await eventually(() => expect(pods(namespace, selectors.api).filter((p) => p.ready)).toHaveLength(REPLICAS));
});

it("kubectl patch svc of a node port: found as an update of that Service, and up sets the port back", async () => {
    const svc = `service/${names.dbHttp}`;
    kubectl("patch", svc, "-n", namespace, "-p", JSON.stringify({ spec: { ports: [{ port: MONGO_HTTP_PORT, nodePort: NODE_PORT + 1 }] } }));
    expect(live(svc).spec.ports[0].nodePort).toBe(NODE_PORT + 1);

    expect(await refreshingPreview("node port")).toEqual([`update Service/${names.dbHttp}`]);
    await heal("node port");

    expect(live(svc).spec.ports.map((p: { port: number; nodePort: number }) => [p.port, p.nodePort])).toEqual([[MONGO_HTTP_PORT, NODE_PORT]]);
});

it("kubectl patch svc of the selector: found as an update of that Service, and up selects MongoDB again", async () => {
    const svc = `service/${names.db}`;
    const dbIPs = pods(namespace, selectors.db).map((p) => p.ip);
    kubectl("patch", svc, "-n", namespace, "-p", JSON.stringify({ spec: { selector: selectors.api } }));
    // The edit is live: the Service now sends MongoDB's traffic to the API's Pods.
    const apiIPs = pods(namespace, selectors.api).map((p) => p.ip);
    await eventually(() => expect(endpointIPs(namespace, names.db)).toEqual(apiIPs.sort()));

    expect(await refreshingPreview("selector")).toEqual([`update Service/${names.db}`]);
    await heal("selector");

    expect(live(svc).spec.selector).toEqual(selectors.db);
    await eventually(() => expect(endpointIPs(namespace, names.db)).toEqual(dbIPs.sort()));
});

it("kubectl label --overwrite of a label the stack sets: found as an update of that Service, and up sets it back", async () => {
    const svc = `service/${names.api}`;
    kubectl("label", svc, "-n", namespace, "--overwrite", "app.kubernetes.io/part-of=something-else");

    expect(await refreshingPreview("owned label")).toEqual([`update Service/${names.api}`]);
    await heal("owned label");

    expect(live(svc).metadata.labels["app.kubernetes.io/part-of"]).toBe("go-demo-2");
});

it("kubectl label of a label the stack does not set: not drift, and kept, because kubectl owns that field", async () => {
    const svc = `service/${names.api}`;
    kubectl("label", svc, "-n", namespace, "drift-test=added");

    // Server-Side Apply changes only the fields the applier sets; the stack never set this one.
    expect(managersOf(svc, "f:metadata", "f:labels", "f:drift-test")).toEqual(["kubectl-label"]);
    expect(await refreshingPreview("added label")).toEqual([]);
    await heal("added label");

    expect(live(svc).metadata.labels["drift-test"]).toBe("added");
    expect(managersOf(svc, "f:metadata", "f:labels", "f:drift-test")).toEqual(["kubectl-label"]);

    // What docs/operations.md tells users to do instead: remove it with kubectl.
    kubectl("label", svc, "-n", namespace, "drift-test-");
    expect(live(svc).metadata.labels["drift-test"]).toBeUndefined();
    await stack.preview({ refresh: true, expectNoChanges: true, color: "never" });
});
