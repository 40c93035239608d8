import { defineConfig } from "vitest/config";

// Three Node projects: `unit` (codec, schemas, ETA, fakes for fault injection; fast), `server`
// (the real OpenHCS execution server and relay on loopback; started once per run) and `link`
// (server and user in network namespaces over a shaped veth link; needs root, docs/link-harness.md).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/protocol/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "server",
          include: ["test/server/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/server/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "link",
          include: ["test/link/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
