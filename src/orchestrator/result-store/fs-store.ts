/**
 * A zarrita store on the local disk whose writes are atomic: each key is written to a temporary
 * file and renamed into place, so a reader (napari, vizarr, Python `zarr`) that opens the store
 * while a run is still writing sees either the old or the new metadata or chunk, never half.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AbsolutePath, AsyncMutable } from "zarrita";

let tmpCounter = 0;

/** `AsyncMutable` over a directory; keys are `/`-rooted paths inside it. */
export class AtomicFsStore implements AsyncMutable {
  /** Directories known to exist: saves a `mkdir` per chunk. */
  private readonly madeDirs = new Set<string>();

  constructor(readonly root: string) {}

  /** Absolute file path of a store key. */
  pathOf(key: string): string {
    return join(this.root, ...key.split("/").filter((part) => part !== ""));
  }

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    const file = this.pathOf(key);
    const dir = dirname(file);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // The temporary name is a dotfile in the same directory: rename is atomic there, and
    // Zarr listings skip it if a crash leaves it behind.
    const tmp = join(dir, `.${String(process.pid)}-${String(++tmpCounter)}.tmp`);
    try {
      await writeFile(tmp, value);
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}
