/**
 * The stack's configuration, one job per file: the key table (keys.ts: types, decoders, defaults),
 * the rules across keys (rules.ts), the whole parse that reports every problem at once (parse.ts),
 * the runtime read (load.ts: the only place Pulumi's config is read), and the keys' documentation
 * (reference.ts, read by the docs writer and its test rather than by the program), and the object
 * names those speak of (names.ts).
 */
export { CERT_MANAGER_SOURCES, KNOWN_KEYS, MONITORING_MODES, PROJECT } from "./keys";
export type { CertManagerSource, MonitoringMode, StackConfig, Topology } from "./keys";
export { ConfigError, parseConfig } from "./parse";
export { loadConfig, renderingManifests } from "./load";
