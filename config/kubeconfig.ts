/**
 * Which cluster a stack deploys to. The Kubernetes provider (pulumi-kubernetes 4.25.0, its
 * `Configure`) reads the kubeconfig in `kubernetes:kubeconfig` — a path, or the file's contents —
 * else client-go's default: the files listed in KUBECONFIG, merged, else ~/.kube/config; and it
 * uses the context in `kubernetes:context`, else the kubeconfig's current context. A stack bound
 * with `kubernetes:context` therefore deploys to that context whatever the current one is, and is
 * checked here before any resource is registered: with the context missing the provider would only
 * mark the cluster unreachable, so a preview would still pass and only `up` would fail.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** A kubeconfig, as far as choosing a cluster goes. */
export interface Kubeconfig {
    /** Where it came from, for messages; never the contents themselves, which hold credentials. */
    source: string;
    /** Why it could not be read; the other fields are then empty. */
    error?: string;
    currentContext?: string;
    /** Context name → the server of the cluster it names (undefined if that cluster is missing). */
    contexts: Map<string, string | undefined>;
}

/** What the provider reads the kubeconfig from. */
export interface KubeconfigSources {
    /** `kubernetes:kubeconfig`: a path (`~/` allowed) or a kubeconfig's contents. */
    kubeconfig?: string;
    /** The KUBECONFIG environment variable: files separated by the platform's path delimiter. */
    kubeconfigEnv?: string;
    /** The user's home directory (~/.kube/config). */
    home: string;
}

interface KubeconfigFile {
    "current-context"?: string;
    contexts?: { name?: string; context?: { cluster?: string } }[];
    clusters?: { name?: string; cluster?: { server?: string } }[];
}

/**
 * Merges kubeconfig documents the way client-go does: the first to set the current context, a
 * context or a cluster wins.
 */
export function mergeKubeconfigs(source: string, documents: string[]): Kubeconfig {
    let currentContext: string | undefined;
    const contexts = new Map<string, string | undefined>();
    const servers = new Map<string, string | undefined>();
    const clusterOf = new Map<string, string | undefined>();
    for (const text of documents) {
        const doc = (yaml.load(text) ?? {}) as KubeconfigFile;
        if (typeof doc !== "object") {
            throw new Error("not a kubeconfig (expected a YAML or JSON mapping, or the path of an existing file)");
        }
        currentContext ||= doc["current-context"] || undefined;
        for (const { name, context } of doc.contexts ?? []) {
            if (name && !clusterOf.has(name)) {
                clusterOf.set(name, context?.cluster);
            }
        }
        for (const { name, cluster } of doc.clusters ?? []) {
            if (name && !servers.has(name)) {
                servers.set(name, cluster?.server);
            }
        }
    }
    for (const [name, cluster] of clusterOf) {
        contexts.set(name, cluster === undefined ? undefined : servers.get(cluster));
    }
    return { source, currentContext, contexts };
}

/** Reads the kubeconfig the provider will use; a file that cannot be read or parsed is reported, not thrown. */
export function readKubeconfig({ kubeconfig, kubeconfigEnv, home }: KubeconfigSources): Kubeconfig {
    let source: string;
    let read: () => string[];
    if (kubeconfig) {
        const file = kubeconfig === "~" || kubeconfig.startsWith("~/") ? path.join(home, kubeconfig.slice(1)) : kubeconfig;
        const isFile = fs.existsSync(file);
        source = isFile ? `${file} (kubernetes:kubeconfig)` : "the kubeconfig in kubernetes:kubeconfig";
        read = () => [isFile ? fs.readFileSync(file, "utf8") : kubeconfig];
    } else if (kubeconfigEnv) {
        // client-go skips the files of the list that do not exist.
        const files = kubeconfigEnv.split(path.delimiter).filter((f) => f !== "" && fs.existsSync(f));
        source = `KUBECONFIG=${kubeconfigEnv}`;
        read = () => {
            if (files.length === 0) {
                throw new Error("none of its files exists");
            }
            return files.map((f) => fs.readFileSync(f, "utf8"));
        };
    } else {
        const file = path.join(home, ".kube", "config");
        source = `${file} (KUBECONFIG is unset)`;
        read = () => [fs.readFileSync(file, "utf8")];
    }
    try {
        return mergeKubeconfigs(source, read());
    } catch (e) {
        const error = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message.split("\n")[0];
        return { source, error, contexts: new Map() };
    }
}

/** `"name" (server https://…)`, or `"name"` when its cluster has no server. */
function describeContext(kubeconfig: Kubeconfig, name: string): string {
    const server = kubeconfig.contexts.get(name);
    return server ? `${JSON.stringify(name)} (server ${server})` : JSON.stringify(name);
}

/** The outcome of checkCluster: problems to report with the config's, or where the stack deploys. */
export interface ClusterCheck {
    problems: string[];
    /** Where the stack deploys, for the engine's output; undefined when that is unknown. */
    target?: string;
}

/**
 * Checks the binding `kubernetes:context` (undefined: unbound) against the kubeconfig the provider
 * reads: the context must be one of it. An unbound stack deploys to the current context, which is
 * reported, not checked.
 */
export function checkCluster(context: string | undefined, kubeconfig: Kubeconfig): ClusterCheck {
    const key = `kubernetes:context = ${JSON.stringify(context)}`;
    const bindElsewhere = "or bind the stack to another context (pulumi config set kubernetes:context <name>)";
    if (context === undefined) {
        const current = kubeconfig.currentContext;
        return {
            problems: [],
            target:
                current && kubeconfig.contexts.has(current)
                    ? `deploying to the current context ${describeContext(kubeconfig, current)} of ${kubeconfig.source}; ` +
                      "set kubernetes:context to bind the stack to one cluster"
                    : undefined,
        };
    }
    if (context === "") {
        return { problems: [`${key}: expected the name of a context in the kubeconfig, such as kind-kind.`] };
    }
    if (kubeconfig.error !== undefined) {
        return {
            problems: [
                `${key}: the stack deploys only to this kubeconfig context, but the kubeconfig the Kubernetes provider ` +
                    `reads, ${kubeconfig.source}, cannot be read: ${kubeconfig.error}. Point KUBECONFIG or ` +
                    `kubernetes:kubeconfig at a kubeconfig that has this context, ${bindElsewhere}.`,
            ],
        };
    }
    if (!kubeconfig.contexts.has(context)) {
        const current = kubeconfig.currentContext;
        const actual = current ? `its current context is ${describeContext(kubeconfig, current)}` : "it has no current context";
        const known = [...kubeconfig.contexts.keys()];
        return {
            problems: [
                `${key}: the stack deploys only to this kubeconfig context, but ${kubeconfig.source} has no such ` +
                    `context; ${actual}, and its contexts are: ${known.length > 0 ? known.join(", ") : "none"}. ` +
                    `Point KUBECONFIG or kubernetes:kubeconfig at a kubeconfig that has ${JSON.stringify(context)}, ${bindElsewhere}.`,
            ],
        };
    }
    return { problems: [], target: `deploying to context ${describeContext(kubeconfig, context)} of ${kubeconfig.source} (kubernetes:context)` };
}
