"""JupyterLab configuration for the end-to-end tests and the widget benchmark. FOR TESTS ONLY.

Do not use this to run JupyterLab for real work: it exposes the JupyterLab application object
to page scripts (``window.jupyterapp``, so tests can run JupyterLab's own commands), and the
token it is started with is known to the test process. It binds 127.0.0.1 only.

``test/helpers/jupyter-lab.ts`` starts ``jupyter lab`` from the project virtualenv with
``--config`` pointing here (for ``test/e2e/`` and ``bench/widget.ts``) and passes what changes
per run in the environment: the token (``OHR_LAB_TOKEN``), the notebook directory
(``OHR_LAB_ROOT``) and a scratch directory for JupyterLab's workspaces and settings
(``OHR_LAB_STATE``), so a run never reads or writes the user's own JupyterLab state. The port
comes on the command line.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 -- injected by traitlets when it loads a config file

state = Path(os.environ["OHR_LAB_STATE"])

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_remote_access = False
c.ServerApp.open_browser = False
c.ServerApp.token = os.environ["OHR_LAB_TOKEN"]
c.ServerApp.root_dir = os.environ["OHR_LAB_ROOT"]
c.ServerApp.port_retries = 0  # the harness picked a free port: fail loudly if it was taken
c.ServerApp.allow_root = True  # containers run tests as root; the server is loopback-only

# Tests drive JupyterLab through its own command registry (run all cells, restart the kernel,
# save): exactly what the menus and toolbar buttons do.
c.LabApp.expose_app_in_browser = True
c.LabApp.workspaces_dir = str(state / "workspaces")
c.LabApp.user_settings_dir = str(state / "settings")
# No network: no news feed, no update check (the machine may be offline).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# Do not ask about news: the toast would cover part of the notebook in screenshots.
settings = state / "settings" / "@jupyterlab" / "apputils-extension"
settings.mkdir(parents=True, exist_ok=True)
notification = settings / "notification.jupyterlab-settings"
notification.write_text(json.dumps({"fetchNews": "false"}))

# The link benchmark (bench/link-watcher.ts) times each preview's comm message through
# jupyter_server: one JSON line {seq, received, written} (ms) per message, appended here.
forward_times = os.environ.get("OHR_LAB_FORWARD_TIMES")
if forward_times:
    import re
    import time

    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection,
    )

    _seq = re.compile(rb'"seq":\s*(\d+)')
    _forward = ZMQChannelsWebsocketConnection.handle_outgoing_message

    def _timed_forward(self, stream, outgoing_msg):
        received = time.time() * 1000
        _forward(self, stream, outgoing_msg)
        for part in outgoing_msg:
            if isinstance(part, bytes) and len(part) < 16384 and b"ohr-preview" in part:
                seq = _seq.search(part)
                if seq is not None:
                    line = {"seq": int(seq.group(1)), "received": received}
                    line["written"] = time.time() * 1000
                    with open(forward_times, "a") as out:
                        out.write(json.dumps(line) + "\n")
                break

    ZMQChannelsWebsocketConnection.handle_outgoing_message = _timed_forward
