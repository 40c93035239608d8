/**
 * Point an OpenHCS run at the relay, by text (docs/relay-stream-protocol.md §8). The one
 * implementation: the sidecar applies it to the shim's runs, the CLI to its own, and the Python
 * tests call it through Node (`jupyterlab_ext/tests/stream_routing.py`); exact inputs and outputs
 * in `test/vectors/relay-stream/routing.json`. No OpenHCS is needed on the client.
 *
 * 1. The config code always gets {@link CONFIG_SUFFIX}: it rebinds `config` with Fiji streaming
 *    enabled, persistent, over TCP to the relay's viewer port, and Napari streaming off. Steps
 *    that say nothing about streaming inherit it.
 * 2. The pipeline code gets {@link PIPELINE_SUFFIX} only if it mentions `streaming`: it sends
 *    every enabled per-step viewer stream to the relay (a local Napari becomes the Fiji route, as
 *    OpenHCS 0.8.6 refuses Napari configs without napari on the server), and leaves disabled steps
 *    off.
 */

import { OhrError } from "../../protocol/index.js";

/** Config code used when the caller has none. */
export const DEFAULT_CONFIG_CODE =
  "from openhcs.core.config import GlobalPipelineConfig\nconfig = GlobalPipelineConfig()\n";

/** Appended to the config code; `@HOST@` and `@PORT@` are filled in. */
export const CONFIG_SUFFIX = `
# --- openhcs-remote: stream results to the relay (appended by the client) ---
import dataclasses as _ohr_dataclasses
from zmqruntime.config import TransportMode as _OhrTransportMode
config = _ohr_dataclasses.replace(
    config,
    fiji_streaming_config=_ohr_dataclasses.replace(
        config.fiji_streaming_config,
        enabled=True,
        persistent=True,
        host="@HOST@",
        port=@PORT@,
        transport_mode=_OhrTransportMode.TCP,
    ),
    napari_streaming_config=_ohr_dataclasses.replace(config.napari_streaming_config, enabled=False),
)
`;

/** Appended to pipeline code that configures streaming itself. */
export const PIPELINE_SUFFIX = `
# --- openhcs-remote: route every viewer stream to the relay (appended by the client) ---
def _ohr_route_streams(steps, host, port):
    import dataclasses
    from openhcs.core.config import LazyFijiStreamingConfig, LazyNapariStreamingConfig
    from zmqruntime.config import TransportMode

    def raw(config, name):  # the value set on this object; None means "inherit"
        return None if config is None else object.__getattribute__(config, name)

    for step in steps:
        napari = getattr(step, "napari_streaming_config", None)
        fiji = getattr(step, "fiji_streaming_config", None)
        if napari is None and fiji is None:
            continue
        enabled = raw(fiji, "enabled")
        wells, mode = raw(fiji, "well_filter"), raw(fiji, "well_filter_mode")
        if raw(napari, "enabled") and not enabled:  # configured for a local napari
            enabled = True
            wells, mode = raw(napari, "well_filter"), raw(napari, "well_filter_mode")
        step.fiji_streaming_config = LazyFijiStreamingConfig(
            enabled=enabled, well_filter=wells, well_filter_mode=mode, persistent=True,
            host=host, port=port, transport_mode=TransportMode.TCP,
        )
        step.napari_streaming_config = LazyNapariStreamingConfig(enabled=False)


def _ohr_route_pipeline_config(pipeline_config):
    import dataclasses
    from openhcs.core.config import LazyFijiStreamingConfig, LazyNapariStreamingConfig

    values = {
        f.name: object.__getattribute__(pipeline_config, f.name)
        for f in dataclasses.fields(pipeline_config)
    }
    # Unset (all-inherit) configs: the plate inherits the relay route from \`\`config\`\`.
    values.update(
        napari_streaming_config=LazyNapariStreamingConfig(),
        fiji_streaming_config=LazyFijiStreamingConfig(),
    )
    return type(pipeline_config)(**values)


_ohr_route_streams(pipeline_steps, "@HOST@", @PORT@)
if "pipeline_config" in globals() and pipeline_config is not None:
    pipeline_config = _ohr_route_pipeline_config(pipeline_config)
`;

/** The first line both suffixes start with: how a routed config is recognised. */
const CONFIG_MARKER = "# --- openhcs-remote: stream results to the relay";
const MENTIONS_STREAMING = /streaming/i;
const PLAIN_HOST = /^[A-Za-z0-9.:\-[\]]{1,253}$/;

/** A host or port that cannot be written into the code safely. */
export class RelayRouteError extends OhrError {
  override readonly code = "ERR_RELAY_ROUTE";
  constructor(
    readonly field: "host" | "port",
    reason: string,
  ) {
    super(`cannot route the run to the relay: ${field} ${reason}`);
  }
}

/** Code to send in `execute`. */
export interface RoutedCode {
  readonly pipelineCode: string;
  readonly configCode: string;
}

/**
 * Make a run stream every viewer output to the relay's viewer port.
 *
 * @param host where OpenHCS workers reach the relay: the server host's loopback, `127.0.0.1`.
 * @param port the relay's viewer data port (`relay.viewer_port` of the `ready` event).
 * @throws {@link RelayRouteError} when `host` is not a plain host name or address, or `port` is
 *   not in 1..64535 (its control port is +1000).
 */
export function routeToRelay(
  pipelineCode: string,
  configCode: string | null,
  { host = "127.0.0.1", port }: { host?: string; port: number },
): RoutedCode {
  if (!PLAIN_HOST.test(host)) {
    throw new RelayRouteError("host", `'${host}' is not a plain host name or address`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 64535) {
    throw new RelayRouteError("port", `${port} is not a TCP port (its control port is +1000)`);
  }
  const config = configCode ?? DEFAULT_CONFIG_CODE;
  const routedConfig = `${stripNewlines(config)}\n${fill(CONFIG_SUFFIX, host, port)}`;
  const routedPipeline = MENTIONS_STREAMING.test(pipelineCode)
    ? `${stripNewlines(pipelineCode)}\n${fill(PIPELINE_SUFFIX, host, port)}`
    : pipelineCode;
  return { pipelineCode: routedPipeline, configCode: routedConfig };
}

/** Whether config code already carries the relay route (e.g. the Python shim routed it). */
export function isRoutedToRelay(configCode: string): boolean {
  return configCode.includes(CONFIG_MARKER);
}

/** Python's `str.rstrip("\n")`. */
function stripNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === "\n") end -= 1;
  return text.slice(0, end);
}

function fill(template: string, host: string, port: number): string {
  return template.replaceAll("@HOST@", host).replaceAll("@PORT@", String(port));
}
