/**
 * Drive a real JupyterLab in headless Chromium (Debian's, through `playwright-core`): open a
 * notebook, run its cells, save, restart the kernel, run code in the kernel. Commands go through
 * JupyterLab's own command registry (what its menus and buttons run), exposed to the page by the
 * test-only configuration.
 *
 * ```ts
 * const browser = await launchChromium();
 * const notebook = await openNotebook(await browser.newPage(), lab, "demo.ipynb");
 * await notebook.runAll();
 * ```
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.js";
import type { LabHandle } from "./jupyter-lab.js";

/** Headless Chromium with no network side traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** The little of JupyterLab's application object the helpers use (`window.jupyterapp`). */
interface LabApp {
  readonly started: Promise<void>;
  readonly restored: Promise<void>;
  readonly commands: { execute(id: string, args?: unknown): Promise<unknown> };
  readonly shell: {
    readonly currentWidget: LabWidget | null;
    widgets(area: string): Iterable<LabWidget>;
  };
}

interface LabWidget {
  readonly id: string;
  readonly context?: { readonly path: string };
  readonly sessionContext?: {
    readonly session: { readonly kernel: LabKernel | null } | null;
  };
}

interface LabKernel {
  readonly id: string;
  readonly status: string;
  requestExecute(content: { code: string; silent?: boolean; store_history?: boolean }): {
    onIOPub: (msg: { header: { msg_type: string }; content: Record<string, unknown> }) => void;
    readonly done: Promise<unknown>;
  };
}

declare global {
  interface Window {
    jupyterapp?: LabApp;
  }
}

/** One open notebook in a JupyterLab page. */
export interface LabNotebook {
  readonly page: Page;
  readonly path: string;
  /** Selector of this notebook's panel, for locators that must not see other tabs. */
  readonly panel: string;
  /** Run a JupyterLab command (e.g. `notebook:run-all-cells`) with this notebook current. */
  command(id: string, args?: unknown): Promise<void>;
  /** Run every cell (returns once started; wait for what the cells do). */
  runAll(): Promise<void>;
  /** Resolve once the kernel is idle and no cell is queued or running. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** The id of the notebook's kernel (the REST API's). */
  kernelId(): Promise<string>;
  /** Run `code` in the kernel (not in a cell) and return what it printed. */
  execute(code: string): Promise<string>;
  /** Save the notebook to disk (JupyterLab's Save). */
  save(): Promise<void>;
}

/** Open the notebook at `path` (relative to the lab's root) and wait for its kernel. */
export async function openNotebook(page: Page, lab: LabHandle, path: string): Promise<LabNotebook> {
  if (!page.url().startsWith(lab.baseUrl)) {
    await page.goto(lab.notebookUrl(path));
  }
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
  await page.evaluate(async () => {
    await window.jupyterapp?.restored;
  });
  const panelId = await page.evaluate(async (wanted) => {
    const app = window.jupyterapp;
    if (app === undefined) throw new Error("no jupyterapp");
    // Opens the notebook, or brings its tab to the front if it is open already.
    const widget = (await app.commands.execute("docmanager:open", {
      path: wanted,
      factory: "Notebook",
    })) as LabWidget | undefined;
    if (widget?.context?.path !== wanted) throw new Error(`could not open ${wanted}`);
    return widget.id;
  }, path);
  const notebook = labNotebook(page, path, panelId);
  await notebook.waitForIdle(90_000);
  return notebook;
}

function labNotebook(page: Page, path: string, panelId: string): LabNotebook {
  const panel = `[id="${panelId}"]`;
  const activate = (): Promise<void> =>
    page.evaluate(async (wanted) => {
      await window.jupyterapp?.commands.execute("docmanager:open", { path: wanted });
    }, path);
  const notebook: LabNotebook = {
    page,
    path,
    panel,
    async command(id, args) {
      await activate();
      // Not awaited in the page: some commands (run all) resolve only when every cell is done.
      await page.evaluate(
        ([command, commandArgs]) => {
          void window.jupyterapp?.commands.execute(command, commandArgs);
        },
        [id, args] as const,
      );
    },
    async runAll() {
      await notebook.command("notebook:run-all-cells");
      // The first cell is queued at once; from then on "idle" means the cells are done.
      await page.waitForFunction(
        (sel) =>
          [...document.querySelectorAll(`${sel} .jp-InputArea-prompt`)].some((p) =>
            p.textContent.includes("*"),
          ),
        panel,
        { timeout: 10_000 },
      );
    },
    async waitForIdle(timeoutMs = 180_000) {
      await page.waitForFunction(
        (sel) => {
          const widget = [...(window.jupyterapp?.shell.widgets("main") ?? [])].find(
            (w) => `[id="${w.id}"]` === sel,
          );
          const kernel = widget?.sessionContext?.session?.kernel;
          const busyPrompt = [...document.querySelectorAll(`${sel} .jp-InputArea-prompt`)].some(
            (p) => p.textContent.includes("*"),
          );
          return kernel?.status === "idle" && !busyPrompt;
        },
        panel,
        { timeout: timeoutMs, polling: 200 },
      );
    },
    async kernelId() {
      return page.evaluate((sel) => {
        const widget = [...(window.jupyterapp?.shell.widgets("main") ?? [])].find(
          (w) => `[id="${w.id}"]` === sel,
        );
        const id = widget?.sessionContext?.session?.kernel?.id;
        if (id === undefined) throw new Error("the notebook has no kernel");
        return id;
      }, panel);
    },
    async execute(code) {
      return page.evaluate(
        async ([sel, source]) => {
          const widget = [...(window.jupyterapp?.shell.widgets("main") ?? [])].find(
            (w) => `[id="${w.id}"]` === sel,
          );
          const kernel = widget?.sessionContext?.session?.kernel;
          if (kernel == null) throw new Error("the notebook has no kernel");
          const future = kernel.requestExecute({ code: source, store_history: false });
          let text = "";
          future.onIOPub = (msg) => {
            const content = msg.content;
            if (msg.header.msg_type === "stream") text += String(content.text);
            if (msg.header.msg_type === "error") {
              text += `${String(content.ename)}: ${String(content.evalue)}`;
            }
          };
          await future.done;
          return text;
        },
        [panel, code] as const,
      );
    },
    async save() {
      await activate();
      await page.evaluate(async () => {
        await window.jupyterapp?.commands.execute("docmanager:save");
      });
    },
  };
  return notebook;
}
