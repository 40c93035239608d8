/**
 * The CLI's run journal: what `openhcs-remote run` submitted and how each well ended, so that
 * `openhcs-remote rerun EXECUTION_ID` can send the same pipeline again on the wells left undone.
 * The server keeps no pipeline source, so this is the only place it can come from.
 *
 * One folder per run under `$OPENHCS_REMOTE_STATE_DIR` (default
 * `$XDG_STATE_HOME/openhcs-remote/runs`, else `~/.local/state/openhcs-remote/runs`): the sources
 * as `pipeline.py` / `config.py` and `run.json`. The newest {@link JOURNAL_KEEP} runs are kept.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "./cli-support.js";

export const JOURNAL_KEEP = 200;
/** An execution id as a folder name: nothing that could leave the journal folder. */
const EXECUTION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const RunRecordSchema = z.object({
  execution_id: z.string(),
  server: z.string(),
  plate: z.string(),
  well_filter: z.nullable(z.array(z.string())),
  /** Well → its last state as the CLI saw it (`done`, `failed`, …). */
  wells: z.record(z.string(), z.string()),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export interface JournalEntry {
  readonly record: RunRecord;
  readonly pipelinePath: string;
  readonly configPath: string;
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENHCS_REMOTE_STATE_DIR) return env.OPENHCS_REMOTE_STATE_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "openhcs-remote", "runs");
}

function runDir(executionId: string): string {
  if (!EXECUTION_ID.test(executionId))
    throw new UsageError(`'${executionId}' is not an execution id`);
  return join(journalDir(), executionId);
}

/** Note a submitted run: its sources and where it ran (wells follow with {@link noteWells}). */
export function noteSubmitted(
  record: Omit<RunRecord, "wells">,
  pipelineCode: string,
  configCode: string,
): void {
  const dir = runDir(record.execution_id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipeline.py"), pipelineCode);
  writeFileSync(join(dir, "config.py"), configCode);
  writeFileSync(join(dir, "run.json"), JSON.stringify({ ...record, wells: {} }, null, 1));
  prune();
}

/** Record how each well ended (or stands, when the CLI stops early). */
export function noteWells(executionId: string, wells: Readonly<Record<string, string>>): void {
  const entry = readEntry(executionId);
  writeFileSync(
    join(runDir(executionId), "run.json"),
    JSON.stringify({ ...entry.record, wells }, null, 1),
  );
}

/** The journal entry of one run, or a usage error that says where it was looked for. */
export function readEntry(executionId: string): JournalEntry {
  const dir = runDir(executionId);
  let text: string;
  try {
    text = readFileSync(join(dir, "run.json"), "utf8");
  } catch {
    throw new UsageError(
      `run ${executionId} is not in this machine's run journal (${journalDir()}): ` +
        "only runs started here with 'openhcs-remote run' can be re-run",
    );
  }
  const parsed = RunRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new UsageError(`${join(dir, "run.json")} is damaged: ${z.prettifyError(parsed.error)}`);
  return {
    record: parsed.data,
    pipelinePath: join(dir, "pipeline.py"),
    configPath: join(dir, "config.py"),
  };
}

/** OpenHCS 0.8.6 reports a failure before any well (e.g. reading the plate) on this axis. */
const PIPELINE_AXIS = "pipeline";

/** The wells the run got to, whatever their end (none: it failed before its first well). */
export function startedWells(record: RunRecord): string[] {
  return Object.keys(record.wells).filter((well) => well !== PIPELINE_AXIS);
}

/** The wells a run did not finish: those the CLI last saw in a state other than `done`. */
export function unfinishedWells(record: RunRecord): string[] {
  return Object.entries(record.wells)
    .filter(([well, state]) => well !== PIPELINE_AXIS && state !== "done")
    .map(([well]) => well)
    .sort();
}

/** Keep the newest {@link JOURNAL_KEEP} runs: the journal stays small however many runs. */
function prune(): void {
  const root = journalDir();
  const runs = readdirSync(root)
    .map((name) => ({ name, at: statSync(join(root, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of runs.slice(JOURNAL_KEEP)) rmSync(join(root, old.name), { recursive: true });
}
