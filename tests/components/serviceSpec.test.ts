import {
    buildServiceSpec,
    REVISION_ANNOTATION,
    ServiceSpecArgs,
    serviceWaitFor,
    validateServiceSpec,
} from "../../components/serviceSpec";

const selector = { type: "db", service: "go-demo-2" };
const port = { name: "mongodb", port: 27017 };

describe("buildServiceSpec", () => {
    it.each(["ClusterIP", "NodePort", "LoadBalancer"] as const)("builds a %s spec from selector and ports", (type) => {
        expect(buildServiceSpec({ type, selector, ports: [port] })).toEqual({
            type,
            selector,
            ports: [{ name: "mongodb", port: 27017, targetPort: 27017, protocol: "TCP" }],
        });
    });

    it("keeps an explicit target port and a fixed node port", () => {
        const spec = buildServiceSpec({
            type: "NodePort",
            selector,
            ports: [{ name: "https", port: 443, targetPort: 8443, nodePort: 30001 }],
        });
        expect(spec.ports).toEqual([{ name: "https", port: 443, targetPort: 8443, nodePort: 30001, protocol: "TCP" }]);
    });

    it("sends traffic to a named container port when given one", () => {
        const spec = buildServiceSpec({ type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPortName: "web" }] });
        expect(spec.ports).toEqual([{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }]);
    });

    it("sets source ranges on a LoadBalancer only when there are some", () => {
        expect(buildServiceSpec({ type: "LoadBalancer", selector, ports: [port] })).not.toHaveProperty(
            "loadBalancerSourceRanges",
        );
        expect(
            buildServiceSpec({ type: "LoadBalancer", selector, ports: [port], loadBalancerSourceRanges: ["10.0.0.0/8"] })
                .loadBalancerSourceRanges,
        ).toEqual(["10.0.0.0/8"]);
    });

    it("builds an ExternalName spec with no selector and no ports", () => {
        expect(buildServiceSpec({ type: "ExternalName", externalName: "kubernetes.io" })).toEqual({
            type: "ExternalName",
            externalName: "kubernetes.io",
        });
    });
});

