import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { supportsHttpInterface } from "../../components/mongodb";
import { ConfigError, loadConfig, parseConfig, StackConfig } from "../../config";
import { STACKS, stackFileConfig } from "../../tools/project/stackFiles";
import { projectConfigDeclarations, stackFileContext } from "../support/projectFiles";
import { problemsFor } from "../support/config";

/** The problems parseConfig reports for `raw`; fails the test if it accepts it. */
function problems(raw: Record<string, string>): string[] {
    try {
        parseConfig(raw, "dev");
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("parseConfig defaults", () => {
    it("gives the split topology with 3 API replicas and a namespace per stack", () => {
        expect(parseConfig({}, "staging")).toEqual<StackConfig>({
            namespace: "go-demo-2-staging",
            topology: "split",
            replicas: 3,
            dbImage: "mongo:3.3",
            dbHttpInterface: true,
            apiImage: "vfarcic/go-demo-2",
            nodePort: undefined,
            loadBalancer: true,
            loadBalancerSourceRanges: [],
            clusterDnsAddresses: [],
            loadBalancerAnnotations: {},
            loadBalancerWaitSeconds: 0,
            externalName: "kubernetes.io",
            clusterDomain: "cluster.local",
            tls: false,
            certManager: "existing",
            tlsHostname: undefined,
            tlsProxyImage: undefined,
            rolloutTimeoutSeconds: 300,
            dbStorageSize: undefined,
            dbStorageClass: undefined,
            dbStorageProtected: false,
            nodeLossTolerationSeconds: 30,
            dbMemoryLimit: "512Mi",
            dbNodeLossTolerationSeconds: 300,
            nodeArchitectures: ["amd64"],
            nodeSelector: {},
            tolerateTaints: [],
            acknowledgeDataLoss: undefined,
            guardAddresses: false,
            acknowledgeAddressChanges: undefined,
            monitoring: "none",
            monitoringNamespace: "monitoring",
        });
    });

    it("reads nodeSelector and tolerateTaints, the placement on the local cluster's real node", () => {
        const c = parseConfig({ nodeSelector: '{"go-demo-2.local/real-node":"true"}', tolerateTaints: '["go-demo-2.local/real-node"]' }, "dev");
        expect(c.nodeSelector).toEqual({ "go-demo-2.local/real-node": "true" });
        expect(c.tolerateTaints).toEqual(["go-demo-2.local/real-node"]);
        expect(() => parseConfig({ tolerateTaints: '["not a key"]' }, "dev")).toThrow(/expected a label or taint key/);
    });

    it("defaults to 2 replicas for the combined topology, as the lab does", () => {
        expect(parseConfig({ topology: "combined" }, "lab").replicas).toBe(2);
    });

    it("decodes integers, booleans and lists from the strings Pulumi passes", () => {
        const c = parseConfig(
            {
                replicas: "5",
                nodePort: "30001",
                loadBalancer: "true",
                loadBalancerSourceRanges: '["10.0.0.0/8","2001:db8::/32"]',
            },
            "dev",
        );
        expect(c.replicas).toBe(5);
        expect(c.nodePort).toBe(30001);
        expect(c.loadBalancerSourceRanges).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    });
});

describe("parseConfig validation", () => {
    it.each([
        ["namespace", "Go_Demo", "DNS-1123 label"],
        ["namespace", "a".repeat(64), "at most 63"],
        ["topology", "mesh", "expected split or combined"],
        ["replicas", "0", "from 1 to 100"],
        ["replicas", "three", "from 1 to 100"],
        ["replicas", "2.5", "from 1 to 100"],
        ["dbImage", "mongo:", "container image reference"],
        ["dbImage", "Mongo 3.3", "container image reference"],
        ["dbHttpInterface", "yes", "expected true or false"],
        ["apiImage", "", "container image reference"],
        ["nodePort", "29999", "from 30000 to 32767"],
        ["nodePort", "32768", "from 30000 to 32767"],
        ["loadBalancer", "1", "expected true or false"],
        ["loadBalancerSourceRanges", "10.0.0.0/8", "list of strings"],
        ["loadBalancerWaitSeconds", "-1", "from 0 to 3600"],
        ["loadBalancerWaitSeconds", "3601", "from 0 to 3600"],
        ["loadBalancerWaitSeconds", "true", "from 0 to 3600"],
        ["externalName", "https://kubernetes.io", "DNS name"],
        // The API server strips one trailing dot before it checks the name, never two.
        ["externalName", "kubernetes.io..", "fully qualified, kubernetes.io."],
        ["externalName", ".", "DNS name"],
        ["externalName", "Kubernetes.io", "DNS name"],
        ["clusterDomain", "cluster.local.", "DNS name"],
        ["clusterDomain", "Cluster_Local", "DNS name"],
        ["loadBalancerAnnotations", '["internal"]', "map of annotation names to strings"],
        ["loadBalancerAnnotations", "internal", "map of annotation names to strings"],
        ["certManager", "helm", "expected existing (the cluster already runs cert-manager) or install"],
        ["certManager", "Existing", "expected existing"],
        ["tls", "on", "expected true or false"],
        ["rolloutTimeoutSeconds", "9", "from 10 to 3600"],
        ["rolloutTimeoutSeconds", "3601", "from 10 to 3600"],
        ["rolloutTimeoutSeconds", "5m", "from 10 to 3600"],
        ["dbStorageSize", "0Gi", "storage size such as 10Gi"],
        ["dbStorageSize", "1.5Gi", "storage size such as 10Gi"],
        ["dbStorageSize", "10GB", "storage size such as 10Gi"],
        ["dbStorageSize", "-1Gi", "storage size such as 10Gi"],
        ["nodeLossTolerationSeconds", "-1", "from 0 to 3600"],
        ["nodeLossTolerationSeconds", "3601", "from 0 to 3600"],
        ["nodeLossTolerationSeconds", "30s", "from 0 to 3600"],
        ["dbMemoryLimit", "511Mi", "from 512Mi to 1024Gi"],
        ["dbMemoryLimit", "1025Gi", "from 512Mi to 1024Gi"],
        ["dbMemoryLimit", "512M", "whole Mi or Gi"],
        ["dbMemoryLimit", "1.5Gi", "whole Mi or Gi"],
        ["dbMemoryLimit", "0Gi", "whole Mi or Gi"],
        ["dbNodeLossTolerationSeconds", "-1", "from 0 to 3600"],
        ["dbNodeLossTolerationSeconds", "3601", "from 0 to 3600"],
        ["dbNodeLossTolerationSeconds", "5m", "from 0 to 3600"],
        ["monitoring", "prometheus", "expected none, annotations (prometheus.io/* on a metrics Service) or serviceMonitor"],
        ["monitoring", "ServiceMonitor", "expected none, annotations"],
        ["monitoringNamespace", "Monitoring", "namespace name (DNS-1123 label)"],
        ["monitoringNamespace", "a".repeat(64), "at most 63"],
    ])("rejects %s = %j naming the key, the value and what is accepted", (key, value, accepted) => {
        const found = problems({ [key]: value });
        expect(found).toHaveLength(1);
        expect(found[0]).toContain(`go-demo-2:${key} = ${JSON.stringify(value)}`);
        expect(found[0]).toContain(accepted);
    });

    it.each([
        ['{"service.beta.kubernetes.io/azure-load-balancer-internal":true}', "azure-load-balancer-internal", "expected a string value"],
        ['{"bad key":"x"}', "bad key", "expected an annotation name"],
        ['{"/internal":"x"}', "/internal", "expected an annotation name"],
        ['{"example.com/' + "n".repeat(64) + '":"x"}', "n".repeat(64), "expected an annotation name"],
        ['{"pulumi.com/skipAwait":"true"}', "pulumi.com/skipAwait", "the stack's own"],
    ])("names the bad entry of loadBalancerAnnotations %s", (value, key, accepted) => {
        const found = problems({ loadBalancerAnnotations: value });
        expect(found).toHaveLength(1);
        expect(found[0]).toContain("go-demo-2:loadBalancerAnnotations = {");
        expect(found[0]).toContain(key);
        expect(found[0]).toContain(accepted);
    });

    it("names the bad item of a list", () => {
        const [p] = problems({ loadBalancerSourceRanges: '["10.0.0.0/8","10.0.0.0/33"]' });
        expect(p).toContain('go-demo-2:loadBalancerSourceRanges = "10.0.0.0/33" (item 1)');
        expect(p).toContain("CIDR");
    });

    it.each([
        [{ nodePort: "30000" }],
        [{ nodePort: "32767" }],
        [{ replicas: "1" }],
        [{ replicas: "100" }],
        [{ dbHttpInterface: "false", dbImage: "mongo:4.4" }],
        [{ dbImage: "mongo:3.5.13" }],
        [{ dbImage: "registry.example.com:5000/db/mongo:3.4@sha256:" + "a".repeat(64), dbHttpInterface: "false" }],
        [{ namespace: "a".repeat(63) }],
        [{ loadBalancerSourceRanges: "[]" }],
        [{ externalName: "kubernetes.io." }],
        [{ externalName: "localhost" }],
        [{ clusterDomain: "k8s.example.internal" }],
        [{ loadBalancerAnnotations: "{}" }],
        [{ loadBalancerAnnotations: '{"service.beta.kubernetes.io/aws-load-balancer-scheme":"internal","internal":""}' }],
        [{ loadBalancerWaitSeconds: "0" }],
        [{ loadBalancerWaitSeconds: "3600" }],
        // 0 is the default, and waits for nothing a ClusterIP API lacks.
        [{ loadBalancer: "false", loadBalancerWaitSeconds: "0" }],
        [{ tls: "true", certManager: "install" }],
        [{ tls: "true", certManager: "existing" }],
        // The project-wide default reaches every stack, with or without TLS.
        [{ tls: "false", certManager: "existing" }],
        [{ tls: "true", tlsHostname: "api.example.com" }],
        [{ tls: "true", tlsProxyImage: "registry.example.com/mirror/ghostunnel:v1.8.4" }],
        [{ rolloutTimeoutSeconds: "10" }],
        [{ rolloutTimeoutSeconds: "3600" }],
        [{ dbStorageSize: "1" }],
        [{ dbStorageSize: "512Mi", dbStorageClass: "fast.ssd", dbStorageProtected: "true" }],
        [{ dbStorageProtected: "false" }],
        [{ nodeLossTolerationSeconds: "0" }],
        [{ nodeLossTolerationSeconds: "3600" }],
        [{ dbMemoryLimit: "512Mi" }],
        [{ dbMemoryLimit: "1024Gi" }],
        [{ dbNodeLossTolerationSeconds: "0" }],
        [{ dbNodeLossTolerationSeconds: "3600" }],
        // Pulumi hands the declared default to every stack, the lab's combined one included.
        [{ topology: "combined", dbNodeLossTolerationSeconds: "300" }],
        // The MongoDB lines the API can use, 3.0 to 5.0, and images whose version cannot be read.
        [{ dbImage: "mongo:3.0", dbMemoryLimit: "3Gi" }],
        [{ dbImage: "mongo:3.3.5" }],
        [{ dbImage: "mongo:5.0", dbHttpInterface: "false" }],
        [{ dbImage: "mongo:5.0.31", dbHttpInterface: "false" }],
        [{ dbImage: "registry.example.com/mongo:5.0-focal", dbHttpInterface: "false" }],
        [{ dbImage: "mongo:custom-build", dbHttpInterface: "false" }],
        // A whole-GB cache (3.0–3.3.4) from 3Gi on.
        [{ dbImage: "mongo:3.2", dbMemoryLimit: "3Gi" }],
        [{ dbImage: "mongo:3.3.4", dbMemoryLimit: "3072Mi" }],
    ])("accepts the edge-valid %j", (raw) => {
        expect(() => parseConfig(raw, "dev")).not.toThrow();
    });

    it("reports every problem at once", () => {
        const found = problems({ replicas: "0", nodePort: "1", topology: "ring", externalName: "-bad-" });
        expect(found.map((p) => p.split(" = ")[0]).sort()).toEqual([
            "go-demo-2:externalName",
            "go-demo-2:nodePort",
            "go-demo-2:replicas",
            "go-demo-2:topology",
        ]);
    });

    it("reports a bad monitoring mode and scraper namespace together with the rest", () => {
        const found = problems({ monitoring: "prom", monitoringNamespace: "kube_prometheus", replicas: "0" });
        expect(found).toEqual([
            expect.stringMatching(/^go-demo-2:monitoring = "prom": expected none, annotations .* or serviceMonitor/),
            expect.stringMatching(/^go-demo-2:monitoringNamespace = "kube_prometheus": expected a namespace name \(DNS-1123 label\)/),
            expect.stringMatching(/^go-demo-2:replicas = "0"/),
        ]);
    });

    it("decodes every monitoring mode and a scraper namespace", () => {
        for (const mode of ["none", "annotations", "serviceMonitor"] as const) {
            expect(parseConfig({ monitoring: mode, monitoringNamespace: "observability" }, "dev")).toMatchObject({
                monitoring: mode,
                monitoringNamespace: "observability",
            });
        }
    });

    it("rejects an unknown key and suggests the nearest known one", () => {
        const [p] = problems({ replica: "3" });
        expect(p).toContain("go-demo-2:replica");
        expect(p).toContain("unknown key");
        expect(p).toContain("Did you mean go-demo-2:replicas?");
    });

    it("rejects an unknown key far from any known one without a misleading suggestion", () => {
        const [p] = problems({ colour: "blue" });
        expect(p).toContain("unknown key");
        expect(p).not.toContain("Did you mean");
    });

    it.each([
        ['["arm64"]', "vfarcic/go-demo-2"],
        ['["amd64","arm64"]', "docker.io/vfarcic/go-demo-2:2.0"],
    ])("rejects nodeArchitectures %s with the amd64-only %s, naming both keys and the way out", (archs, apiImage) => {
        const [p, ...others] = problems({ nodeArchitectures: archs, apiImage, dbImage: "mongo:3.4.24" });
        expect(others).toEqual([]);
        expect(p).toContain(`go-demo-2:nodeArchitectures = ${archs}`);
        expect(p).toContain(`go-demo-2:apiImage = "${apiImage}" is built for amd64 only`);
        expect(p).toContain("set nodeArchitectures to [amd64], or use a go-demo-2 image built for arm64");
    });

    it("accepts arm64 with another API image and a mongo tag built for arm64", () => {
        expect(parseConfig({ nodeArchitectures: '["arm64"]', apiImage: "registry.example.com/go-demo-2:2.0", dbImage: "mongo:3.4.24" }, "dev").nodeArchitectures).toEqual(["arm64"]);
    });

    it("rejects arm64 with the default mongo:3.3 (amd64 only), naming the key, the value and the tags that would run", () => {
        const [p, ...others] = problems({ nodeArchitectures: '["arm64"]', apiImage: "registry.example.com/go-demo-2:2.0" });
        expect(others).toEqual([]);
        expect(p).toBe(
            'go-demo-2:nodeArchitectures = ["arm64"]: go-demo-2:dbImage = "mongo:3.3" is not built for arm64 (the official mongo image ' +
                "ships arm64 from 3.4.20, 3.6.11 and 4.0.8, and in every 4.2 to 5.0 tag; arm and ppc64le in none), so MongoDB would fail " +
                'there with "exec format error"; set nodeArchitectures to [amd64], or set dbImage to a tag built for them, such as ' +
                "mongo:3.4.24 (keeps the HTTP interface) or mongo:3.6.23.",
        );
    });

    it("reports the API image and the mongo image together on arm64 with both defaults", () => {
        const found = problems({ nodeArchitectures: '["amd64","arm64"]' });
        expect(found.map((p) => /go-demo-2:(apiImage|dbImage) = "[^"]+" is/.exec(p)?.[1])).toEqual(["apiImage", "dbImage"]);
    });

    it.each([
        ["mongo:3.4.19", false],
        ["mongo:3.4.20", true],
        ["mongo:3.4", true],
        ["docker.io/library/mongo:3.6.10", false],
        ["mongo:3.6.23", true],
        ["mongo:4.0.7", false],
        ["mongo:4.0.8", true],
        ["mongo:4.2.0", true],
        ["mongo:5.0.33", true],
        ["mongo:3.3.15", false],
        ["registry.example.com/mongo:3.3", true],
    ])("arm64 with dbImage %s: accepted %s", (dbImage, accepted) => {
        const raw = { nodeArchitectures: '["arm64"]', apiImage: "registry.example.com/go-demo-2:2.0", dbImage, dbHttpInterface: "false" };
        if (accepted) {
            expect(parseConfig(raw, "dev").dbImage).toBe(dbImage);
        } else {
            expect(problems(raw)).toEqual([expect.stringContaining(`go-demo-2:dbImage = "${dbImage}" is not built for arm64`)]);
        }
    });

    it("rejects arm with every official mongo tag, and leaves a digest unjudged", () => {
        expect(problems({ nodeArchitectures: '["arm"]', apiImage: "registry.example.com/go-demo-2:2.0", dbImage: "mongo:4.4", dbHttpInterface: "false" })[0]).toContain(
            'go-demo-2:dbImage = "mongo:4.4" is not built for arm',
        );
        const digest = "mongo@sha256:" + "a".repeat(64);
        expect(() => parseConfig({ nodeArchitectures: '["arm64"]', apiImage: "registry.example.com/go-demo-2:2.0", dbImage: digest, dbHttpInterface: "false" }, "dev")).not.toThrow();
    });

    it.each([
        ['["x86_64"]', "expected architectures as nodes label them (kubernetes.io/arch): amd64, arm64, arm, ppc64le, s390x"],
        ["[]", "expected at least one architecture"],
    ])("rejects nodeArchitectures %s", (archs, message) => {
        expect(problems({ nodeArchitectures: archs }).join("\n")).toContain(message);
    });

    it("rejects the HTTP interface on MongoDB 3.6 and later", () => {
        const [p] = problems({ dbImage: "mongo:4.4" });
        expect(p).toContain("go-demo-2:dbHttpInterface = true");
        expect(p).toContain('go-demo-2:dbImage = "mongo:4.4" is 3.6 or later');
    });

    it.each(["mongo@sha256:" + "0".repeat(64), "mongo:custom-build"])(
        "rejects the HTTP interface on %s, whose version cannot be read, rather than guess",
        (image) => {
            const [p, ...others] = problems({ dbImage: image });
            expect(others).toEqual([]);
            expect(p).toContain("go-demo-2:dbHttpInterface = true");
            expect(p).toContain(`go-demo-2:dbImage = ${JSON.stringify(image)} cannot be read from its reference`);
            expect(p).toContain("set dbHttpInterface to false");
        },
    );

    it.each([
        ["mongo:5.1", "MongoDB 5.1 is newer than 5.0"],
        ["mongo:6.0", "MongoDB 6.0 is newer than 5.0"],
        ["mongo:7.0.12", "MongoDB 7.0 is newer than 5.0"],
        ["mongo:8.0", "MongoDB 8.0 is newer than 5.0"],
        ["mongo", "an untagged or latest image is a current MongoDB, which is newer than 5.0"],
        ["mongo:latest", "an untagged or latest image is a current MongoDB, which is newer than 5.0"],
        ["registry.example.com:5000/db/mongo", "an untagged or latest image"],
    ])("rejects dbImage %s, which the API cannot talk to, naming the limit and the reason", (image, why) => {
        const [p, ...others] = problems({ dbImage: image, dbHttpInterface: "false" });
        expect(others).toEqual([]);
        expect(p).toContain(`go-demo-2:dbImage = ${JSON.stringify(image)}: ${why}`);
        expect(p).toContain("the last line the API can talk to: go-demo-2's mgo driver sends every command as OP_QUERY");
        expect(p).toContain("MongoDB rejects from 5.1 on; use a mongo image from 3.0 to 5.0");
    });

    it("rejects a MongoDB older than 3.0, which has no WiredTiger cache to size", () => {
        const [p] = problems({ dbImage: "mongo:2.6" });
        expect(p).toContain('go-demo-2:dbImage = "mongo:2.6": MongoDB 2.6 is older than 3.0');
        expect(p).toContain("--wiredTigerCacheSizeGB");
    });

    it.each([
        [{ dbImage: "mongo:3.2" }, '"512Mi"'],
        [{ dbImage: "mongo:3.0", dbMemoryLimit: "3071Mi" }, '"3071Mi"'],
        [{ dbImage: "mongo:3.3.4", dbMemoryLimit: "2Gi" }, '"2Gi"'],
    ])("rejects %j: a whole-GB cache of at least 1 needs a 3Gi limit", (raw, limit) => {
        const [p] = problems(raw);
        expect(p).toContain(`go-demo-2:dbMemoryLimit = ${limit}: go-demo-2:dbImage = "${raw.dbImage}" takes --wiredTigerCacheSizeGB only in whole GB`);
        expect(p).toContain("set dbMemoryLimit to 3Gi or more, or use mongo 3.4 or later");
    });

    it("rejects dbNodeLossTolerationSeconds in the combined topology, whose Pods the API's toleration governs", () => {
        const [p] = problems({ topology: "combined", dbNodeLossTolerationSeconds: "60" });
        expect(p).toContain("go-demo-2:dbNodeLossTolerationSeconds = 60");
        expect(p).toContain("nodeLossTolerationSeconds governs");
    });

    it("rejects a nodePort for a go-demo-2-svc that does not exist", () => {
        const [p] = problems({ dbHttpInterface: "false", dbImage: "mongo:4.4", nodePort: "30001" });
        expect(p).toContain("go-demo-2:nodePort = 30001");
        expect(p).toContain("dbHttpInterface");
    });

    it("rejects source ranges without a load balancer", () => {
        const [p] = problems({ loadBalancer: "false", loadBalancerSourceRanges: '["10.0.0.0/8"]' });
        expect(p).toContain("go-demo-2:loadBalancerSourceRanges");
        expect(p).toContain("go-demo-2:loadBalancer is false");
    });

    it("rejects load-balancer annotations without a load balancer", () => {
        const [p] = problems({ loadBalancer: "false", loadBalancerAnnotations: '{"networking.gke.io/load-balancer-type":"Internal"}' });
        expect(p).toContain("go-demo-2:loadBalancerAnnotations");
        expect(p).toContain("go-demo-2:loadBalancer is false");
    });

    it("rejects a load-balancer wait without a load balancer", () => {
        const [p] = problems({ loadBalancer: "false", loadBalancerWaitSeconds: "60" });
        expect(p).toContain("go-demo-2:loadBalancerWaitSeconds = 60");
        expect(p).toContain("go-demo-2:loadBalancer is false");
    });

    it.each([
        [{ tlsHostname: "api.example.com" }, "go-demo-2:tlsHostname"],
        [{ tlsProxyImage: "ghostunnel/ghostunnel:v1.8.4" }, 'go-demo-2:tlsProxyImage = "ghostunnel/ghostunnel:v1.8.4": the image of the API\'s TLS sidecar, but go-demo-2:tls is false'],
        [{ tls: "true", loadBalancer: "false" }, "go-demo-2:loadBalancer is false"],
        [{ tls: "true", topology: "combined" }, 'go-demo-2:topology = "combined"'],
        [{ certManager: "install" }, 'go-demo-2:certManager = "install": cert-manager is installed only to issue the API\'s certificate, but go-demo-2:tls is false'],
    ])("rejects the TLS combination %j", (raw, named) => {
        expect(problems(raw).join("\n")).toContain(named);
    });

    it.each([
        [{ topology: "combined", dbStorageSize: "1Gi" }, 'go-demo-2:dbStorageSize = "1Gi"', "split topology"],
        [{ dbStorageClass: "standard" }, 'go-demo-2:dbStorageClass = "standard"', "dbStorageSize is unset"],
        [{ dbStorageProtected: "true" }, "go-demo-2:dbStorageProtected = true", "dbStorageSize is unset"],
    ])("rejects the storage combination %j", (raw, named, why) => {
        const [p] = problems(raw);
        expect(p).toContain(named);
        expect(p).toContain(why);
    });

    it("is a RunError, so Pulumi prints it without a stack trace, headed by the stack and the count", () => {
        expect(() => parseConfig({ replicas: "0" }, "dev")).toThrow(pulumi.RunError);
        expect(() => parseConfig({ replicas: "0", topology: "x" }, "dev")).toThrow(
            /^Invalid configuration for stack dev \(2 problems\):\n {2}- go-demo-2:/,
        );
    });
});

describe("supportsHttpInterface", () => {
    it.each([
        ["mongo:3.3", true],
        ["mongo:3.5", true],
        ["mongo:3.6", false],
        ["mongo:3.6.23", false],
        ["mongo:4.4", false],
        ["mongo", false],
        ["mongo:latest", false],
        ["localhost:5000/mongo", false],
        // Unreadable: no guess that would give a 3.6+ mongod an option it rejects.
        ["mongo@sha256:" + "0".repeat(64), false],
        ["mongo:3.4@sha256:" + "0".repeat(64), false],
        ["mongo:custom-build", false],
    ])("%s → %s", (image, expected) => {
        expect(supportsHttpInterface(image)).toBe(expected);
    });
});

describe("stack files", () => {
    it("lab is the lab's combined ReplicaSet with 2 replicas and MongoDB's HTTP interface", () => {
        expect(parseConfig(stackFileConfig("lab"), "lab")).toMatchObject({
            namespace: "go-demo-2-lab",
            topology: "combined",
            replicas: 2,
            dbImage: "mongo:3.3",
            dbHttpInterface: true,
            tls: false,
        });
    });

    it("dev splits API and DB, 3 API replicas", () => {
        expect(parseConfig(stackFileConfig("dev"), "dev")).toMatchObject({
            namespace: "go-demo-2-dev",
            topology: "split",
            replicas: 3,
            dbHttpInterface: true,
            loadBalancer: true,
            externalName: "kubernetes.io",
            tls: false,
        });
    });

    it("dev keeps MongoDB's data on an unprotected claim of the cluster's default class", () => {
        expect(parseConfig(stackFileConfig("dev"), "dev")).toMatchObject({
            dbStorageSize: "1Gi",
            dbStorageClass: undefined,
            dbStorageProtected: false,
            nodeLossTolerationSeconds: 30,
            // MongoDB keeps Kubernetes' 300 s: its claim cannot follow it off a lost node sooner.
            dbNodeLossTolerationSeconds: 300,
            dbMemoryLimit: "512Mi",
        });
    });

    it("lab and dev, the stacks run on kind and minikube, do not wait for a load-balancer address; prod, for a cloud, does", () => {
        expect(parseConfig(stackFileConfig("lab"), "lab").loadBalancerWaitSeconds).toBe(0);
        expect(parseConfig(stackFileConfig("dev"), "dev").loadBalancerWaitSeconds).toBe(0);
        expect(parseConfig(stackFileConfig("prod"), "prod").loadBalancerWaitSeconds).toBe(300);
    });

    it("prod is bound to its cluster's context; lab and dev deploy to the current one (kind, minikube, the local cluster)", () => {
        expect(stackFileContext("prod")).toBe("go-demo-2-prod");
        expect(stackFileContext("lab")).toBeUndefined();
        expect(stackFileContext("dev")).toBeUndefined();
    });

    it("lab keeps the lab's emptyDir", () => {
        expect(parseConfig(stackFileConfig("lab"), "lab").dbStorageSize).toBeUndefined();
    });

    it("prod pins images, hides the DB's HTTP interface, limits the LB, serves TLS and protects its data", () => {
        const prod = parseConfig(stackFileConfig("prod"), "prod");
        expect(prod).toMatchObject({ dbHttpInterface: false, tls: true, topology: "split", dbStorageProtected: true });
        expect(prod.dbStorageSize).toBeDefined();
        expect(prod.apiImage).toMatch(/:[0-9][\w.-]*$/);
        expect(prod.dbImage).toMatch(/:[0-9][\w.-]*$/);
        expect(prod.loadBalancerSourceRanges.length).toBeGreaterThan(0);
        // cert-manager is the platform's: prod requires it and never installs it.
        expect(prod.certManager).toBe("existing");
    });

    it.each(STACKS)("%s is valid with the declared defaults Pulumi hands every stack", (stack) => {
        const defaults = Object.fromEntries(
            Object.entries(projectConfigDeclarations()).map(([key, d]) => [key, typeof d.default === "string" ? d.default : JSON.stringify(d.default)]),
        );
        expect(() => parseConfig({ ...defaults, ...stackFileConfig(stack) }, stack)).not.toThrow();
    });

    it("Pulumi.yaml declares every key with a fixed default, with the program's default", () => {
        const declared = projectConfigDeclarations();
        const defaults = parseConfig({}, "any");
        const otherDefaults = parseConfig({ topology: "combined" }, "other");
        for (const key of Object.keys(defaults) as (keyof StackConfig)[]) {
            const fixed = defaults[key] !== undefined && JSON.stringify(defaults[key]) === JSON.stringify(otherDefaults[key]);
            // Project config has no map type: a map-valued key stays undeclared.
            const map = typeof defaults[key] === "object" && !Array.isArray(defaults[key]);
            if (key === "topology") {
                expect(declared[key].default).toBe("split");
            } else if (fixed && !map) {
                expect([key, declared[key]?.default]).toEqual([key, defaults[key]]);
            } else {
                // Declared without a default, Pulumi would make the key required.
                expect([key, declared[key]]).toEqual([key, undefined]);
            }
        }
        expect(Object.keys(declared).every((key) => key in defaults)).toBe(true);
    });
});

describe("loadConfig", () => {
    const kubeconfigEnv = process.env.KUBECONFIG;
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-config-test-"));
        process.env.KUBECONFIG = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            process.env.KUBECONFIG,
            "current-context: kind-kind\ncontexts:\n- name: kind-kind\n  context: {cluster: kind-kind}\n" +
                "clusters:\n- name: kind-kind\n  cluster: {server: 'https://127.0.0.1:6443'}\n",
        );
    });
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        process.env.KUBECONFIG = kubeconfigEnv;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads only the project's keys from the engine's config", () => {
        pulumi.runtime.setAllConfig({
            "go-demo-2:replicas": "4",
            "kubernetes:context": "kind-kind",
        });
        const info = jest.spyOn(pulumi.log, "info").mockResolvedValue();
        expect(loadConfig().replicas).toBe(4);
        // and says, in the engine's output, where the stack deploys
        expect(info.mock.calls).toEqual([[expect.stringMatching(/^deploying to context "kind-kind" \(server https:\/\/127\.0\.0\.1:6443\) of KUBECONFIG=/)]]);
        info.mockRestore();
    });

    it("reports a typo under the project's namespace", () => {
        pulumi.runtime.setAllConfig({ "go-demo-2:nodeport": "30001" });
        expect(() => loadConfig()).toThrow(/go-demo-2:nodeport .*Did you mean go-demo-2:nodePort\?/s);
    });

    it("reports a context the kubeconfig lacks together with the project's problems", () => {
        pulumi.runtime.setAllConfig({ "kubernetes:context": "go-demo-2-prod", "go-demo-2:replicas": "0" });
        expect(() => loadConfig()).toThrow(ConfigError);
        try {
            loadConfig();
        } catch (e) {
            const [context, replicas, ...rest] = (e as ConfigError).problems;
            expect(context).toContain(`kubernetes:context = "go-demo-2-prod": the stack deploys only to this kubeconfig context, but KUBECONFIG=${process.env.KUBECONFIG} has no such context; its current context is "kind-kind" (server https://127.0.0.1:6443)`);
            expect(replicas).toContain("go-demo-2:replicas");
            expect(rest).toEqual([]);
        }
    });

    it("checks no cluster while rendering manifests, which needs none", () => {
        pulumi.runtime.setAllConfig({ "kubernetes:context": "go-demo-2-prod", "kubernetes:renderYamlToDirectory": "/tmp/rendered" });
        expect(() => loadConfig()).not.toThrow();
    });
});

