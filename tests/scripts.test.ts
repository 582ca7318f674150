import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");

/** What scripts/kube-env.sh decides in an environment: `<cluster> <KUBECONFIG>`. */
function kubeEnv(env: Record<string, string>): string {
    return execFileSync("bash", ["-c", 'source scripts/kube-env.sh && echo "$GO_DEMO_2_CLUSTER $KUBECONFIG"'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", ...env },
        encoding: "utf8",
    }).trim();
}

describe("scripts/kube-env.sh: which cluster the project talks to", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-home-"));
    afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

    it("uses the local control plane when the user points at no cluster", () => {
        expect(kubeEnv({ HOME: home })).toBe(`local ${root}/.cluster/kubeconfig`);
    });

    it("keeps a KUBECONFIG the user set", () => {
        expect(kubeEnv({ HOME: home, KUBECONFIG: "/elsewhere/config" })).toBe("user /elsewhere/config");
    });

    it("uses the current context of ~/.kube/config when there is one", () => {
        const withContext = fs.mkdtempSync(path.join(os.tmpdir(), "go-demo-2-home-"));
        fs.mkdirSync(path.join(withContext, ".kube"));
        fs.writeFileSync(
            path.join(withContext, ".kube", "config"),
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters: [{name: kind, cluster: {server: 'https://127.0.0.1:6443'}}]",
                "users: [{name: kind, user: {}}]",
                "contexts: [{name: kind-kind, context: {cluster: kind, user: kind}}]",
                "current-context: kind-kind",
            ].join("\n"),
        );
        try {
            expect(kubeEnv({ HOME: withContext })).toBe(`user ${withContext}/.kube/config`);
        } finally {
            fs.rmSync(withContext, { recursive: true, force: true });
        }
    });

    it("keeps its first decision when sourced again", () => {
        const out = execFileSync(
            "bash",
            ["-c", 'source scripts/kube-env.sh && source scripts/kube-env.sh && echo "$GO_DEMO_2_CLUSTER"'],
            { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: home }, encoding: "utf8" },
        );
        expect(out.trim()).toBe("local");
    });
});

describe("scripts/cluster.sh: bad arguments stop it before it touches any cluster", () => {
    /** Runs cluster.sh; resolves with its exit code and stderr. Bad options stop it before it touches any cluster. */
    function clusterScript(args: string[], env: Record<string, string> = {}): { status: number; stderr: string } {
        try {
            execFileSync("bash", ["scripts/cluster.sh", ...args], {
                cwd: root,
                env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env },
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
            return { status: 0, stderr: "" };
        } catch (e) {
            const failed = e as { status: number; stderr: string };
            return { status: failed.status, stderr: failed.stderr };
        }
    }

    it.each([
        [["start", "--nodes", "0"], {}],
        [["start", "--nodes=21"], {}],
        [["start", "--nodes", "three"], {}],
        [["start"], { GO_DEMO_2_NODES: "-1" }],
    ])("rejects %j %j naming the value and what is accepted", (args, env) => {
        const { status, stderr } = clusterScript(args, env);
        expect(status).toBe(1);
        expect(stderr).toMatch(/node count '.*' \(--nodes or GO_DEMO_2_NODES\): expected an integer from 1 to 20/);
    });

    it.each([[["lb"]], [["lb", "maybe"]]])("rejects %j before it touches the cluster, naming on|off", (args) => {
        const { status, stderr } = clusterScript(args);
        expect(status).toBe(1);
        expect(stderr).toContain("usage: scripts/cluster.sh lb on|off");
    });

    it("rejects an unknown option of start", () => {
        const { status, stderr } = clusterScript(["start", "--node", "3"]);
        expect(status).toBe(1);
        expect(stderr).toContain("unknown option '--node' (accepted: --nodes N)");
    });
});
