/**
 * The namespace's NetworkPolicies: what may reach MongoDB and the API, what the API and the smoke
 * Job may call, and a default deny of everything else, both ways (docs/stacks.md#networkpolicies).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiPolicySpec, APP, CLUSTER_DNS, dbPolicySpec, defaultDenySpec, egressPolicySpec, EgressTarget, forcedApply, MONGO_HTTP_PORT, MONGO_PORT, recommendedLabels } from "go-demo-2";

import { StackConfig } from "../config";
import { METRICS_PORT } from "./monitoring";
import { names } from "./names";
import { StackPlan } from "./plan";
import { Workloads } from "./workloads";

/** The smoke Job's Pods (tools/smoke/smokeJob.ts labels them so): what the smoke policy selects. */
export const SMOKE_SELECTOR = { "app.kubernetes.io/name": names.smoke } as const;

/**
 * What the smoke Job calls besides DNS: the API's Pods on the port its Service targets (the cluster
 * IP, node port and load balancer paths all end there), and MongoDB's HTTP interface where
 * go-demo-2-svc publishes it. The ExternalName check is a DNS lookup only.
 */
function smokeTargets(config: StackConfig, { db, api }: Workloads, apiPort: StackPlan["apiPort"]): EgressTarget[] {
    return [{ pods: api.selector, ports: [apiPort.targetPort] }, ...(config.dbHttpInterface ? [{ pods: db.selector, ports: [MONGO_HTTP_PORT] }] : [])];
}

/** Creates the allows, then the default deny that depends on them; returns all of them. */
export function createNetworkPolicies(
    config: StackConfig,
    namespace: pulumi.Input<string>,
    { db, api }: Workloads,
    apiPort: StackPlan["apiPort"],
): k8s.networking.v1.NetworkPolicy[] {
    const policy = (name: string, labels: Record<string, string>, spec: k8s.types.input.networking.v1.NetworkPolicySpec, opts?: pulumi.CustomResourceOptions) =>
        new k8s.networking.v1.NetworkPolicy(name, { metadata: { name, namespace, labels, annotations: forcedApply() }, spec }, opts);
    // Without addresses, the rules are what they were before the key existed.
    const dns = config.clusterDnsAddresses.length > 0 ? { ...CLUSTER_DNS, addresses: config.clusterDnsAddresses } : undefined;
    const allows = [
        policy(
            names.db,
            recommendedLabels("mongodb", "database", names.db),
            dbPolicySpec({ db: db.selector, api: api.selector, httpInterface: config.dbHttpInterface, servesApi: db === api }),
        ),
        // In the lab's combined Pod the DB policy above already opens the API's port, and the API
        // calls MongoDB over the Pod's loopback: no egress to allow.
        ...(db === api
            ? []
            : [
                  policy(
                      names.api,
                      recommendedLabels(APP, "api", names.api),
                      apiPolicySpec({
                          api: api.selector,
                          port: apiPort.targetPort,
                          // The init container's and liveness's connects, and go-demo-2's dial.
                          egress: [{ pods: db.selector, ports: [MONGO_PORT] }],
                          dns,
                          metrics:
                              config.monitoring === "none"
                                  ? undefined
                                  : { port: METRICS_PORT.targetPort, fromNamespace: config.monitoringNamespace },
                      }),
                  ),
              ]),
        policy(
            names.smoke,
            recommendedLabels(names.smoke, "smoke-test", names.smoke),
            egressPolicySpec({ pods: SMOKE_SELECTOR, to: smokeTargets(config, { db, api }, apiPort), dns }),
        ),
    ];
    const defaultDeny = policy(
        names.defaultDeny,
        recommendedLabels(APP, "namespace", names.defaultDeny),
        defaultDenySpec(),
        // Allows first: denying before they exist would cut a running stack off for a moment.
        { dependsOn: allows },
    );
    return [...allows, defaultDeny];
}
