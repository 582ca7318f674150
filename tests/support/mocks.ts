import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

import { PROJECT, StackConfig } from "../../config";
import { createStack, Stack } from "../../stack";

/** The resource options a registration carried that decide what the engine does on a change. */
export interface RecordedOptions {
    protect: boolean;
    deleteBeforeReplace: boolean;
    /** URNs of the resources it depends on: dependsOn (a component stands for its custom children) and those its inputs came from. */
    dependencies: string[];
}

/** One `newResource` call the mock saw, as the engine would have: type token, name, inputs, options. */
export interface Recorded extends RecordedOptions {
    type: string;
    name: string;
    custom: boolean;
    /** The ID of an existing object the program reads (`Resource.get`); unset (the mock is given "") for a registration. */
    readId?: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** The state the mocked engine handed back: the inputs plus what the apiserver assigned (a Service's IP, node ports, ingress). */
    state: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every resource registered since the last resetRecorded(), in registration order. */
export const recorded: Recorded[] = [];

/** Where the mock allocates cluster IPs; a real apiserver uses its --service-cluster-ip-range. */
export const MOCK_SERVICE_CIDR_PREFIX = "10.96.0.";
/** The first node port the mock allocates, inside the apiserver's 30000-32767 range. */
export const MOCK_FIRST_NODE_PORT = 30100;
/** Where the mock's load balancers take their addresses (TEST-NET-3): each Service its own, so a test can tell whose it outputs. */
export const MOCK_LB_PREFIX = "203.0.113.";

let counter = 0;

/** The uid the mocked apiserver gives an object: a UUID derived from its resource name, so tests can name it. */
export function mockUid(name: string): string {
    const hex = createHash("sha256").update(name).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
let loadBalancerController = true;

/** Whether the mocked cluster gives LoadBalancer Services an address (kind and minikube do not). */
export function mockLoadBalancerController(present: boolean): void {
    loadBalancerController = present;
}

let serviceCreationTimestamp: string | undefined;

/** The `creationTimestamp` the mocked apiserver gives Services (default none: as for a Service of an older state). */
export function mockServiceCreationTimestamp(timestamp: string | undefined): void {
    serviceCreationTimestamp = timestamp;
}

/**
 * Fills in what the apiserver (or a cloud) computes for a Service, so tests can read the
 * outputs built on them: a cluster IP (not for ExternalName), node ports for NodePort and
 * LoadBalancer ports that do not fix one, and a load balancer ingress (see mockLoadBalancerController).
 */
function serviceState(inputs: Record<string, any>): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const spec = inputs.spec ?? {};
    if (spec.type === "ExternalName") {
        return inputs;
    }
    counter += 1;
    const exposesNodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
    return {
        ...inputs,
        metadata: { ...inputs.metadata, ...(serviceCreationTimestamp ? { creationTimestamp: serviceCreationTimestamp } : {}) },
        spec: {
            ...spec,
            clusterIP: `${MOCK_SERVICE_CIDR_PREFIX}${counter}`,
            ports: (spec.ports ?? []).map((p: { nodePort?: number }, i: number) =>
                exposesNodePorts ? { ...p, nodePort: p.nodePort ?? MOCK_FIRST_NODE_PORT + counter * 10 + i } : p,
            ),
        },
        status: spec.type !== "LoadBalancer" ? {} : loadBalancerStatus(counter),
    };
}

/** A LoadBalancer Service's status: the n-th Service's own address, once the controller gave one. */
function loadBalancerStatus(n: number, given = loadBalancerController): Record<string, unknown> {
    return { loadBalancer: given ? { ingress: [{ ip: `${MOCK_LB_PREFIX}${n}` }] } : {} };
}

let addressGivenSince: boolean | undefined;

/**
 * Whether a read of a live LoadBalancer Service finds an address the controller gave after the
 * update that registered it (undefined: as mockLoadBalancerController says, as at the registration).
 */
export function mockAddressGivenSince(given: boolean | undefined): void {
    addressGivenSince = given;
}

/**
 * What a read (`.get`) of an object of that ID finds: a Service the program registered as the
 * mocked apiserver has it now, with the load-balancer address the controller has given since
 * (mockLoadBalancerController at the time of the read, not of the registration); any other object
 * (a CRD the stack requires) as the read's own inputs.
 */
function liveState(id: string, inputs: Record<string, any>): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const object = recorded.find((r) => !r.readId && `${r.name}-id` === id);
    // A preview creates nothing: what it would create cannot be read yet.
    if (!object || previewing) {
        return inputs;
    }
    const balanced = object.state.spec?.type === "LoadBalancer";
    const n = Number(String(object.state.spec?.clusterIP).slice(MOCK_SERVICE_CIDR_PREFIX.length));
    return balanced ? { ...object.state, status: loadBalancerStatus(n, addressGivenSince ?? loadBalancerController) } : object.state;
}

let previewing = false;

/** The outputs the program reads back as its stack's own: what its last `up` left (none: never deployed). */
let lastOutputs: Record<string, unknown> = {};

/** Sets the outputs the program reads back as its last deployment's (index.ts). */
export function mockLastOutputs(outputs: Record<string, unknown>): void {
    lastOutputs = outputs;
}

/**
 * Options of the registration in flight, by type and name. Pulumi's mocks hand newResource only
 * the inputs; the registration request the engine would get also carries the options, so the
 * mock monitor's registerResource is wrapped to read them first.
 */
const optionsInFlight = new Map<string, RecordedOptions>();

interface RegisterResourceRequest {
    getType(): string;
    getName(): string;
    getProtect(): boolean;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
}

function recordOptionsOfRegistrations(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterResourceRequest, callback: unknown): Promise<void>;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        optionsInFlight.set(`${req.getType()}::${req.getName()}`, {
            protect: req.getProtect(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            dependencies: req.getDependenciesList(),
        });
        return register(req, callback);
    };
}

