/**
 * The rules across keys: what one key's value means for another's. Each problem names the key, its
 * value and what is accepted; all of them are reported together (see parse.ts).
 */
import {
    fractionalCacheSize,
    imageVersion,
    KUBERNETES_NODE_LOSS_TOLERATION_SECONDS,
    quantityBytes,
    supportsHttpInterface,
    unusableMongoImage,
    WHOLE_GB_CACHE_MEMORY_LIMIT,
} from "go-demo-2";

import { PROJECT, show, StackConfig } from "./keys";
import { DB_HTTP_SERVICE } from "./names";

/** The go-demo-2 image the lab uses, on Docker Hub, whatever its tag or digest. */
const OFFICIAL_API_IMAGE = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?vfarcic\/go-demo-2(?:[:@]|$)/;

/** The official mongo image on Docker Hub, whatever its tag or digest. */
const OFFICIAL_MONGO_IMAGE = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?mongo(?:[:@]|$)/;

/**
 * The first tag of each MongoDB line (3.0 to 5.0, what dbImage accepts) whose official image is
 * built for arm64, as github:docker-library/mongo records it (`# bashbrew-architectures:` in each
 * line's Dockerfile, later `versions.json`): commit 757cedc32 (2019-03-29, "Move to Xenial +
 * Bionic (4.1+ only) for more architectures") moved 3.4 (at 3.4.20), 3.6 (3.6.11) and 4.0 (4.0.8)
 * from debian jessie/stretch, whose MongoDB repository is amd64 only, to ubuntu:xenial with
 * `amd64 arm64v8`; 4.2 lists it from 4.2.0 (2f757af6d), 4.4 and 5.0 from their first tag to their
 * last (`ubuntu2004: amd64, arm64v8`); 3.0 to 3.3 never had an Architectures entry (3.3's last
 * Dockerfile, 0e4966760: debian:jessie), so amd64 only. A tag without a patch (`mongo:3.4`) is the
 * line's last build. No line lists arm or ppc64le.
 */
const MONGO_ARM64_FROM: Record<string, number> = { "3.4": 20, "3.6": 11, "4.0": 8, "4.2": 0, "4.4": 0, "5.0": 0 };

/** Whether the official mongo image `ref` is built for `arch`; undefined where its tag names no version. */
function mongoImageHasArch(ref: string, arch: string): boolean | undefined {
    if (arch === "amd64" || !OFFICIAL_MONGO_IMAGE.test(ref)) {
        return true;
    }
    const tag = ref.includes("@") ? null : /:(\d+)\.(\d+)(?:\.(\d+))?[^:/]*$/.exec(ref);
    if (!tag) {
        return undefined;
    }
    const from = arch === "arm64" ? MONGO_ARM64_FROM[`${tag[1]}.${tag[2]}`] : undefined;
    return from !== undefined && (tag[3] === undefined || Number(tag[3]) >= from);
}

/** Every problem of a config whose keys each decoded (or took their default), in the order of the rules. */
export function crossKeyProblems(config: StackConfig): string[] {
    return [...imageProblems(config), ...serviceProblems(config), ...tlsProblems(config), ...storageProblems(config)];
}

/** What the images can run: MongoDB's version against its memory and HTTP interface, both images against the nodes' architectures. */
function imageProblems(config: StackConfig): string[] {
    const problems: string[] = [];
    const unusable = unusableMongoImage(config.dbImage);
    if (unusable !== undefined) {
        problems.push(`${PROJECT}:dbImage = ${show(config.dbImage)}: ${unusable}.`);
    } else if (!fractionalCacheSize(config.dbImage) && quantityBytes(config.dbMemoryLimit) < quantityBytes(WHOLE_GB_CACHE_MEMORY_LIMIT)) {
        problems.push(
            `${PROJECT}:dbMemoryLimit = ${show(config.dbMemoryLimit)}: ${PROJECT}:dbImage = ${show(config.dbImage)} takes ` +
                `--wiredTigerCacheSizeGB only in whole GB, at least 1, and a 1 GB cache is 50% of (memory − 1 GB) only from ` +
                `${WHOLE_GB_CACHE_MEMORY_LIMIT}; set dbMemoryLimit to ${WHOLE_GB_CACHE_MEMORY_LIMIT} or more, or use mongo 3.4 or later.`,
        );
    }
    const foreign = config.nodeArchitectures.filter((a) => a !== "amd64");
    if (OFFICIAL_API_IMAGE.test(config.apiImage) && foreign.length > 0) {
        problems.push(
            `${PROJECT}:nodeArchitectures = ${show(config.nodeArchitectures)}: ${PROJECT}:apiImage = ${show(config.apiImage)} is built ` +
                `for amd64 only (its Dockerfile links /lib/libc.musl-x86_64.so.1), so on ${foreign.join(" or ")} nodes it would fail with ` +
                `"exec format error"; set nodeArchitectures to [amd64], or use a go-demo-2 image built for ${foreign.join(" and ")}.`,
        );
    }
    const dbForeign = config.nodeArchitectures.filter((a) => mongoImageHasArch(config.dbImage, a) === false);
    if (dbForeign.length > 0) {
        problems.push(
            `${PROJECT}:nodeArchitectures = ${show(config.nodeArchitectures)}: ${PROJECT}:dbImage = ${show(config.dbImage)} is not built ` +
                `for ${dbForeign.join(" or ")} (the official mongo image ships arm64 from 3.4.20, 3.6.11 and 4.0.8, and in every 4.2 to 5.0 ` +
                `tag; arm and ppc64le in none), so MongoDB would fail there with "exec format error"; set nodeArchitectures to [amd64], ` +
                `or set dbImage to a tag built for them, such as mongo:3.4.24 (keeps the HTTP interface) or mongo:3.6.23.`,
        );
    }
    if (config.dbHttpInterface && !supportsHttpInterface(config.dbImage)) {
        const which = Array.isArray(imageVersion(config.dbImage))
            ? `${PROJECT}:dbImage = ${show(config.dbImage)} is 3.6 or later`
            : `the version of ${PROJECT}:dbImage = ${show(config.dbImage)} cannot be read from its reference (a digest, or a tag that names no version)`;
        problems.push(
            `${PROJECT}:dbHttpInterface = true: MongoDB 3.6 and later removed --rest/--httpinterface, and ${which}; ` +
                `set dbHttpInterface to false, or use a mongo image whose tag names a version older than 3.6 (such as mongo:3.4).`,
        );
    }
    return problems;
}

