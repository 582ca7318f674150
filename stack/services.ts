/**
 * The stack's Services: each planned Service (plan.ts) as its component, fronting the workload it
 * selects.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    AnyService,
    ClusterIPService,
    ExternalNameService,
    LoadBalancerService,
    NodePortService,
    Workload,
} from "go-demo-2";

import { PlannedService } from "./plan";

/** What every Service of the stack shares: its namespace, its labels, the cluster's DNS domain. */
export interface ServiceBase {
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    clusterDomain: string;
}

/**
 * The component of a planned Service. A selecting Service is created once the workload it fronts
 * is Ready (see serviceWaitFor), and selects exactly that workload's Pods.
 */
function serviceFor(planned: PlannedService, base: ServiceBase, workload?: Workload): AnyService {
    const { name, type } = planned;
    if (type === "ExternalName") {
        return new ExternalNameService(name, { ...base, externalName: planned.externalName ?? "" });
    }
    if (!workload) {
        throw new Error(`the ${type} Service ${name} must front a workload`);
    }
    const args = { ...base, selector: workload.selector, ports: planned.ports, annotations: planned.annotations };
    const opts = { dependsOn: [workload] };
    switch (type) {
        case "ClusterIP":
            return new ClusterIPService(name, args, opts);
        case "NodePort":
            return new NodePortService(name, args, opts);
        case "LoadBalancer":
            return new LoadBalancerService(
                name,
                {
                    ...args,
                    loadBalancerSourceRanges: planned.loadBalancer?.sourceRanges,
                    annotations: planned.loadBalancer?.annotations,
                    addressWaitSeconds: planned.loadBalancer?.addressWaitSeconds,
                },
                opts,
            );
    }
}

/** The Services of a plan, created one by one as the workloads they front come to exist. */
export class StackServices {
    /** Every Service created so far, by its Kubernetes name. */
    public readonly byName: Record<string, AnyService> = {};

    constructor(
        private readonly plan: PlannedService[],
        private readonly base: (name: string, component: string) => ServiceBase,
    ) {}

    /** Creates the planned Service of that name in front of `workload`, if the plan has one. */
    create(name: string, workload?: Workload): AnyService | undefined {
        const planned = this.plan.find((p) => p.name === name);
        if (planned) {
            this.byName[name] = serviceFor(planned, this.base(name, planned.component), workload);
        }
        return this.byName[name];
    }
}
