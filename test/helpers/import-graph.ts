/**
 * The import graph of `src/`, read with TypeScript's own pre-processor (static imports, re-exports
 * and `import()`), and the three rules docs/architecture.md states: no circle, rooms import one way,
 * and an import into another folder goes through that folder's `index.ts`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Repo-relative file → the repo-relative `src/` files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The rooms each room may import from (besides itself). */
export const ROOM_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  orchestrator: ["protocol"],
  sidecar: ["protocol", "orchestrator"],
  cli: ["protocol", "orchestrator"],
  widget: ["protocol"],
};

export function readImportGraph(root: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of walk(join(root, "src"))) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName).replace(/\.js$/, ".ts");
      const name = relative(root, target).split(sep).join("/");
      if (name.startsWith("src/") && existsSync(target)) targets.push(name);
    }
    graph.set(relative(root, file).split(sep).join("/"), targets);
  }
  return graph;
}

/** Every circle, each as the files along it (first file repeated at the end). */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Imports against {@link ROOM_IMPORTS}, as `from → to`. */
export function roomViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = roomOf(from);
      const b = roomOf(to);
      if (a !== b && !(ROOM_IMPORTS[a] ?? []).includes(b)) out.push(`${from} → ${to}`);
    }
  }
  return out;
}

/**
 * Imports that reach into a folder past its face: the target must be the `index.ts` of the
 * outermost folder the import enters.
 */
export function faceViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const entered = outermostEntered(from, to);
      if (entered !== null && to !== `${entered}/index.ts`) out.push(`${from} → ${to}`);
    }
  }
  return out;
}

/** `src/<room>/…` → `<room>`. */
function roomOf(file: string): string {
  return file.split("/")[1] ?? "";
}

/** The outermost folder that holds `to` but not `from`; null for a file beside `from` or above. */
function outermostEntered(from: string, to: string): string | null {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/").slice(0, -1);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common += 1;
  return b.length > common ? b.slice(0, common + 1).join("/") : null;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) yield path;
  }
}
