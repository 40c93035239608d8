// Component tests of the run widget in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by Playwright through vitest's browser mode). Separate from vitest.config.ts because
// it needs a browser; run with `npx vitest run --config vitest.browser.config.mjs`.
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM, CHROMIUM_ARGS } from "./test/helpers/chromium.ts";

export default defineConfig({
  // Pre-bundle what the elements import, so vite does not reload the page mid-run.
  optimizeDeps: {
    include: [
      "lit",
      "lit/decorators.js",
      "lit/directives/guard.js",
      "lit/directives/style-map.js",
      "zod/mini",
      "zod/v4/locales/en.js",
      "@jupyter-widgets/base",
    ],
  },
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 30_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotDirectory: "test-results/widget/failures",
      viewport: { width: 1100, height: 800 },
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM,
          args: [...CHROMIUM_ARGS],
          // No --user-data-dir: Playwright's launch() refuses it and already starts every run
          // on a fresh temporary profile.
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
