import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "components/dist/", "examples/*/node_modules/", "bin/", "rendered/", ".pulumi/", ".cluster/", "coverage/"] },
    ...tseslint.configs.recommended,
    // Every file the same rules: TypeScript, and every JavaScript file too (main.js and runtime/,
    // which the engine runs, the jest configs, the ES modules).
    { rules: { "prefer-const": "error", eqeqeq: "error" } },
    {
        // CommonJS: the .js files and the component provider, an executable without an extension.
        files: ["**/*.js", "components/pulumi-resource-go-demo-2"],
        languageOptions: { sourceType: "commonjs" },
    },
    {
        // The Pulumi rules need types: they tell an Output from a string.
        files: ["**/*.ts"],
        plugins: { "@pulumi": pulumi },
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
);
