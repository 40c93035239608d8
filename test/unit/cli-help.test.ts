import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

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
