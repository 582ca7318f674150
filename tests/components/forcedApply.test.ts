import * as fs from "fs";

import { forcedApply, PATCH_FORCE_ANNOTATION } from "../../components/forcedApply";

describe("forcedApply", () => {
    it("is the provider's own annotation, set to true", () => {
        // The name the installed provider SDK documents for forcing a conflicting apply, not a copy of ours.
        const providerDoc = fs.readFileSync(require.resolve("@pulumi/kubernetes/node/v1/runtimeClassPatch.d.ts"), "utf8");
        expect(providerDoc).toContain(`can be forced using the "${PATCH_FORCE_ANNOTATION}" annotation`);
        expect(forcedApply()).toEqual({ [PATCH_FORCE_ANNOTATION]: "true" });
    });

    it("keeps the object's other annotations", () => {
        expect(forcedApply({ "pulumi.com/waitFor": "condition=Ready" })).toEqual({
            "pulumi.com/waitFor": "condition=Ready",
            [PATCH_FORCE_ANNOTATION]: "true",
        });
    });

    it("cannot be turned off by the annotations it is given", () => {
        expect(forcedApply({ [PATCH_FORCE_ANNOTATION]: "false" })[PATCH_FORCE_ANNOTATION]).toBe("true");
    });
});
