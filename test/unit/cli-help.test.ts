import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/python.js";

describe("openhcs-remote --help", () => {
  it("lists the commands", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const verb of ["ping", "run", "status", "cancel", "measurements", "rerun"])
      expect(stdout).toContain(`  ${verb}`);
  });

  it.each(["ping", "run", "status", "cancel", "measurements", "rerun"])(
    "explains '%s' and its options",
    async (verb) => {
      const { code, stdout } = await runCli([verb, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: openhcs-remote ${verb} `));
      expect(stdout).toContain("--server");
    },
  );

  it("says what is missing, with exit code 2", async () => {
    const { code, stderr } = await runCli(["run", "--server", "127.0.0.1:7777"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--plate ID|PATH is required");
    expect(stderr).toContain("openhcs-remote run --help");
  });

  it("refuses an unknown command", async () => {
    const { code, stderr } = await runCli(["launch"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'launch'");
  });
});

describe("the sidecar's --help (it is started by the shim, but a person may look)", () => {
  const sidecar = join(REPO_ROOT, "lib", "sidecar", "main.js");
  const run = (args: string[]) =>
    spawnSync(process.execPath, [sidecar, ...args], { encoding: "utf8", timeout: 10_000 });

  it("explains its options and exits 0 without starting", () => {
    const { status, stdout } = run(["--help"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: node sidecar\.mjs --parent-pid PID --store-root DIR/);
    expect(stdout).toContain("--keep-store");
  });

  it("names an unknown option and exits 2", () => {
    const { status, stderr } = run(["--bogus"]);
    expect(status).toBe(2);
    expect(stderr).toContain("Unknown option '--bogus'");
    expect(stderr).toContain("Usage: node sidecar.mjs");
  });
});
