/**
 * The zod the widget uses: `zod/mini`, whose functions tree-shake (the classic API pulls every
 * locale into the browser bundle: ~450 KB against ~30 KB), with English messages so errors name
 * what was wrong. Import as `import * as z from "./schema.js"`, so unused parts drop out.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
