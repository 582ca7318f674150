import { PROTECTED_ANNOTATION } from "../../stack/destroyGuard";
import { names } from "../../stack";
import { installMocks, ofType, recorded, resetRecorded } from "../support/mocks";
import { run, fromFile } from "../support/stack";

installMocks();
beforeEach(resetRecorded);

describe("destroy guard", () => {
    it("depends on every other Kubernetes object of the stack, so destroy reaches it first", async () => {
        await run(fromFile("prod"));
        const [guard] = ofType("kubernetes:core/v1:ConfigMap");
        expect(guard).toMatchObject({ protect: true, inputs: { metadata: { name: names.destroyGuard, annotations: { [PROTECTED_ANNOTATION]: "true" } } } });
        // Objects the stack owns (not those it only reads, such as cert-manager's CRDs).
        const others = recorded.filter((r) => r.custom && r !== guard && r.type.startsWith("kubernetes:") && r.readId === undefined);
        const urnOf = (r: { type: string; name: string }) => guard.dependencies.find((u) => u.endsWith(`${r.type}::${r.name}`));
        expect(others.filter((r) => urnOf(r) === undefined).map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });

    it("follows dbStorageProtected, so turning protection off is an update of the guard alone", async () => {
        await run(fromFile("dev"));
        const [guard] = ofType("kubernetes:core/v1:ConfigMap");
        expect(guard).toMatchObject({ protect: false, inputs: { metadata: { annotations: { [PROTECTED_ANNOTATION]: "false" } }, data: { guards: "PersistentVolumeClaim go-demo-2-db-data" } } });
    });

    it("does not exist without a claim", async () => {
        await run(fromFile("lab"));
        expect(ofType("kubernetes:core/v1:ConfigMap")).toEqual([]);
    });
});
