// Lint rules encode the house rules of DESIGN.md: strict types, and the one-way flow
// protocol ← orchestrator ← sidecar, with the browser never importing Node code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeOnlyRooms = ["**/orchestrator/**", "**/sidecar/**", "**/cli/**"];

export default tseslint.config(
  {
    ignores: [
      "lib/**",
      "node_modules/**",
      ".venv/**",
      ".cache/**",
      "jupyterlab_ext/**",
      "test-results/**",
      "bench/results/**",
      "**/*.js",
      "**/*.cjs",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.test.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Interfaces are plain PascalCase; the I prefix is kept for Lumino tokens only (STYLE.md).
      "@typescript-eslint/naming-convention": [
        "error",
        { selector: "typeLike", format: ["PascalCase"] },
      ],
    },
  },
  {
    files: ["src/protocol/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../orchestrator/*", "../sidecar/*", "../widget/*", "../cli/*"],
              message: "src/protocol/ imports nothing from the other rooms (DESIGN.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/widget/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "zeromq", ...nodeOnlyRooms.map((p) => p.replace("**/", "../"))],
              message: "The browser never imports Node code (DESIGN.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/orchestrator/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../sidecar/*", "../widget/*", "../cli/*"],
              message: "Data flows one way: the orchestrator imports only src/protocol/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
