import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "components/dist/", "examples/*/node_modules/", "bin/", "rendered/", ".pulumi/", ".cluster/", "coverage/"] },
    ...tseslint.configs.recommended,
    {
        // Every JavaScript file too (main.js and loader.js, which the engine runs, included):
        // CommonJS, with the same rules but the type-aware Pulumi ones.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "prefer-const": "error", eqeqeq: "error" },
    },
    {
        files: ["**/*.ts"],
        plugins: { "@pulumi": pulumi },
        languageOptions: {
            // The Pulumi rules need types: they tell an Output from a string.
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "prefer-const": "error",
            eqeqeq: "error",
        },
    },
);
