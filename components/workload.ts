import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { disruptionBudgetSpec } from "./disruptionBudget";
import { forcedApply } from "./forcedApply";
import { recommendedLabels, Selector } from "./labels";
import { DEFAULT_ARCHITECTURES, DEFAULT_NODE_LOSS_TOLERATION_SECONDS, nodeLossTolerations, onArchitectures, spreadOverNodes } from "./placement";
import { TERMINATION_GRACE_SECONDS } from "./shutdown";
import { typeToken } from "./package";
import { REVISION_ANNOTATION } from "./serviceSpec";
import { contentHash, TEMPLATE_HASH_LABEL, templateHash as templateHashOf } from "./templateHash";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

/**
 * How a change to the Pod template reaches the Pods. Either way the ReplicaSet is named after its
 * template's hash, so a template change is a new ReplicaSet and never a silent no-op.
 * - `surge`: the new ReplicaSet is created and all its Pods are Ready before the old one is
 *   deleted (old and new Pods serve side by side meanwhile). If the new Pods never become Ready,
 *   `pulumi up` fails and the old ones keep serving.
 * - `recreate`: the old ReplicaSet and its Pods are deleted first, then the new one is created;
 *   for a single Pod that must not overlap with its successor, such as a database on a volume.
 */
export type Release = "surge" | "recreate";

/** A PersistentVolumeClaim the workload's Pods mount. */
export interface ClaimArgs {
    /** The Pod volume the claim backs. */
    volume: string;
    /** The claim's Kubernetes name. It never changes with releases, so every new Pod mounts the same data. */
    claimName: string;
    /** Requested size, a Kubernetes quantity such as `10Gi`. */
    size: string;
    /** Storage class. Defaults to the cluster's default class. */
    storageClass?: string;
    /** Protect the claim from deletion by Pulumi (`pulumi destroy` refuses). Defaults to false. */
    protect?: boolean;
}

/**
 * The arguments every workload component (MongoDb, GoDemo2Api, CombinedBackend) takes alike. The
 * component package's schema reads inherited fields, so they are declared once, here; each
 * component's own interface adds what differs (its selector's and replicas' defaults among them).
 */
export interface WorkloadComponentArgs {
    /** Namespace the ReplicaSet and its Pods live in. */
    namespace: pulumi.Input<string>;
    /**
     * The ReplicaSet's name before its template hash (`<replicaSetName>-<templateHash>`).
     * @default the component's name (the constructor's `name`)
     * @see templateHash
     */
    replicaSetName?: string;
    /**
     * Seconds `pulumi up` waits for a release's Pods to be Ready before it fails.
     * @default 300, the workloads' default
     * @see createWorkload (the `pulumi.com/waitFor` and `pulumi.com/timeoutSeconds` it gives the ReplicaSet)
     */
    rolloutTimeoutSeconds?: number;
    /**
     * Seconds the Pods stay on a node that stopped answering before they are evicted.
     * @default 30 (DEFAULT_NODE_LOSS_TOLERATION_SECONDS), not Kubernetes' own 300
     * @see DEFAULT_NODE_LOSS_TOLERATION_SECONDS
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions
     */
    nodeLossTolerationSeconds?: number;
    /**
     * Node architectures (`kubernetes.io/arch`) its images run on; the Pods go to those nodes only.
     * The default is the one architecture the go-demo-2 image is built for.
     * @default `["amd64"]` (DEFAULT_ARCHITECTURES)
     * @see DEFAULT_ARCHITECTURES
     * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-arch
     */
    architectures?: string[];
}

