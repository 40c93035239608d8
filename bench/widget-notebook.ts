/**
 * The notebook the widget benchmark runs with "Run All": one kernel, the same pipeline run
 * again and again on the real server, shown alternately by our widget and by
 * `IPython.display.Image` (bench/python/widget_baseline.py). A warm-up pair goes first (the
 * first widget on a page loads the labextension; the first run warms the server).
 */

/** Who shows a run. */
export type Shower = "ours" | "ipython";

/** One run the notebook makes, in order. */
export interface PlannedRun {
  readonly shower: Shower;
  readonly warmUp: boolean;
}

/** Warm-up pair, then `rounds` pairs; who goes first alternates, so drift hits both alike. */
export function planRuns(rounds: number): PlannedRun[] {
  const runs: PlannedRun[] = [
    { shower: "ours", warmUp: true },
    { shower: "ipython", warmUp: true },
  ];
  for (let round = 0; round < rounds; round += 1) {
    const pair: Shower[] = round % 2 === 0 ? ["ipython", "ours"] : ["ours", "ipython"];
    for (const shower of pair) runs.push({ shower, warmUp: false });
  }
  return runs;
}

const SETUP = `import json
import os

from openhcs_remote import RemoteOrchestrator
from widget_baseline import show_with_ipython

orch = RemoteOrchestrator(
    os.environ["OPENHCS_REMOTE_HOST"],
    int(os.environ["OPENHCS_REMOTE_PORT"]),
    relay=os.environ["OPENHCS_REMOTE_RELAY"],
)
orch.connect()
PIPELINE = open(os.environ["OHR_BENCH_PIPELINE"]).read()
CONFIG = open(os.environ["OHR_BENCH_CONFIG"]).read()
RUNS = []


def start(label):
    run = orch.run_remote_pipeline(
        plate_id=os.environ["OHR_BENCH_PLATE"],
        pipeline=PIPELINE,
        config=CONFIG,
        viewer_port=int(os.environ["OPENHCS_REMOTE_VIEWER_PORT"]),
    )
    RUNS.append((label, run))
    return run


def finish(run):
    run.wait()
    run.display.flush()  # the widget's queued previews are out before the next run starts
    assert run.status == "complete", run`;

function codeCell(source: string): Record<string, unknown> {
  return { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source };
}

/** The notebook (nbformat 4) for `runs`. */
export function benchNotebook(runs: readonly PlannedRun[]): Record<string, unknown> {
  const cells = [codeCell(SETUP)];
  runs.forEach((planned, i) => {
    const label = `${planned.warmUp ? "warm-up " : ""}${planned.shower} #${i}`;
    if (planned.shower === "ours") {
      cells.push(codeCell(`run = start(${JSON.stringify(label)})\nrun`));
      cells.push(codeCell("finish(run)"));
    } else {
      cells.push(
        codeCell(
          `run = start(${JSON.stringify(label)})\n` +
            `print(show_with_ipython(run), "images shown with IPython.display")\nfinish(run)`,
        ),
      );
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" },
    },
    cells,
  };
}

/** Code that prints `[{label, execution_id, status}]` of the runs, as JSON. */
export const LIST_RUNS = `print(json.dumps([
    {"label": label, "execution_id": run.execution_id, "status": run.status} for label, run in RUNS
]))`;