/** Keys that shape a Service that the config does not create. */
function serviceProblems(config: StackConfig): string[] {
    const problems: string[] = [];
    if (config.nodePort !== undefined && !config.dbHttpInterface) {
        problems.push(
            `${PROJECT}:nodePort = ${config.nodePort}: only the ${DB_HTTP_SERVICE} NodePort Service uses it, and that ` +
                `Service exists only when ${PROJECT}:dbHttpInterface is true; remove nodePort or enable dbHttpInterface.`,
        );
    }
    if (!config.loadBalancer && config.loadBalancerSourceRanges.length > 0) {
        problems.push(
            `${PROJECT}:loadBalancerSourceRanges = ${show(config.loadBalancerSourceRanges)}: applies only to the ` +
                `LoadBalancer Service, but ${PROJECT}:loadBalancer is false; remove the ranges or enable loadBalancer.`,
        );
    }
    if (!config.loadBalancer && Object.keys(config.loadBalancerAnnotations).length > 0) {
        problems.push(
            `${PROJECT}:loadBalancerAnnotations = ${show(config.loadBalancerAnnotations)}: apply only to the ` +
                `LoadBalancer Service, but ${PROJECT}:loadBalancer is false; remove the annotations or enable loadBalancer.`,
        );
    }
    if (!config.loadBalancer && config.loadBalancerWaitSeconds > 0) {
        problems.push(
            `${PROJECT}:loadBalancerWaitSeconds = ${config.loadBalancerWaitSeconds}: waits for the LoadBalancer Service's ` +
                `address, but ${PROJECT}:loadBalancer is false; remove loadBalancerWaitSeconds or enable loadBalancer.`,
        );
    }
    return problems;
}

/** TLS: what it needs of the other keys, and the keys that need it. */
function tlsProblems(config: StackConfig): string[] {
    const problems: string[] = [];
    if (config.tlsHostname !== undefined && !config.tls) {
        problems.push(
            `${PROJECT}:tlsHostname = ${show(config.tlsHostname)}: names the API's certificate, but ` +
                `${PROJECT}:tls is false; remove tlsHostname or enable tls.`,
        );
    }
    if (config.tlsProxyImage !== undefined && !config.tls) {
        problems.push(
            `${PROJECT}:tlsProxyImage = ${show(config.tlsProxyImage)}: the image of the API's TLS sidecar, but ` +
                `${PROJECT}:tls is false; remove tlsProxyImage or enable tls.`,
        );
    }
    if (config.certManager === "install" && !config.tls) {
        problems.push(
            `${PROJECT}:certManager = "install": cert-manager is installed only to issue the API's certificate, but ` +
                `${PROJECT}:tls is false; remove certManager or enable tls.`,
        );
    }
    if (config.tls && !config.loadBalancer) {
        problems.push(
            `${PROJECT}:tls = true: TLS is served on the API's LoadBalancer Service, but ${PROJECT}:loadBalancer is false; enable loadBalancer.`,
        );
    }

    if (config.tls && config.topology === "combined") {
        problems.push(
            `${PROJECT}:tls = true: TLS is served by a sidecar of the API's own Pods, but ${PROJECT}:topology = "combined"; use the split topology.`,
        );
    }
    return problems;
}

/** MongoDB's Pod and claim, against the topology and each other. */
function storageProblems(config: StackConfig): string[] {
    const problems: string[] = [];
    // Pulumi hands every stack the declared default (Pulumi.yaml), so only another value is a choice.
    if (config.dbNodeLossTolerationSeconds !== KUBERNETES_NODE_LOSS_TOLERATION_SECONDS && config.topology === "combined") {
        problems.push(
            `${PROJECT}:dbNodeLossTolerationSeconds = ${config.dbNodeLossTolerationSeconds}: applies to the split topology's ` +
                `MongoDB Pod, but ${PROJECT}:topology = "combined" runs MongoDB beside the API in every Pod, which ` +
                `${PROJECT}:nodeLossTolerationSeconds governs; use the split topology or remove dbNodeLossTolerationSeconds.`,
        );
    }
    if (config.dbStorageSize !== undefined && config.topology === "combined") {
        problems.push(
            `${PROJECT}:dbStorageSize = ${show(config.dbStorageSize)}: a claim holds one MongoDB's data, but ` +
                `${PROJECT}:topology = "combined" runs a MongoDB in every replica; use the split topology or remove dbStorageSize.`,
        );
    }
    const withoutClaim = (key: string, value: unknown) =>
        `${PROJECT}:${key} = ${show(value)}: applies to MongoDB's claim, but ${PROJECT}:dbStorageSize is unset ` +
        `(the data lives in an emptyDir); set dbStorageSize or remove ${key}.`;
    if (config.dbStorageSize === undefined && config.dbStorageClass !== undefined) {
        problems.push(withoutClaim("dbStorageClass", config.dbStorageClass));
    }
    if (config.dbStorageSize === undefined && config.dbStorageProtected) {
        problems.push(withoutClaim("dbStorageProtected", true));
    }
    return problems;
}
