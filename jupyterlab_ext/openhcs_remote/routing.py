"""Point an OpenHCS run at the relay, by text: no openhcs needed on the client.

Two rules (``docs/relay-stream-protocol.md`` §"Routing a run to the relay"):

1. **config code** always gets :data:`CONFIG_SUFFIX` appended. It rebinds
   ``config`` (the ``GlobalPipelineConfig`` the execution server reads) with Fiji
   streaming enabled, persistent, over TCP to the relay's viewer port, and Napari
   streaming disabled. Steps that say nothing about streaming inherit this, so a
   pipeline with no streaming configured streams every step through the relay.
2. **pipeline code** gets :data:`PIPELINE_SUFFIX` appended only if it mentions
   ``streaming`` (any per-step or pipeline-level streaming config). The suffix
   rewrites each step's streaming configs so that every enabled viewer stream goes
   to the relay: host, port, TCP and persistence are forced, a step configured for
   a local Napari streams the same wells through Fiji's config instead (OpenHCS
   0.8.6 refuses Napari configs when napari is not installed on the server), and
   a step explicitly disabled stays disabled.

The relay is reached as a Fiji viewer because OpenHCS 0.8.6 only imports napari
to create a Napari viewer handle, even for an external one, while its Fiji
handle needs nothing beyond openhcs itself. The relay accepts both forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_CONFIG_CODE = (
    "from openhcs.core.config import GlobalPipelineConfig\nconfig = GlobalPipelineConfig()\n"
)

CONFIG_SUFFIX = """
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
"""

PIPELINE_SUFFIX = """
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
    # Unset (all-inherit) configs: the plate inherits the relay route from ``config``.
    values.update(
        napari_streaming_config=LazyNapariStreamingConfig(),
        fiji_streaming_config=LazyFijiStreamingConfig(),
    )
    return type(pipeline_config)(**values)


_ohr_route_streams(pipeline_steps, "@HOST@", @PORT@)
if "pipeline_config" in globals() and pipeline_config is not None:
    pipeline_config = _ohr_route_pipeline_config(pipeline_config)
"""

_MENTIONS_STREAMING = re.compile(r"streaming", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9.:\-\[\]]{1,253}$")


@dataclass(frozen=True)
class RoutedCode:
    """Code to send in ``execute``: ``pipeline_code`` and ``config_code``."""

    pipeline_code: str
    config_code: str


def route_to_relay(
    pipeline_code: str, config_code: str | None, *, host: str = "127.0.0.1", port: int
) -> RoutedCode:
    """Make a run stream every viewer output to the relay's viewer port.

    Parameters
    ----------
    pipeline_code
        OpenHCS pipeline source defining ``pipeline_steps`` (and optionally
        ``pipeline_config``).
    config_code
        Source defining ``config``, a ``GlobalPipelineConfig``; None for the default.
    host
        Where OpenHCS workers reach the relay: the server host's loopback.
    port
        The relay's viewer data port (the ``relay.viewer_port`` of the ``ready`` event).

    Raises
    ------
    ValueError
        ``host`` or ``port`` is not a plain host name / TCP port.
    """
    if not _HOST.match(host):
        raise ValueError(f"relay host {host!r} is not a plain host name or address")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 64535:
        raise ValueError(
            f"relay viewer port {port!r} is not a TCP port (its control port is +1000)"
        )
    config = DEFAULT_CONFIG_CODE if config_code is None else config_code
    routed_config = config.rstrip("\n") + "\n" + _fill(CONFIG_SUFFIX, host, port)
    routed_pipeline = pipeline_code
    if _MENTIONS_STREAMING.search(pipeline_code):
        routed_pipeline = pipeline_code.rstrip("\n") + "\n" + _fill(PIPELINE_SUFFIX, host, port)
    return RoutedCode(routed_pipeline, routed_config)


def _fill(template: str, host: str, port: int) -> str:
    return template.replace("@HOST@", host).replace("@PORT@", str(port))
