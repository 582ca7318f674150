/**
 * The in-Pod commands the stack rendered before they were run for real (0.1.0), kept so the tests
 * show that running them finds the faults reading missed: they must keep failing the way they did.
 */
export const LEGACY = {
    waitForDb: 'until wget -q -T 2 -O /dev/null http://$DB:27017/; do echo "waiting for MongoDB at $DB:27017"; sleep 1; done',
    liveness: "wget -q -T 2 -O /dev/null http://localhost:8080/demo/person || ! wget -q -T 2 -O /dev/null http://$DB:27017/",
    livenessTimeoutSeconds: 5,
} as const;
