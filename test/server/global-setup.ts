/**
 * One real OpenHCS execution server (through `openhcs-remote-server`) for the whole `server`
 * project, plus the synthetic plates the tests run on. Tests that kill or restart a server start
 * their own with `startOpenhcsServer`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startOpenhcsServer, writeSyntheticPlate } from "../helpers/openhcs-server.js";

/** What the setup hands to tests through `inject("openhcs")`. */
export interface SharedServer {
  readonly host: string;
  readonly port: number;
  readonly controlPort: number;
  readonly serverPid: number;
  readonly relay: Readonly<Record<string, unknown>> | null;
  /** 3 wells × 2 sites × 2 channels × 2 z-planes, 64 px tiles: seconds to run. */
  readonly smallPlate: string;
  /** 6 wells × 4 sites × 2 channels × 3 z-planes, 256 px tiles: over a minute to run. */
  readonly slowPlate: string;
  readonly workDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    openhcs: SharedServer;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = mkdtempSync(join(tmpdir(), "ohr-server-tests-"));
  const [server, smallPlate, slowPlate] = await Promise.all([
    startOpenhcsServer({ logDir: join(workDir, "logs") }),
    writeSyntheticPlate(join(workDir, "small-plate"), { wells: ["A01", "A02", "B01"], zPlanes: 2 }),
    writeSyntheticPlate(join(workDir, "slow-plate"), {
      wells: ["A01", "A02", "A03", "B01", "B02", "B03"],
      sites: 4,
      zPlanes: 3,
      tile: 256,
      cells: 100,
    }),
  ]);
  project.provide("openhcs", {
    host: server.host,
    port: server.port,
    controlPort: server.controlPort,
    serverPid: server.serverPid,
    relay: server.ready.relay ?? null,
    smallPlate,
    slowPlate,
    workDir,
  });
  return async () => {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
}
