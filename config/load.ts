/** The runtime read: the only place the program reads Pulumi's config. */
import * as pulumi from "@pulumi/pulumi";
import * as os from "os";

import { checkCluster, readKubeconfig } from "./kubeconfig";
import { PROJECT, StackConfig } from "./keys";
import { parseConfig } from "./parse";

/**
 * Reads this stack's config from the Pulumi runtime and validates it (see parseConfig), together
 * with the cluster it is bound to (`kubernetes:context`, see kubeconfig.ts), and says in the engine's
 * output which cluster it deploys to. Rendering manifests needs no cluster, so nothing is checked then.
 */
export function loadConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    const prefix = `${PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(all)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    const cluster = renderingManifests()
        ? { problems: [] }
        : checkCluster(
              all["kubernetes:context"],
              readKubeconfig({ kubeconfig: all["kubernetes:kubeconfig"], kubeconfigEnv: process.env.KUBECONFIG, home: os.homedir() }),
          );
    const config = parseConfig(raw, pulumi.getStack(), cluster.problems);
    if (cluster.target) {
        void pulumi.log.info(cluster.target);
    }
    return config;
}

/**
 * Whether the engine renders manifests instead of applying them (the Kubernetes provider's
 * `renderYamlToDirectory`, which `npm run render` sets): then nothing may be read from a cluster,
 * because there may be none. Not a key of this project's, so parseConfig does not see it.
 */
export function renderingManifests(): boolean {
    return new pulumi.Config("kubernetes").get("renderYamlToDirectory") !== undefined;
}
