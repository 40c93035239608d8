/**
 * The notebook the link benchmark watches a run with: the kernel's RemoteOrchestrator reaches
 * the server through the sidecar in the user namespace (127.0.0.1 through the delay proxies),
 * tells the benchmark it is connected (`ready` in the hand-off folder), waits for the execution
 * id the benchmark writes there once the run is accepted, attaches and shows the run's widget;
 * the second cell waits for the end and for the widget's last previews to be sent, and writes
 * when the kernel handed each preview to the widget's comm (`sent.json`: seq → ms).
 */

const WATCH = `import os
import pathlib
import time

from openhcs_remote import RemoteOrchestrator
from openhcs_remote.notebook import widget_feed

# When the kernel handed each preview to the widget's comm (the bench splits the latency there).
SENT = {}
_send = widget_feed.WidgetFeed._send


def _timed_send(self, content, buffers):
    _send(self, content, buffers)
    if content.get("kind") == "ohr-preview":
        SENT.setdefault(content.get("seq"), time.time() * 1000)


widget_feed.WidgetFeed._send = _timed_send

orch = RemoteOrchestrator(
    "127.0.0.1",
    int(os.environ["OPENHCS_REMOTE_PORT"]),
    relay=os.environ["OPENHCS_REMOTE_RELAY"],
)
orch.connect()
HANDOFF = pathlib.Path(os.environ["OHR_BENCH_HANDOFF"])
(HANDOFF / "ready").touch()
while not (HANDOFF / "execution-id").exists():
    time.sleep(0.01)
run = orch.attach((HANDOFF / "execution-id").read_text())
run`;

const FINISH = `import json
run.wait()
run.display.flush()
(HANDOFF / "sent.json").write_text(json.dumps(SENT))
print("run", run.status)`;

function codeCell(source: string): Record<string, unknown> {
  return { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source };
}

/** The notebook (nbformat 4). */
export function linkNotebook(): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" },
    },
    cells: [codeCell(WATCH), codeCell(FINISH)],
  };
}

/** Code that prints the run's status. */
export const RUN_STATUS = `print(run.status)`;
