import { describe, expect, it } from "vitest";
import {
  faceViolations,
  findCycles,
  readImportGraph,
  roomViolations,
  type ImportGraph,
} from "../helpers/import-graph.js";
import { REPO_ROOT } from "../helpers/python.js";

const graph = readImportGraph(REPO_ROOT);

describe("the import graph of src/", () => {
  it("is read from every source file", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("src/orchestrator/index.ts")).toContain("src/protocol/index.ts");
  });

  it("has no circle", () => {
    expect(findCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("runs one way between rooms (protocol ← orchestrator ← sidecar, cli; widget ← protocol)", () => {
    expect(roomViolations(graph)).toEqual([]);
  });

  it("enters a folder only through its index.ts", () => {
    expect(faceViolations(graph)).toEqual([]);
  });
});

describe("the import-graph rules", () => {
  const made: ImportGraph = new Map([
    ["src/orchestrator/a.ts", ["src/orchestrator/b.ts", "src/protocol/pickle/decoder.ts"]],
    ["src/orchestrator/b.ts", ["src/orchestrator/a.ts", "src/sidecar/main.ts"]],
    ["src/sidecar/main.ts", ["src/orchestrator/index.ts"]],
  ]);

  it("find a circle and name its files", () => {
    expect(findCycles(made)).toContainEqual([
      "src/orchestrator/a.ts",
      "src/orchestrator/b.ts",
      "src/orchestrator/a.ts",
    ]);
  });

  it("find an import against the rooms' direction", () => {
    expect(roomViolations(made)).toEqual(["src/orchestrator/b.ts → src/sidecar/main.ts"]);
  });

  it("find an import past a folder's face", () => {
    expect(faceViolations(made)).toEqual([
      "src/orchestrator/a.ts → src/protocol/pickle/decoder.ts",
      "src/orchestrator/b.ts → src/sidecar/main.ts",
    ]);
  });
});
