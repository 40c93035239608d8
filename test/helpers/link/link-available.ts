/**
 * Whether shaped links can be made here, and the gate the link tests use: skip loudly where
 * they cannot run, fail where they must (`CI=true`).
 */
import { ip, run } from "./ip-command.js";
import { createNamespacePair, deleteNamespace } from "./namespaces.js";

/** The answer of {@link linkAvailable}. */
export type LinkAvailability =
  { readonly available: true } | { readonly available: false; readonly reason: string };

/** Try for real: a throwaway namespace pair with tbf on its veth, then delete it. */
export async function linkAvailable(): Promise<LinkAvailability> {
  if (process.getuid?.() !== 0) {
    return {
      available: false,
      reason: `not root (uid ${process.getuid?.() ?? "?"}): ip netns needs root`,
    };
  }
  try {
    await run("tc", ["-V"]);
    await ip("netns", "list");
    const pair = await createNamespacePair(100);
    await deleteNamespace(pair.server.ns);
    await deleteNamespace(pair.user.ns);
    return { available: true };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * For a test file's top level: `true` when the link tests can run. Otherwise warns with the
 * reason and returns `false` (skip), or throws when `CI=true`: a skipped link test there would
 * hide that the link was never tested.
 */
export async function requireLink(what: string): Promise<boolean> {
  const availability = await linkAvailable();
  if (availability.available) return true;
  const message = `SKIPPED ${what}: no shaped link here (${availability.reason})`;
  if (process.env.CI === "true") throw new Error(`${message}; CI=true makes this a failure`);
  console.warn(`\n*** ${message} ***\n`);
  return false;
}
