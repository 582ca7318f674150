/**
 * The component package's schema, as the component provider (components/pulumi-resource-go-demo-2)
 * serves it to Pulumi YAML, Python, Go, C# and Java: inferred by @pulumi/pulumi's analyzer from the
 * TypeScript in components/, run here in a process of its own over the built package.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { typeToken } from "../../components/package";
import { root } from "../../tools/project/root";

// The analyzer type-checks the package and @pulumi/kubernetes: seconds.
jest.setTimeout(120_000);

const components = path.join(root, "components");

interface Schema {
    name: string;
    version: string;
    resources: Record<string, { isComponent: boolean; inputProperties: Record<string, { plain?: boolean }>; requiredInputs: string[]; properties: Record<string, unknown> }>;
    types: Record<string, unknown>;
}

/** The schema the provider would answer GetSchema with, for the classes the provider executable serves. */
const schema: Schema = JSON.parse(
    execFileSync(
        process.execPath,
        [
            "-e",
            `const pulumi = require("@pulumi/pulumi");
             const { ComponentProvider } = require("@pulumi/pulumi/provider/experimental/provider");
             const api = require("./dist");
             const components = Object.values(api).filter((v) => typeof v === "function" && v.prototype instanceof pulumi.ComponentResource);
             new ComponentProvider({ name: api.PACKAGE, dirname: ".", components }).getSchema().then((s) => process.stdout.write(s));`,
        ],
        { cwd: components, encoding: "utf8" },
    ),
);

describe("the component package's schema", () => {
    it("has every public component under the index module, at the npm package's version", () => {
        expect(schema.name).toBe("go-demo-2");
        expect(schema.version).toBe(require(path.join(components, "package.json")).version); // eslint-disable-line @typescript-eslint/no-require-imports
        expect(Object.keys(schema.resources).sort()).toEqual(
            ["ClusterIPService", "CombinedBackend", "ExternalNameService", "GoDemo2Api", "LoadBalancerService", "MongoDb", "NodePortService"].map(
                (c) => typeToken(c),
            ),
        );
        expect(Object.values(schema.resources).every((r) => r.isComponent)).toBe(true);
    });

    it("takes a Service's arguments as TypeScript declares them: namespace an input, the rest plain, ports as ServicePort", () => {
        const svc = schema.resources[typeToken("NodePortService")];
        expect(svc.requiredInputs.sort()).toEqual(["namespace", "ports", "selector"]);
        expect(svc.inputProperties.namespace.plain).toBeUndefined();
        expect(svc.inputProperties.selector.plain).toBe(true);
        expect(Object.keys(schema.types)).toEqual(expect.arrayContaining([typeToken("ServicePort")]));
        expect(Object.keys(svc.properties).sort()).toEqual(["clusterIP", "dnsName", "nodePorts", "service", "serviceName"]);
    });
});