/** What every workload of the stack is: a ReplicaSet of identical Pods. */
export interface WorkloadArgs {
    /** Namespace the ReplicaSet and its Pods live in. */
    namespace: pulumi.Input<string>;
    /** The ReplicaSet's name before its template hash (`<name>-<hash>`). Defaults to the component name. */
    replicaSetName?: string;
    /** How many Pods the ReplicaSet keeps running. Not part of the template: a change scales in place. */
    replicas: number;
    /** Labels the ReplicaSet, and the Services in front of it, select Pods by. */
    selector: Selector;
    /** The software, for `app.kubernetes.io/name` (`mongodb`, `go-demo-2`). */
    appName: string;
    /** Its role, for `app.kubernetes.io/component` (`database`, `api`, `backend`). */
    component: string;
    /** Further labels on the ReplicaSet and its Pods, such as the lab's own. Defaults to none. */
    labels?: Record<string, string>;
    containers: Container[];
    /** Run to completion, in order, before the containers start. Defaults to none. */
    initContainers?: Container[];
    /**
     * Annotations on the Pods. Part of the template, so a change is a release: what a Pod's
     * behaviour depends on outside its own spec goes here. Defaults to none.
     */
    podAnnotations?: Record<string, string>;
    /** Defaults to none. */
    volumes?: Volume[];
    /** Claims the Pods mount; each needs the `recreate` release and one replica. Defaults to none. */
    claims?: ClaimArgs[];
    /** Group that owns the Pod's volumes, for images that run as a fixed non-root user. Defaults to unset. */
    fsGroup?: number;
    /** How a template change reaches the Pods. Defaults to `surge`. */
    release?: Release;
    /** Seconds `pulumi up` waits for every Pod to be Ready before it fails. Defaults to 300. */
    rolloutTimeoutSeconds?: number;
    /** Seconds the Pods stay on a node that stopped answering before they are evicted. Defaults to 30. */
    nodeLossTolerationSeconds?: number;
    /** The node architectures (`kubernetes.io/arch`) every image of the Pod runs on; Pods go to those nodes only. Defaults to DEFAULT_ARCHITECTURES (amd64). */
    architectures?: string[];
}

/** The Pod template of a workload: plain data, so that it can be hashed into the ReplicaSet's name. */
export function podTemplate(args: WorkloadArgs, labels: Record<string, string>): k8s.types.input.core.v1.PodTemplateSpec {
    const claimVolumes: Volume[] = (args.claims ?? []).map((c) => ({
        name: c.volume,
        persistentVolumeClaim: { claimName: c.claimName },
    }));
    const volumes = [...(args.volumes ?? []), ...claimVolumes];
    return {
        metadata: { labels, annotations: args.podAnnotations },
        spec: {
            initContainers: args.initContainers,
            containers: args.containers,
            volumes: volumes.length > 0 ? volumes : undefined,
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            affinity: onArchitectures(args.architectures ?? DEFAULT_ARCHITECTURES),
            topologySpreadConstraints: spreadOverNodes(args.selector),
            tolerations: nodeLossTolerations(args.nodeLossTolerationSeconds ?? DEFAULT_NODE_LOSS_TOLERATION_SECONDS),
            // Neither container talks to the Kubernetes API.
            automountServiceAccountToken: false,
            securityContext: {
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
                fsGroup: args.fsGroup,
            },
        },
    };
}

/**
 * What every workload component of the package is (MongoDb, GoDemo2Api, CombinedBackend): a
 * ReplicaSet named after its Pod template's hash, whose `pulumi up` returns only when every
 * replica of the current template is Ready (ReplicaSets have no awaiter of their own), plus the
 * claims its Pods mount and, for several replicas, the PodDisruptionBudget that keeps all but one
 * of them through a drain. See Release for how a template change reaches the Pods.
 */
export interface Workload extends pulumi.ComponentResource {
    /** The ReplicaSet of the current Pod template. */
    readonly replicaSet: k8s.apps.v1.ReplicaSet;
    /** The ReplicaSet's Kubernetes name: `<replicaSetName>-<templateHash>`. */
    readonly replicaSetName: string;
    /** The hash of the Pod template, also its Pods' `pod-template-hash` label. */
    readonly templateHash: string;
    /** Labels that select this workload's Pods across releases; Services in front of it use exactly these. */
    readonly selector: Record<string, string>;
    /** Present when the workload has several replicas (see disruptionBudgetSpec). */
    readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
}

/**
 * The parts of a workload that createWorkload makes; its component assigns them to itself.
 * @internal
 */
export type WorkloadParts = Pick<Workload, "replicaSet" | "replicaSetName" | "templateHash" | "selector" | "disruptionBudget"> & {
    /** The claims the Pods mount, in the order of WorkloadArgs.claims. */
    claims: k8s.core.v1.PersistentVolumeClaim[];
};

/**
 * The type token of a workload component, and the aliases that keep the first releases' URNs (`go-demo-2:workloads:*`).
 * @internal
 */
export function workloadType(
    component: string,
    opts?: pulumi.ComponentResourceOptions,
): [string, pulumi.ComponentResourceOptions] {
    return [typeToken(component), { ...opts, aliases: [...(opts?.aliases ?? []), { type: typeToken(component, "workloads") }] }];
}

/**
 * The objects of a workload, created as children of its component. The components call it
 * instead of extending a shared base class: a component package's schema reads only classes that
 * extend ComponentResource directly.
 * @internal
 */
