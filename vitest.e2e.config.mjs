// End-to-end: the demo notebook in a real JupyterLab, driven in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), against the real OpenHCS server and relay.
// Separate from vitest.config.ts because it needs a browser and a minute or two; run with
// `npx vitest run --config vitest.e2e.config.mjs`. Screenshots land in test-results/e2e/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "e2e",
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/global-setup.ts"],
    // One page walks through the notebook; the tests build on each other, in file order.
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 240_000,
    hookTimeout: 300_000,
    // A failed step leaves a screenshot; retrying would only hide a flaky widget.
    retry: 0,
  },
});
