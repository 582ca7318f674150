/**
 * The go-demo-2 components: the Kubernetes Services lab (the go-demo-2 API and MongoDB) as
 * reusable Pulumi components. This file is the package's whole public surface; every other
 * export of the package's files is internal and may change in any release.
 *
 * - One component per Service type, sharing one spec builder: ClusterIPService, NodePortService,
 *   LoadBalancerService, ExternalNameService.
 * - The workloads: MongoDb, GoDemo2Api, and the lab's CombinedBackend (both in one Pod).
 * - The facts the components' arguments follow (ports, the lab's selectors, MongoDB image rules),
 *   and the NetworkPolicy specs that let exactly the components' traffic in and out.
 */
export { ClusterIPService, DEFAULT_CLUSTER_DOMAIN, ExternalNameService, LoadBalancerService, noAddressWarning, NodePortService, serviceDnsName } from "./services";
export type { AnyService, ExternalNameServiceArgs, LoadBalancerServiceArgs, SelectingServiceArgs, ServiceArgs } from "./services";
export { buildServiceSpec, DEFAULT_ADDRESS_WAIT_SECONDS, NODE_PORT_RANGE, SERVICE_TYPES, validateServiceSpec } from "./serviceSpec";
export type { ServicePort, ServiceSpecArgs, ServiceType } from "./serviceSpec";

export { API_PORT, DB_RELEASE_ANNOTATION, GoDemo2Api } from "./api";
export type { ApiContainerArgs, GoDemo2ApiArgs } from "./api";
export {
    DEFAULT_DB_MEMORY_LIMIT,
    fractionalCacheSize,
    MONGO_HTTP_PORT,
    MONGO_PORT,
    mongoClaimName,
    MongoDb,
    supportsHttpInterface,
    unusableMongoImage,
    WHOLE_GB_CACHE_MEMORY_LIMIT,
} from "./mongodb";
export type { MongoContainer, MongoDbArgs, MongoStorage } from "./mongodb";
export { CombinedBackend } from "./combined";
export type { CombinedBackendArgs } from "./combined";
export type { Workload, WorkloadComponentArgs } from "./workload";
export { TLS_PORT, TLS_PROXY_IMAGE } from "./tls";

export { APP, recommendedLabels, selectors } from "./labels";
export { forcedApply, PATCH_FORCE_ANNOTATION } from "./forcedApply";
export type { Selector } from "./labels";
export { imageVersion } from "./imageVersion";
export { DEFAULT_ARCHITECTURES, DEFAULT_NODE_LOSS_TOLERATION_SECONDS, KUBERNETES_NODE_LOSS_TOLERATION_SECONDS, NODE_TOPOLOGY_KEY } from "./placement";
export { apiPolicySpec, CLUSTER_DNS, dbPolicySpec, defaultDenyIngressSpec, defaultDenySpec, DNS_PORT, egressPolicySpec, egressRules } from "./networkPolicy";
export type { ApiPolicyArgs, DbPolicyArgs, DnsPeer, EgressPolicyArgs, EgressTarget } from "./networkPolicy";
export { contentHash, TEMPLATE_HASH_LABEL } from "./templateHash";
export { ANNOTATION_PREFIX, PACKAGE, typeToken } from "./package";
export { MEMORY_QUANTITY, memoryBytes, quantityBytes, STORAGE_QUANTITY } from "./quantity";