export function createWorkload(parent: pulumi.ComponentResource, name: string, args: WorkloadArgs): WorkloadParts {
    const release = args.release ?? "surge";
    if ((args.claims ?? []).length > 0 && (release !== "recreate" || args.replicas !== 1)) {
        // Two Pods on one ReadWriteOnce claim would share (and corrupt) the same data.
        throw new Error(`Workload ${name}: a workload with claims needs release "recreate" and 1 replica`);
    }
    const baseName = args.replicaSetName ?? name;
    const labels = {
        ...args.labels,
        ...recommendedLabels(args.appName, args.component, baseName),
        ...args.selector,
    };

    const claims = (args.claims ?? []).map(
        (c) =>
            new k8s.core.v1.PersistentVolumeClaim(
                `${name}-${c.volume}`,
                {
                    // Not forced (forcedApply): an update of a bound claim of a WaitForFirstConsumer
                    // class never ends with the provider's 4.25 wait (pulumi/pulumi-kubernetes#4179),
                    // so adding the annotation to a deployed claim would fail its stack's next up.
                    metadata: { name: c.claimName, namespace: args.namespace, labels },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: c.size } },
                        storageClassName: c.storageClass,
                    },
                },
                { parent, protect: c.protect ?? false },
            ),
    );

    const templateHash = templateHashOf(podTemplate(args, labels));
    const replicaSetName = `${baseName}-${templateHash}`;
    const podLabels = { ...labels, [TEMPLATE_HASH_LABEL]: templateHash };
    const applied = { labels: podLabels, annotations: forcedApply({ "pulumi.com/timeoutSeconds": String(args.rolloutTimeoutSeconds ?? 300) }) };
    const replicaSet = new k8s.apps.v1.ReplicaSet(
        // surge: each template is a resource of its own, so the engine creates the new one and
        // deletes the old one only once the whole update has succeeded; a failed release leaves
        // the old one untouched, and reverting the config makes the failed one the one deleted.
        // recreate: one resource, replaced delete-first (the provider deletes in the foreground:
        // the old Pods are gone before the new ReplicaSet is created).
        release === "surge" ? `${name}-replicaset-${templateHash}` : `${name}-replicaset`,
        {
            metadata: {
                name: replicaSetName,
                namespace: args.namespace,
                labels: applied.labels,
                annotations: { ...applied.annotations, ...replicaSetWaitFor(applied, args.replicas) },
            },
            spec: {
                replicas: args.replicas,
                // The hash keeps a ReplicaSet from counting the Pods of the release beside it.
                selector: { matchLabels: { ...args.selector, [TEMPLATE_HASH_LABEL]: templateHash } },
                template: podTemplate(args, podLabels),
            },
        },
        { parent, dependsOn: claims, deleteBeforeReplace: release === "recreate" },
    );
    const budget = disruptionBudgetSpec(args.selector, args.replicas);
    const disruptionBudget = budget
        ? new k8s.policy.v1.PodDisruptionBudget(
              `${name}-disruption-budget`,
              { metadata: { name: baseName, namespace: args.namespace, labels, annotations: forcedApply() }, spec: budget },
              { parent },
          )
        : undefined;
    return { replicaSet, replicaSetName, templateHash, selector: args.selector, disruptionBudget, claims };
}

/**
 * What `pulumi up` waits for after it creates or updates a ReplicaSet, plus the revision
 * annotation that wait checks first. The revision, for the reason serviceWaitFor gives: the
 * provider records the last copy its watch delivered, which may be the one from before the update,
 * and an update of the ReplicaSet's metadata only (an annotation, a label) bumps no
 * `metadata.generation` to tell that copy by. Then every replica Ready.
 * @internal
 */
export function replicaSetWaitFor(metadata: { labels: Record<string, string>; annotations: Record<string, string> }, replicas: number): Record<string, string> {
    const revision = contentHash({ ...metadata, replicas }, "replica set");
    return {
        [REVISION_ANNOTATION]: revision,
        // A JSON list: all must hold; the provider records the first condition's object.
        "pulumi.com/waitFor": JSON.stringify([`jsonpath={.metadata.annotations['${REVISION_ANNOTATION}']}=${revision}`, `jsonpath={.status.readyReplicas}=${replicas}`]),
    };
}

/** The container settings every container of the stack shares: no privileges, read-only root. */
export function restrictedSecurityContext(uid: number): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsUser: uid,
        runAsGroup: uid,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    };
}
