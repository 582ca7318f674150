/**
 * What an image reference says of the version it runs: `latest` (no tag, or the tag `latest`),
 * the major and minor its tag starts with, or undefined where that cannot be read (a digest, or a
 * tag that names no version).
 */
export type ImageVersion = "latest" | readonly [major: number, minor: number] | undefined;

/** Whether MongoDB line `a` (major, minor) comes before line `b`. */
export function lineBefore(a: readonly [number, number], b: readonly [number, number]): boolean {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

export function imageVersion(imageRef: string): ImageVersion {
    if (imageRef.includes("@")) {
        return undefined;
    }
    const lastSegment = imageRef.slice(imageRef.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    const tag = colon < 0 ? "latest" : lastSegment.slice(colon + 1);
    if (tag === "latest") {
        return "latest";
    }
    const version = /^(\d+)\.(\d+)/.exec(tag);
    return version ? [Number(version[1]), Number(version[2])] : undefined;
}
