/**
 * The notebook the scale benchmark runs with "Run All", as a user would: the shim's
 * `RemoteOrchestrator` in its default previews delivery (which starts the sidecar), one run of
 * the pipeline on the plate shown by its widget, followed to the end. The plate, pipeline and
 * server come from the environment JupyterLab hands its kernels.
 */

const SETUP = `import json
import os

from openhcs_remote import RemoteOrchestrator

orch = RemoteOrchestrator(
    os.environ["OPENHCS_REMOTE_HOST"],
    int(os.environ["OPENHCS_REMOTE_PORT"]),
    relay=os.environ["OPENHCS_REMOTE_RELAY"],
)
assert orch.delivery == "previews"
orch.connect()`;

const START = `run = orch.run_remote_pipeline(
    plate_id=os.environ["OHR_BENCH_PLATE"],
    pipeline=open(os.environ["OHR_BENCH_PIPELINE"]).read(),
    config=open(os.environ["OHR_BENCH_CONFIG"]).read(),
    viewer_port=int(os.environ["OPENHCS_REMOTE_VIEWER_PORT"]),
)
run`;

// The widget's queued previews are out before the cell ends.
const FINISH = `run.wait()
run.display.flush(timeout=120)
assert run.status == "complete", run`;

function codeCell(source: string): Record<string, unknown> {
  return { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source };
}

/** The notebook (nbformat 4). */
export function scaleNotebook(): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" },
    },
    cells: [codeCell(SETUP), codeCell(START), codeCell(FINISH)],
  };
}

/** Code that prints the run's `{status, images, wells, error}` as JSON. */
export const RUN_SUMMARY = `print(json.dumps({
    "status": run.status,
    "images": run.state.images_received,
    "wells": len(run.state.wells_seen),
    "error": run.state.error,
}, default=str))`;
