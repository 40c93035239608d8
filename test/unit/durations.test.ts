import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/protocol/index.js";
import { REPO_ROOT } from "../helpers/python.js";

/** The table the Python twin (openhcs_remote/notebook/durations.py) is checked against too. */
const { cases } = JSON.parse(
  readFileSync(join(REPO_ROOT, "test", "vectors", "durations", "durations.json"), "utf8"),
) as { cases: [number | null, string][] };

describe("formatDuration", () => {
  it.each(cases)("writes %s ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("reads NaN and infinity as unknown", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual(["—", "—"]);
  });
});
