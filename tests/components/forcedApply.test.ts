import { forcedApply, PATCH_FORCE_ANNOTATION } from "../../components/forcedApply";

describe("forcedApply", () => {
    it("is the provider's own annotation, set to true", () => {
        expect(forcedApply()).toEqual({ "pulumi.com/patchForce": "true" });
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