describe("validateServiceSpec", () => {
    it.each<[string, ServiceSpecArgs]>([
        ["ClusterIP", { type: "ClusterIP", selector, ports: [port] }],
        ["NodePort at the range's low edge", { type: "NodePort", selector, ports: [{ ...port, nodePort: 30000 }] }],
        ["NodePort at the range's high edge", { type: "NodePort", selector, ports: [{ ...port, nodePort: 32767 }] }],
        ["LoadBalancer with ranges", { type: "LoadBalancer", selector, ports: [port], loadBalancerSourceRanges: ["::/0"] }],
        ["ExternalName", { type: "ExternalName", externalName: "kubernetes.io" }],
        ["a named target port", { type: "ClusterIP", selector, ports: [{ ...port, targetPortName: "mongodb" }] }],
        ["LoadBalancer waiting for no address", { type: "LoadBalancer", selector, ports: [port], addressWaitSeconds: 0 }],
        ["LoadBalancer waiting an hour", { type: "LoadBalancer", selector, ports: [port], addressWaitSeconds: 3600 }],
    ])("accepts %s", (_, args) => {
        expect(validateServiceSpec(args)).toEqual([]);
    });

    it.each<[string, ServiceSpecArgs, string]>([
        ["no selector", { type: "ClusterIP", ports: [port] }, "selector: a ClusterIP Service must select"],
        ["an empty selector", { type: "NodePort", selector: {}, ports: [port] }, "selector: a NodePort Service must select"],
        ["no ports", { type: "LoadBalancer", selector, ports: [] }, "ports: a LoadBalancer Service needs"],
        ["port 0", { type: "ClusterIP", selector, ports: [{ ...port, port: 0 }] }, "ports[0].port = 0"],
        ["target port 70000", { type: "ClusterIP", selector, ports: [{ ...port, targetPort: 70000 }] }, "ports[0].targetPort = 70000"],
        ["a target port both by number and by name", { type: "ClusterIP", selector, ports: [{ ...port, targetPort: 1, targetPortName: "db" }] }, "not both"],
        ["a target port name that is no port name", { type: "ClusterIP", selector, ports: [{ ...port, targetPortName: "Mongo_DB" }] }, 'ports[0].targetPortName = "Mongo_DB"'],
        ["a bad port name", { type: "ClusterIP", selector, ports: [{ ...port, name: "Mongo_DB" }] }, 'ports[0].name = "Mongo_DB"'],
        ["duplicate port names", { type: "ClusterIP", selector, ports: [port, { ...port, port: 1 }] }, "must be unique"],
        ["a node port on ClusterIP", { type: "ClusterIP", selector, ports: [{ ...port, nodePort: 30001 }] }, "applies only to NodePort and LoadBalancer"],
        ["node port 29999", { type: "NodePort", selector, ports: [{ ...port, nodePort: 29999 }] }, "ports[0].nodePort = 29999"],
        ["node port 32768", { type: "LoadBalancer", selector, ports: [{ ...port, nodePort: 32768 }] }, "ports[0].nodePort = 32768"],
        ["source ranges on NodePort", { type: "NodePort", selector, ports: [port], loadBalancerSourceRanges: ["10.0.0.0/8"] }, "applies only to LoadBalancer"],
        ["a bad source range", { type: "LoadBalancer", selector, ports: [port], loadBalancerSourceRanges: ["10.0.0.0"] }, '"10.0.0.0" is not a CIDR'],
        ["ExternalName without a name", { type: "ExternalName" }, "externalName: required"],
        ["ExternalName with a selector", { type: "ExternalName", externalName: "a.io", selector }, "selector: an ExternalName Service routes by DNS"],
        ["externalName on ClusterIP", { type: "ClusterIP", selector, ports: [port], externalName: "a.io" }, "externalName: applies only to ExternalName"],
        ["an address wait on NodePort", { type: "NodePort", selector, ports: [port], addressWaitSeconds: 0 }, "addressWaitSeconds: applies only to LoadBalancer"],
        ["a negative address wait", { type: "LoadBalancer", selector, ports: [port], addressWaitSeconds: -1 }, "addressWaitSeconds = -1: expected an integer from 0 to 3600"],
        ["a fractional address wait", { type: "LoadBalancer", selector, ports: [port], addressWaitSeconds: 1.5 }, "addressWaitSeconds = 1.5"],
    ])("rejects %s", (_, args, message) => {
        const problems = validateServiceSpec(args);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(message);
    });
});

describe("serviceWaitFor", () => {
    const revision = "0123456789";
    const applied = `jsonpath={.metadata.annotations['${REVISION_ANNOTATION}']}=${revision}`;
    const ingress = "jsonpath={.status.loadBalancer.ingress}";
    const onlyApplied = { [REVISION_ANNOTATION]: revision, "pulumi.com/waitFor": applied };
    const withAddress = (seconds: string) => ({
        [REVISION_ANNOTATION]: revision,
        "pulumi.com/waitFor": JSON.stringify([applied, ingress]),
        "pulumi.com/timeoutSeconds": seconds,
    });
    it.each<[string, Parameters<typeof serviceWaitFor>[0], Record<string, string>]>([
        ["ClusterIP", { type: "ClusterIP" }, onlyApplied],
        ["NodePort", { type: "NodePort" }, onlyApplied],
        ["LoadBalancer", { type: "LoadBalancer" }, withAddress("600")],
        ["LoadBalancer, 300 s for its address", { type: "LoadBalancer", addressWaitSeconds: 300 }, withAddress("300")],
        ["LoadBalancer, not waiting for an address", { type: "LoadBalancer", addressWaitSeconds: 0 }, onlyApplied],
        ["ExternalName", { type: "ExternalName" }, onlyApplied],
    ])("makes up wait for the updated %s Service and what it is given, never for its endpoints", (_, args, expected) => {
        expect(serviceWaitFor(args, revision)).toEqual(expected);
    });
});
