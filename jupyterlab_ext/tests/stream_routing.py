"""Route pipeline code to the relay with the client's own router (TypeScript, run in Node).

The routing lives once, in ``src/orchestrator/relay-client/stream-routing.ts``; the sidecar
applies it to every run the shim submits. Tests that talk to the execution server directly
route their code through this helper, so they run exactly the code a user's run sends.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ORCHESTRATOR = REPO_ROOT / "lib" / "orchestrator" / "index.js"

_SCRIPT = """
const { routeToRelay } = await import(process.argv[1]);
const args = JSON.parse(await new Response(process.stdin).text());
try {
  const { pipeline_code, config_code, host, port } = args;
  const routed = routeToRelay(pipeline_code, config_code, { host, port });
  process.stdout.write(JSON.stringify(routed));
} catch (error) {
  process.stderr.write(`${error.code}: ${error.message}`);
  process.exitCode = 1;
}
"""


@dataclass(frozen=True)
class RoutedCode:
    pipeline_code: str
    config_code: str


def route_to_relay(
    pipeline_code: str, config_code: str | None, *, host: str = "127.0.0.1", port: int
) -> RoutedCode:
    if not ORCHESTRATOR.exists():
        raise RuntimeError(f"{ORCHESTRATOR} is missing: build the TypeScript first (npx tsc -b)")
    request = {
        "pipeline_code": pipeline_code,
        "config_code": config_code,
        "host": host,
        "port": port,
    }
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT, ORCHESTRATOR.as_uri()],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.strip() or f"routing failed (node exited {done.returncode})")
    routed = json.loads(done.stdout)
    return RoutedCode(routed["pipelineCode"], routed["configCode"])
