/**
 * The components' npm package as `npm pack` makes it: what a consumer gets. The build
 * (components/dist) is what scripts/commands/with-node.sh makes before every test run.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ANNOTATION_PREFIX, typeToken } from "../../components/package";
import { root } from "../../tools/project/root";

const dist = path.join(root, "components", "dist");

interface Packed {
    name: string;
    version: string;
    files: { path: string }[];
}

const packed = (): Packed =>
    (JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "-w", "go-demo-2"], { cwd: root, encoding: "utf8" })) as Packed[])[0];

describe("the go-demo-2 npm package", () => {
    it("holds only what a consumer needs: the built JavaScript, its declarations, package.json, README and CHANGELOG", () => {
        const { name, files } = packed();
        expect(name).toBe("go-demo-2");
        const paths = files.map((f) => f.path).sort();
        expect(paths.filter((p) => !/^(dist\/[A-Za-z]+\.(js|d\.ts)|package\.json|README\.md|CHANGELOG\.md)$/.test(p))).toEqual([]);
        expect(paths).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "README.md", "CHANGELOG.md", "package.json"]));
        // Every module has its declarations.
        const modules = paths.filter((p) => p.endsWith(".js")).map((p) => p.replace(/\.js$/, ""));
        expect(paths.filter((p) => p.endsWith(".d.ts")).map((p) => p.replace(/\.d\.ts$/, ""))).toEqual(modules);
    });

    it("exposes only index to importers, with the Pulumi SDKs as peers so a program has one copy of each", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "components", "package.json"), "utf8"));
        expect(Object.keys(manifest.exports)).toEqual(["."]);
        expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["@pulumi/kubernetes", "@pulumi/pulumi"]);
        expect(Object.keys(manifest.dependencies ?? {})).not.toContain("@pulumi/pulumi");
        expect(packed().version).toBe(manifest.version);
        // The CHANGELOG has an entry for the version being packed.
        expect(fs.readFileSync(path.join(root, "components", "CHANGELOG.md"), "utf8")).toContain(`## ${manifest.version}`);
    });

    it("declares no @internal helper: the declarations are the public surface", () => {
        const declarations = fs.readdirSync(dist).filter((f) => f.endsWith(".d.ts"));
        const internal = declarations.filter((f) => /\b(function (serviceAliases|createWorkload|workloadType)|type WorkloadParts)\b/.test(fs.readFileSync(path.join(dist, f), "utf8")));
        expect(internal).toEqual([]);
        expect(fs.readFileSync(path.join(dist, "index.d.ts"), "utf8")).toMatch(/ClusterIPService.*NodePortService/s);
    });

    it("loads from its built JavaScript on its own, with the components of the public surface", () => {
        const out = execFileSync("node", ["-e", 'const m = require("go-demo-2"); console.log(Object.keys(m).filter((k) => /Service$|^MongoDb$|^GoDemo2Api$/.test(k)).sort().join(" "))'], {
            cwd: root,
            encoding: "utf8",
        });
        expect(out.trim()).toBe("ClusterIPService ExternalNameService GoDemo2Api LoadBalancerService MongoDb NodePortService");
    });
});

describe("typeToken", () => {
    // Written out on purpose, once: a token is in the URN of every resource under it, so a
    // changed token replaces every component of that type in every user's stack.
    it("makes the tokens deployed stacks hold", () => {
        expect(typeToken("ClusterIPService")).toBe("go-demo-2:index:ClusterIPService");
        expect(typeToken("MongoDb", "workloads")).toBe("go-demo-2:workloads:MongoDb");
        expect(typeToken("NodePortService", "services")).toBe("go-demo-2:services:NodePortService");
        expect(typeToken("ApiCertificate", "tls")).toBe("go-demo-2:tls:ApiCertificate");
    });

    it("prefixes annotation keys as live objects carry them", () => {
        expect(ANNOTATION_PREFIX).toBe("go-demo-2.local/");
    });
});
