import * as path from "path";
import * as ts from "typescript";
import { root } from "../../tools/project/root";

const components = path.join(root, "components");

/** The classes a program constructs; each shows how, in an `@example`. */
const PUBLIC_CLASSES = [
    "ClusterIPService",
    "NodePortService",
    "LoadBalancerService",
    "ExternalNameService",
    "MongoDb",
    "GoDemo2Api",
    "CombinedBackend",
];

/**
 * What components/index.ts exports, read the way the package's own build reads its sources
 * (components/tsconfig.json): each export resolved to what it names, so that `export type { X }
 * from "./y"` gives the interface itself.
 */
function packageExports(): { checker: ts.TypeChecker; exports: Map<string, ts.Symbol> } {
    const configPath = path.join(components, "tsconfig.json");
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    if (error) {
        throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
    }
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, components);
    const index = path.join(components, "index.ts");
    const program = ts.createProgram({ rootNames: [index], options });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
    const exports = new Map(
        checker
            .getExportsOfModule(module)
            .map((s) => [s.getName(), s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s] as const),
    );
    return { checker, exports };
}

/** The text of a declaration's JSDoc tags named `name`, trimmed. */
function tagTexts(declaration: ts.Node, name: string): string[] {
    return ts
        .getJSDocTags(declaration)
        .filter((tag) => tag.tagName.text === name)
        // `@see Symbol` is parsed into the tag's name, not its comment.
        .map((tag) => `${ts.isJSDocSeeTag(tag) && tag.name ? tag.name.getText() : ""} ${ts.getTextOfJSDocComment(tag.comment) ?? ""}`.trim());
}

interface Property {
    /** `<interface>.<property>`, with the interface that declares it when that is a base. */
    label: string;
    optional: boolean;
    defaults: string[];
    sees: string[];
}

const { checker, exports } = packageExports();

/**
 * Every exported interface a program fills in (all but Workload, the shape of the workload
 * components' outputs), with its properties, inherited ones too.
 */
const argsInterfaces: [string, Property[]][] = [...exports]
    .filter(([name, symbol]) => name !== "Workload" && symbol.flags & ts.SymbolFlags.Interface)
    .map(([name, symbol]) => [
        name,
        checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).map((property) => {
            const declarations = property.declarations ?? [];
            const owner = declarations
                .map((d) => d.parent)
                .find((p): p is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(p))?.name.text;
            return {
                label: `${name}.${property.getName()}${owner && owner !== name ? ` (declared in ${owner})` : ""}`,
                optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
                defaults: declarations.flatMap((d) => tagTexts(d, "default")),
                sees: declarations.flatMap((d) => tagTexts(d, "see")),
            };
        }),
    ]);

describe("the package's API documentation", () => {
    it("finds every Args interface index.ts exports, including those it re-exports as types", () => {
        expect(argsInterfaces.map(([name]) => name)).toEqual(
            expect.arrayContaining([
                "ServiceArgs",
                "SelectingServiceArgs",
                "LoadBalancerServiceArgs",
                "ExternalNameServiceArgs",
                "ServicePort",
                "ServiceSpecArgs",
                "GoDemo2ApiArgs",
                "ApiContainerArgs",
                "MongoDbArgs",
                "MongoContainer",
                "MongoStorage",
                "CombinedBackendArgs",
            ]),
        );
        // Inherited properties count: LoadBalancerServiceArgs has ServiceArgs' own.
        const loadBalancer = argsInterfaces.find(([name]) => name === "LoadBalancerServiceArgs")![1];
        expect(loadBalancer.map((p) => p.label)).toContain("LoadBalancerServiceArgs.clusterDomain (declared in ServiceArgs)");
    });

    it.each(argsInterfaces)("states the default of every optional argument of %s with a @default tag", (_, properties) => {
        const undocumented = properties.filter((p) => p.optional && !p.defaults.some((text) => text.length > 0)).map((p) => p.label);
        expect(undocumented).toEqual([]);
    });

    it.each(argsInterfaces)("points every optional argument of %s at where its meaning is defined, with a @see tag", (_, properties) => {
        const unreferenced = properties.filter((p) => p.optional && !p.sees.some((text) => text.length > 0)).map((p) => p.label);
        expect(unreferenced).toEqual([]);
    });

    it.each(argsInterfaces)("gives no @default to a required argument of %s", (_, properties) => {
        const defaulted = properties.filter((p) => !p.optional && p.defaults.length > 0).map((p) => p.label);
        expect(defaulted).toEqual([]);
    });

    it.each(PUBLIC_CLASSES)("shows how to construct %s from the go-demo-2 package in an @example", (name) => {
        const symbol = exports.get(name);
        expect(symbol?.valueDeclaration && ts.isClassDeclaration(symbol.valueDeclaration)).toBe(true);
        const examples = tagTexts(symbol!.valueDeclaration!, "example");
        expect(examples).toEqual([expect.stringContaining(`new ${name}(`)]);
        expect(examples[0]).toContain('from "go-demo-2"');
    });
});
