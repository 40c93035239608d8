/**
 * Before the end-to-end tests (in Node): the real OpenHCS execution server and relay, a
 * synthetic plate, and a real JupyterLab serving a scratch copy of `examples/`, whose demo
 * notebook is pointed at that server through the environment it reads.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startJupyterLab, type LabInfo } from "../helpers/jupyter-lab.js";
import { startOpenhcsServer, writeSyntheticPlate } from "../helpers/openhcs-server.js";
import { REPO_ROOT } from "../helpers/python.js";

/** Where screenshots and logs go (gitignored). */
export const ARTIFACTS = join(REPO_ROOT, "test-results", "e2e");

/** The demo plate: 4 wells × 2 sites × 2 channels × 3 z-planes, 64 px tiles. */
export const PLATE = { wells: ["A01", "A02", "B01", "B02"], sites: 2, channels: 2, zPlanes: 3 };

/** What the set-up hands to the tests through `inject("e2e")`. */
export interface E2eContext {
  readonly lab: LabInfo;
  readonly plate: string;
  /** Where the demo notebook writes its results. */
  readonly outDir: string;
  readonly artifacts: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

/** Newest modification time of the files under `dir` (recursively) that pass `keep`. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && keep(entry.name)) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

/**
 * JupyterLab loads the built labextension and the kernel runs the bundled sidecar: refuse to
 * test a build older than the sources (building here could race another build).
 */
function checkBuild(): void {
  const sources = newest(join(REPO_ROOT, "src"), (name) => name.endsWith(".ts"));
  const builds = {
    labextension: join(REPO_ROOT, "jupyterlab_ext", "openhcs_remote", "labextension", "static"),
    sidecar: join(REPO_ROOT, "jupyterlab_ext", "openhcs_remote", "sidecar"),
  };
  for (const [what, dir] of Object.entries(builds)) {
    const built = existsSync(dir) ? newest(dir, (name) => /\.m?js$/.test(name)) : 0;
    if (built < sources) {
      throw new Error(
        `the ${what} in ${dir} is older than src/ (or missing): rebuild first with ` +
          "`source scripts/lib.sh && build_ts`",
      );
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  checkBuild();
  const work = mkdtempSync(join(tmpdir(), "ohr-e2e-"));
  rmSync(ARTIFACTS, { recursive: true, force: true }); // no screenshots of an earlier run
  mkdirSync(ARTIFACTS, { recursive: true });
  const root = join(work, "notebooks");
  cpSync(join(REPO_ROOT, "examples"), root, { recursive: true });
  const [server, plate] = await Promise.all([
    startOpenhcsServer({ logDir: join(work, "server-logs") }),
    writeSyntheticPlate(join(work, "plate"), { ...PLATE, tile: 64 }),
  ]);
  const relay = server.ready.relay as { stream_host?: string; stream_port?: number } | undefined;
  if (relay?.stream_port === undefined) {
    await server.stop();
    throw new Error(
      "openhcs-remote-server started without a relay: the widget would get no images",
    );
  }
  const outDir = join(work, "results");
  const lab = await startJupyterLab({
    root,
    keepLogAs: join(ARTIFACTS, "jupyterlab.log"),
    env: {
      OPENHCS_REMOTE_HOST: server.host,
      OPENHCS_REMOTE_PORT: String(server.port),
      OPENHCS_REMOTE_RELAY: `${relay.stream_host ?? server.host}:${relay.stream_port}`,
      OPENHCS_REMOTE_VIEWER_PORT: String(server.ready.relay?.viewer_port),
      OPENHCS_REMOTE_DEMO_DIR: work,
      OPENHCS_REMOTE_DEMO_PLATE: plate,
      OPENHCS_REMOTE_DEMO_OUT: outDir,
    },
  }).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  project.provide("e2e", {
    lab: {
      baseUrl: lab.baseUrl,
      token: lab.token,
      pid: lab.pid,
      root: lab.root,
      logFile: lab.logFile,
    },
    plate,
    outDir,
    artifacts: ARTIFACTS,
  });
  return async () => {
    await lab.stop();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  };
}