// Properties (fast-check generates the inputs and shrinks a failure to its smallest case).
describe("the config decoders", () => {
    it("take exactly the integers in range for replicas (1–100), naming the key and the value otherwise", () => {
        fc.assert(
            fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
                const problems = problemsFor("replicas", String(n));
                if (n >= 1 && n <= 100) {
                    expect(problems).toEqual([]);
                } else {
                    expect(problems).toEqual([`go-demo-2:replicas = "${n}": expected an integer from 1 to 100.`]);
                }
            }),
        );
    });

    it("refuse any text that is not a whole number, for every integer key", () => {
        fc.assert(
            fc.property(
                fc.constantFrom("replicas", "nodePort", "loadBalancerWaitSeconds", "rolloutTimeoutSeconds"),
                fc.string().filter((s) => !/^-?\d+$/.test(s)),
                (key, text) => {
                    expect(problemsFor(key, text)).toEqual([expect.stringMatching(new RegExp(`^go-demo-2:${key} = .*expected an integer`))]);
                },
            ),
        );
    });

    it("decode a boolean from exactly true or false", () => {
        fc.assert(
            fc.property(fc.string(), (text) => {
                const problems = problemsFor("tls", text);
                expect(problems.length === 0).toBe(text === "true" || text === "false");
            }),
        );
    });
});