const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        // A read (`.get`) of an existing object carries no resource options of the program's.
        const read = args.id ? { protect: false, deleteBeforeReplace: false, dependencies: [] } : undefined;
        const options = optionsInFlight.get(`${args.type}::${args.name}`) ?? read;
        if (!options) {
            throw new Error(`the options of ${args.type} ${args.name} were not recorded`);
        }
        // A preview, like the engine's, knows only the inputs: nothing is allocated yet.
        const computes = args.type === "kubernetes:core/v1:Service" && !previewing;
        const state = args.id
            ? liveState(args.id, args.inputs)
            : computes
            ? serviceState(args.inputs)
            : args.type === "kubernetes:core/v1:PersistentVolumeClaim" && !previewing
              ? { ...args.inputs, metadata: { ...args.inputs.metadata, uid: mockUid(args.name) } }
              : args.inputs;
        recorded.push({
            type: args.type,
            name: args.name,
            custom: args.custom ?? true,
            readId: args.id || undefined,
            inputs: args.inputs,
            state,
            ...options,
        });
        return { id: `${args.name}-id`, state };
    },
    call(args) {
        // The program reads its own last outputs (index.ts); any other call must be mocked on purpose.
        if (args.token === "pulumi:pulumi:readStackOutputs") {
            return { name: args.inputs.name, outputs: lastOutputs, secretOutputNames: [] };
        }
        throw new Error(`Mock not implemented: ${args.token}`);
    },
};

/**
 * Installs the recording mock (once per test file: each setMocks replaces the previous one).
 * With `preview`, the program runs as in `pulumi preview`: computed fields stay unset.
 */
export function installMocks(stack = "test", preview = false): void {
    previewing = preview;
    pulumi.runtime.setMocks(mocks, PROJECT, stack, preview, "organization");
    recordOptionsOfRegistrations();
}

export function resetRecorded(): void {
    recorded.length = 0;
}

/** The resolved value of an Output. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Waits until each resource is registered, so `recorded` holds it and everything before it. */
export async function registered(...resources: pulumi.Resource[]): Promise<void> {
    await Promise.all(resources.map((r) => unwrap(r.urn)));
}

/** The recorded resources of one type token, reads included. */
export function ofType(type: string): Recorded[] {
    return recorded.filter((r) => r.type === type);
}

/** The objects of one type token the program registers (manages), without its reads of live objects. */
export function registeredOfType(type: string): Recorded[] {
    return ofType(type).filter((r) => r.readId === undefined);
}

/** The one recorded resource of a type and name; fails the test if it is missing or repeated. */
export function find(type: string, name: string): Recorded {
    const found = recorded.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    }
    return found[0];
}

/**
 * What the mocked apiserver assigned to the one Service of this Kubernetes name: its cluster IP, node
 * ports by port name, load-balancer address; with `live`, as the program's read of the live object found it.
 */
export function assignedTo(serviceName: string, { live = false } = {}): { clusterIP?: string; nodePorts: Record<string, number>; ingress?: string } {
    const found = registeredOfType("kubernetes:core/v1:Service").filter((r) => r.inputs.metadata?.name === serviceName);
    if (found.length !== 1) {
        throw new Error(`expected one Service named ${serviceName}, found ${found.length}`);
    }
    const read = recorded.find((r) => r.readId === `${found[0].name}-id`);
    if (live && !read) {
        throw new Error(`the program read no live object of the Service ${serviceName}`);
    }
    const { spec, status } = (live ? read! : found[0]).state;
    const nodePorts = Object.fromEntries(
        (spec.ports ?? []).filter((p: { nodePort?: number }) => p.nodePort !== undefined).map((p: { name: string; nodePort: number }) => [p.name, p.nodePort]),
    );
    return { clusterIP: spec.clusterIP, nodePorts, ingress: status?.loadBalancer?.ingress?.[0]?.ip };
}

/** Runs the program's composition for a config and waits until every Service, ReplicaSet and the destroy guard (registered last) is registered. */
export async function registeredStack(config: StackConfig): Promise<Stack> {
    const stack = createStack(config);
    await registered(
        stack.db.replicaSet,
        stack.api.replicaSet,
        ...Object.values(stack.services).map((s) => s.service),
        ...(stack.destroyGuard ? [stack.destroyGuard] : []),
    );
    return stack;
}
