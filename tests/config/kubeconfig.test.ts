import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { checkCluster, Kubeconfig, mergeKubeconfigs, readKubeconfig } from "../../config/kubeconfig";

/** A kubeconfig file's text with these contexts (each on a cluster of its own name) and current context. */
function kubeconfigText(contexts: Record<string, string>, current?: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        ...(current ? [`current-context: ${current}`] : []),
        "clusters:",
        ...Object.entries(contexts).flatMap(([name, server]) => [`- name: ${name}`, "  cluster:", `    server: ${server}`]),
        "contexts:",
        ...Object.keys(contexts).flatMap((name) => [`- name: ${name}`, "  context:", `    cluster: ${name}`, "    user: admin"]),
        "users:",
        "- name: admin",
        "  user:",
        "    token: secret-token",
    ].join("\n");
}

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-cluster-test-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
};

describe("mergeKubeconfigs", () => {
    it("reads each context's server and the current context", () => {
        const k = mergeKubeconfigs("x", [kubeconfigText({ "kind-kind": "https://127.0.0.1:6443", prod: "https://prod.example" }, "kind-kind")]);
        expect(k).toEqual({
            source: "x",
            currentContext: "kind-kind",
            contexts: new Map([
                ["kind-kind", "https://127.0.0.1:6443"],
                ["prod", "https://prod.example"],
            ]),
        });
    });

    it("merges as client-go does: the first file to set the current context, a context or a cluster wins", () => {
        const k = mergeKubeconfigs("x", [
            kubeconfigText({ a: "https://first" }),
            kubeconfigText({ a: "https://second", b: "https://b" }, "b"),
            kubeconfigText({}, "a"),
        ]);
        expect(k.currentContext).toBe("b");
        expect(k.contexts).toEqual(new Map([["a", "https://first"], ["b", "https://b"]]));
    });

    it("rejects what is not a kubeconfig, such as the path of a missing file taken as contents", () => {
        expect(() => mergeKubeconfigs("x", ["/no/such/kubeconfig"])).toThrow(/not a kubeconfig/);
    });
});

describe("readKubeconfig: the provider's order", () => {
    const one = kubeconfigText({ one: "https://one" }, "one");
    const two = kubeconfigText({ two: "https://two" }, "two");

    it("kubernetes:kubeconfig as a path first, over KUBECONFIG", () => {
        const file = write("k1", one);
        const k = readKubeconfig({ kubeconfig: file, kubeconfigEnv: write("k2", two), home: dir });
        expect([k.source, k.currentContext]).toEqual([`${file} (kubernetes:kubeconfig)`, "one"]);
    });

    it("kubernetes:kubeconfig as a path under ~/", () => {
        write(".kube/other", one);
        expect(readKubeconfig({ kubeconfig: "~/.kube/other", home: dir }).currentContext).toBe("one");
    });

    it("kubernetes:kubeconfig as the contents, which no message repeats", () => {
        const k = readKubeconfig({ kubeconfig: one, home: dir });
        expect([k.source, k.currentContext]).toEqual(["the kubeconfig in kubernetes:kubeconfig", "one"]);
    });

    it("then every file KUBECONFIG lists, skipping those that do not exist", () => {
        const list = [path.join(dir, "missing"), write("k1", one), write("k2", two)].join(path.delimiter);
        const k = readKubeconfig({ kubeconfigEnv: list, home: dir });
        expect([k.source, k.currentContext, [...k.contexts.keys()]]).toEqual([`KUBECONFIG=${list}`, "one", ["one", "two"]]);
    });

    it("then ~/.kube/config", () => {
        write(".kube/config", two);
        const k = readKubeconfig({ home: dir });
        expect([k.source, k.currentContext]).toEqual([`${path.join(dir, ".kube", "config")} (KUBECONFIG is unset)`, "two"]);
    });

    it("reports a missing ~/.kube/config instead of throwing", () => {
        expect(readKubeconfig({ home: dir })).toEqual({ source: expect.any(String), error: "no such file", contexts: new Map() });
    });

    it("reports a KUBECONFIG that names no existing file", () => {
        expect(readKubeconfig({ kubeconfigEnv: path.join(dir, "missing"), home: dir }).error).toBe("none of its files exists");
    });

    it("reports a file that is not YAML, without its contents", () => {
        const k = readKubeconfig({ kubeconfigEnv: write("bad", "token: secret-token\nclusters: ["), home: dir });
        expect(k.error).toMatch(/^unexpected end of the stream/);
        expect(k.error).not.toContain("secret-token");
    });
});

describe("checkCluster", () => {
    const kubeconfig: Kubeconfig = {
        source: "KUBECONFIG=/home/u/.kube/config",
        currentContext: "kind-kind",
        contexts: new Map([
            ["kind-kind", "https://127.0.0.1:6443"],
            ["minikube", "https://192.168.49.2:8443"],
        ]),
    };

    it("lets an unbound stack deploy to the current context, and says which", () => {
        expect(checkCluster(undefined, kubeconfig)).toEqual({
            problems: [],
            target:
                'deploying to the current context "kind-kind" (server https://127.0.0.1:6443) of KUBECONFIG=/home/u/.kube/config; ' +
                "set kubernetes:context to bind the stack to one cluster",
        });
    });

    it("says nothing of an unbound stack's target when the kubeconfig cannot tell it", () => {
        expect(checkCluster(undefined, { source: "s", error: "no such file", contexts: new Map() })).toEqual({ problems: [] });
    });

    it("accepts a bound context the kubeconfig has, even when another one is current", () => {
        expect(checkCluster("minikube", kubeconfig)).toEqual({
            problems: [],
            target: 'deploying to context "minikube" (server https://192.168.49.2:8443) of KUBECONFIG=/home/u/.kube/config (kubernetes:context)',
        });
    });

    it("rejects a bound context the kubeconfig lacks, naming the expected and the actual cluster and the kubeconfig", () => {
        const { problems } = checkCluster("go-demo-2-prod", kubeconfig);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain('kubernetes:context = "go-demo-2-prod": the stack deploys only to this kubeconfig context');
        expect(problems[0]).toContain('KUBECONFIG=/home/u/.kube/config has no such context; its current context is "kind-kind" (server https://127.0.0.1:6443)');
        expect(problems[0]).toContain("its contexts are: kind-kind, minikube");
    });

    it("rejects a bound context when the kubeconfig has no current context either", () => {
        const [p] = checkCluster("prod", { source: "s", contexts: new Map() }).problems;
        expect(p).toContain("it has no current context, and its contexts are: none");
    });

    it("rejects a bound context when the kubeconfig cannot be read", () => {
        const [p] = checkCluster("prod", { source: "/x (KUBECONFIG is unset)", error: "no such file", contexts: new Map() }).problems;
        expect(p).toContain('kubernetes:context = "prod"');
        expect(p).toContain("/x (KUBECONFIG is unset), cannot be read: no such file");
    });

    it("rejects an empty context name", () => {
        expect(checkCluster("", kubeconfig).problems).toEqual([
            'kubernetes:context = "": expected the name of a context in the kubeconfig, such as kind-kind.',
        ]);
    });
});
