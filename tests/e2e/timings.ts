/** Wall-clock seconds of each step, printed at the end of the run. */
export const timings: [string, number][] = [];

export async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
        return await work();
    } finally {
        timings.push([label, (Date.now() - start) / 1000]);
    }
}

/** Prints every timed step, for a test file's afterAll. */
export function printTimings(): void {
    const width = Math.max(...timings.map(([label]) => label.length));
    process.stdout.write(
        "\nend-to-end timings (s):\n" +
            timings.map(([label, s]) => `  ${label.padEnd(width)}  ${s.toFixed(1)}`).join("\n") +
            "\n",
    );
}
