/**
 * A Pod's network, made of Linux network namespaces, for running the stack's in-Pod commands with
 * a real busybox: a `pod` namespace (the Pod: the API's port on its loopback, `go-demo-2-db` in its
 * /etc/hosts) and a `db` namespace (MongoDB's Pod) joined by a veth pair. Addresses come from
 * 198.18.0.0/15, the range kept for benchmarking networks (RFC 2544); nothing here reaches the
 * host's addresses or any other network. Needs root (`ip netns`).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { root } from "../../tools/project/root";

const IP = "/usr/sbin/ip";
const SETPRIV = "/usr/bin/setpriv";
const POD_ADDRESS = "198.18.0.1";
export const DB_ADDRESS = "198.18.0.2";
/** The DB Service's name, as the API's `DB` variable gives it. */
export const DB_HOST = "go-demo-2-db";
/** A MAC no interface has: frames sent to it are dropped by the other end of the veth. */
const NOWHERE_MAC = "02:00:00:00:00:99";
/** `nobody`, as the API's containers run. */
const POD_UID = 65534;

/** What a command did: its exit code (null when it was still running at its deadline), how long it ran, what it printed. */
export interface Run {
    code: number | null;
    seconds: number;
    output: string;
}

const ip = (...args: string[]) => execFileSync(IP, args, { stdio: ["ignore", "ignore", "pipe"] });

export class PodNetwork {
    readonly pod: string;
    readonly db: string;
    private readonly peers: ChildProcess[] = [];
    private readonly bin: string;

    /**
     * Makes both namespaces; `busybox` is the binary whose applets the commands find on PATH, and
     * `nameserver` the Pod's name server (an address in the namespaces: a peer serving DNS).
     */
    constructor(busybox: string, nameserver?: string) {
        if (process.getuid?.() !== 0) {
            throw new Error("the in-Pod tests need root: they make network namespaces (ip netns); run them with sudo");
        }
        const id = `gd2p${process.pid}`;
        this.pod = `${id}-pod`;
        this.db = `${id}-db`;
        // The applets, where `nobody` can run them (the cache under $HOME may be closed to others).
        this.bin = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-bin-`));
        fs.chmodSync(this.bin, 0o755);
        fs.copyFileSync(busybox, path.join(this.bin, "busybox"));
        fs.chmodSync(path.join(this.bin, "busybox"), 0o755);
        execFileSync(path.join(this.bin, "busybox"), ["--install", "-s", this.bin]);
        const etc = `/etc/netns/${this.pod}`;
        fs.mkdirSync(etc, { recursive: true });
        fs.writeFileSync(`${etc}/hosts`, `127.0.0.1 localhost\n${DB_ADDRESS} ${DB_HOST}\n`);
        // Without a name server of the test's, none: a name missing from hosts fails at once
        // instead of leaving the namespace.
        fs.writeFileSync(`${etc}/resolv.conf`, nameserver ? `nameserver ${nameserver}\n` : "");
        ip("netns", "add", this.pod);
        ip("netns", "add", this.db);
        ip("link", "add", `${id}a`, "netns", this.pod, "type", "veth", "peer", "name", `${id}b`, "netns", this.db);
        for (const [ns, dev, address] of [
            [this.pod, `${id}a`, POD_ADDRESS],
            [this.db, `${id}b`, DB_ADDRESS],
        ]) {
            ip("-n", ns, "addr", "add", `${address}/24`, "dev", dev);
            ip("-n", ns, "link", "set", dev, "up");
            ip("-n", ns, "link", "set", "lo", "up");
        }
    }

    /** Drops (or, with false, delivers again) every packet from the Pod to MongoDB's Pod: its node is lost. */
    dropDbPackets(drop: boolean): void {
        const dev = `${this.pod.replace(/-pod$/, "")}a`;
        if (drop) {
            ip("-n", this.pod, "neigh", "replace", DB_ADDRESS, "lladdr", NOWHERE_MAC, "dev", dev, "nud", "permanent");
        } else {
            ip("-n", this.pod, "neigh", "del", DB_ADDRESS, "dev", dev);
        }
    }

    /** Puts a program of this machine on the Pod's PATH, beside busybox's applets (an image's curl). */
    provide(program: string): void {
        fs.symlinkSync(program, path.join(this.bin, path.basename(program)));
    }

    /** Starts a peer (tests/pods/peer.mjs) in a namespace and resolves once it listens. */
    async startPeer(ns: string, behaviour: string, address: string, port: number, extra?: string): Promise<ChildProcess> {
        const args = [behaviour, address, String(port), ...(extra === undefined ? [] : [extra])];
        const child = spawn(IP, ["netns", "exec", ns, process.execPath, path.join(__dirname, "peer.mjs"), ...args], {
            stdio: ["ignore", "pipe", "inherit"],
        });
        this.peers.push(child);
        await new Promise<void>((resolve, reject) => {
            child.once("exit", (code) => reject(new Error(`peer ${behaviour} exited with ${code} before listening`)));
            child.stdout!.once("data", () => resolve());
        });
        return child;
    }

    /** Stops a peer started by startPeer and waits until its port is closed. */
    async stopPeer(child: ChildProcess): Promise<void> {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGKILL");
            await exited;
        }
    }

    /**
     * Runs a container's command in the Pod as `nobody`, with only busybox's applets on PATH and the
     * given environment; kills it (and what it started) when still running after `deadlineSeconds`.
     * It ends, as for the kubelet's exec (the container runtime copies its output to the end), once
     * the command has exited and every process holding its stdout or stderr has let go.
     */
    run(command: string[], env: Record<string, string>, deadlineSeconds: number): Promise<Run> {
        const started = process.hrtime.bigint();
        const child = spawn(
            IP,
            ["netns", "exec", this.pod, SETPRIV, `--reuid=${POD_UID}`, `--regid=${POD_UID}`, "--clear-groups", ...command],
            { env: { ...env, PATH: this.bin }, stdio: ["ignore", "pipe", "pipe"], detached: true },
        );
        let output = "";
        child.stdout!.on("data", (d) => (output += d));
        child.stderr!.on("data", (d) => (output += d));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // the group is gone already
                }
            }, deadlineSeconds * 1000);
            child.once("error", reject);
            child.once("close", (code) => {
                clearTimeout(timer);
                // A command cut at its deadline (killed) reports no exit code, as the kubelet sees it.
                resolve({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9, output });
            });
        });
    }

    /** Stops every peer and removes the namespaces and the applets. */
    async close(): Promise<void> {
        await Promise.all(this.peers.map((p) => this.stopPeer(p)));
        for (const ns of [this.pod, this.db]) {
            try {
                ip("netns", "del", ns);
            } catch {
                // already gone
            }
        }
        fs.rmSync(`/etc/netns/${this.pod}`, { recursive: true, force: true });
        fs.rmSync(this.bin, { recursive: true, force: true });
    }
}

/** The busybox the tests run: built (once, cached) by scripts/toolchain/busybox.sh; its last stdout line is the path. */
export function busyboxPath(): string {
    const out = execFileSync("bash", [path.join(root, "scripts", "toolchain", "busybox.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return out.trim().split("\n").pop()!;
}
