/**
 * The notebook the link benchmark watches a run with: the kernel's RemoteOrchestrator reaches
 * the server through the sidecar in the user namespace (127.0.0.1 through the delay proxies),
 * tells the benchmark it is connected (`ready` in the hand-off folder), waits for the execution
 * id the benchmark writes there once the run is accepted, attaches and shows the run's widget;
 * the second cell waits for the end and for the widget's last previews to be sent, and writes
 * when the kernel queued each preview for the widget, handed it to the widget's comm and sent it
 * on its IOPub socket (`kernel-times.json`: {queued, sent, iopub}, seq → ms).
 */

const WATCH = `import os
import pathlib
import re
import time

from ipykernel import iostream
from openhcs_remote import RemoteOrchestrator
from openhcs_remote.notebook import widget_feed

# When the kernel queued each preview for the widget, handed it to the widget's comm and its
# IOPub thread sent it to jupyter_server (the bench splits the latency there).
TIMES = {"queued": {}, "sent": {}, "iopub": {}}
_send, _queue = widget_feed.WidgetFeed._send, widget_feed.WidgetFeed.send_preview
_really_send = iostream.IOPubThread._really_send
_SEQ = re.compile(rb'"seq":\\s*(\\d+)')


def _timed_send(self, content, buffers):
    _send(self, content, buffers)
    if content.get("kind") == "ohr-preview":
        TIMES["sent"].setdefault(content.get("seq"), time.time() * 1000)


def _timed_queue(self, key):
    at = time.time() * 1000
    _queue(self, key)
    preview = self.previews(key)  # the feed queues keys; the preview is in the run's cache
    if preview is not None:
        TIMES["queued"].setdefault(preview[0].get("seq"), at)


def _timed_really_send(self, msg, *args, **kwargs):
    _really_send(self, msg, *args, **kwargs)
    for part in msg:
        if isinstance(part, bytes) and len(part) < 16384 and b"ohr-preview" in part:
            seq = _SEQ.search(part)
            if seq is not None:
                TIMES["iopub"].setdefault(int(seq.group(1)), time.time() * 1000)
            break


iostream.IOPubThread._really_send = _timed_really_send
widget_feed.WidgetFeed._send = _timed_send
widget_feed.WidgetFeed.send_preview = _timed_queue

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
(HANDOFF / "kernel-times.json").write_text(json.dumps(TIMES))
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
