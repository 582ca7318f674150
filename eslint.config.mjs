import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "components/dist/", "examples/*/node_modules/", "bin/", "rendered/", ".pulumi/", ".cluster/", "*.js", "*.mjs"] },
    ...tseslint.configs.recommended,
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
