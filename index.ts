import { loadConfig } from "./config";
import { createStack } from "./stack";

// Every config problem is reported here, before any resource is registered.
const stack = createStack(loadConfig());

export const namespace = stack.namespace;
export const clusterIPs = stack.clusterIPs;
export const nodePorts = stack.nodePorts;
export const dnsNames = stack.dnsNames;
export const loadBalancerIngress = stack.loadBalancerIngress;
export const externalName = stack.externalName;
