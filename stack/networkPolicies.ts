/**
 * The namespace's NetworkPolicies: what may reach MongoDB and the API, and a default deny for
 * everything else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiPolicySpec, APP, dbPolicySpec, defaultDenyIngressSpec, forcedApply, recommendedLabels } from "go-demo-2";

import { StackConfig } from "../config";
import { METRICS_PORT } from "./monitoring";
import { names } from "./names";
import { StackPlan } from "./plan";
import { Workloads } from "./workloads";

/** Creates the allows, then the default deny that depends on them; returns all of them. */
export function createNetworkPolicies(
    config: StackConfig,
    namespace: pulumi.Input<string>,
    { db, api }: Workloads,
    apiPort: StackPlan["apiPort"],
): k8s.networking.v1.NetworkPolicy[] {
    const policy = (name: string, labels: Record<string, string>, spec: k8s.types.input.networking.v1.NetworkPolicySpec, opts?: pulumi.CustomResourceOptions) =>
        new k8s.networking.v1.NetworkPolicy(name, { metadata: { name, namespace, labels, annotations: forcedApply() }, spec }, opts);
    const allows = [
        policy(
            names.db,
            recommendedLabels("mongodb", "database", names.db),
            dbPolicySpec({ db: db.selector, api: api.selector, httpInterface: config.dbHttpInterface, servesApi: db === api }),
        ),
        // In the lab's combined Pod the DB policy above already opens the API's port.
        ...(db === api
            ? []
            : [
                  policy(
                      names.api,
                      recommendedLabels(APP, "api", names.api),
                      apiPolicySpec({
                          api: api.selector,
                          port: apiPort.targetPort,
                          metrics:
                              config.monitoring === "none"
                                  ? undefined
                                  : { port: METRICS_PORT.targetPort, fromNamespace: config.monitoringNamespace },
                      }),
                  ),
              ]),
    ];
    const defaultDeny = policy(
        names.defaultDeny,
        recommendedLabels(APP, "namespace", names.defaultDeny),
        defaultDenyIngressSpec(),
        // Allows first: denying before they exist would cut a running stack off for a moment.
        { dependsOn: allows },
    );
    return [...allows, defaultDeny];
}
