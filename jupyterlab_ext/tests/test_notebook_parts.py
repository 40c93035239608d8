"""The shim's parts that need no server: code generation, OMERO layout, versions, options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openhcs_remote import __version__
from openhcs_remote.notebook._frontend import MODULE_NAME, MODULE_VERSION
from openhcs_remote.notebook.codegen import DEFAULT_CONFIG_CODE, pipeline_and_config_code
from openhcs_remote.notebook.omero_layout import read_omero_plate, well_name
from openhcs_remote.notebook.relay_endpoint import RelayEndpoint, relay_endpoint
from openhcs_remote.notebook.run_state import RunState, infer_layout
from openhcs_remote.notebook.shim_errors import (
    CodeGenerationError,
    OmeroLayoutError,
    RemoteExecutionError,
    ServerUnreachableError,
    error_from_wire,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_python_version_widget_module_version_and_package_json_agree():
    from openhcs_remote.notebook.widget import OhrRunWidget

    package = json.loads((REPO_ROOT / "package.json").read_text())
    assert package["name"] == MODULE_NAME
    assert MODULE_NAME == "openhcs-remote"
    assert __version__ == package["version"]
    assert f"^{package['version']}" == MODULE_VERSION
    widget = OhrRunWidget()
    assert widget._model_module_version == widget._view_module_version == MODULE_VERSION


def test_openhcs_objects_become_the_source_openhcs_itself_generates():
    from openhcs.core.config import GlobalPipelineConfig, PipelineConfig
    from openhcs.core.pipeline_document import PipelineDocumentAuthority
    from openhcs.core.steps.function_step import FunctionStep
    from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize

    steps = [
        FunctionStep(
            func=(stack_percentile_normalize, {"low_percentile": 2.0, "high_percentile": 97.0}),
            name="normalize",
        )
    ]
    pipeline_code, config_code = pipeline_and_config_code(
        steps, GlobalPipelineConfig(num_workers=3)
    )
    assert "'low_percentile': 2.0" in pipeline_code and "name='normalize'" in pipeline_code
    assert "num_workers=3" in config_code and "config = GlobalPipelineConfig(" in config_code
    rebuilt = PipelineDocumentAuthority.from_source(pipeline_code)
    assert [s.name for s in rebuilt.pipeline_steps] == ["normalize"]
    namespace: dict[str, Any] = {}
    exec(config_code, namespace)
    assert namespace["config"].num_workers == 3

    # A PipelineConfig is the pipeline's own config: it is rendered into the pipeline code.
    code, config = pipeline_and_config_code(steps, PipelineConfig())
    assert "pipeline_config = PipelineConfig()" in code and config == DEFAULT_CONFIG_CODE


def test_code_strings_and_paths_pass_through_unchanged(tmp_path):
    source = "pipeline_steps = []\n"
    path = tmp_path / "pipeline.py"
    path.write_text(source)
    assert pipeline_and_config_code(source, "config = 1\n") == (source, "config = 1\n")
    assert pipeline_and_config_code(path) == (source, DEFAULT_CONFIG_CODE)


def test_objects_that_are_neither_code_nor_openhcs_are_refused_with_their_type():
    with pytest.raises(CodeGenerationError, match="dict"):
        pipeline_and_config_code({"steps": []})
    with pytest.raises(CodeGenerationError, match="int"):
        pipeline_and_config_code("pipeline_steps = []\n", 42)


class FakeImage:
    def __init__(self, labels: list[str]) -> None:
        self.labels = labels

    def getChannelLabels(self) -> list[str]:  # noqa: N802 - BlitzGateway's name
        return self.labels


class FakeWell:
    def __init__(self, row: int, column: int, labels: list[str]) -> None:
        self.row, self.column, self.image = row, column, FakeImage(labels)

    def getRow(self) -> int:  # noqa: N802
        return self.row

    def getColumn(self) -> int:  # noqa: N802
        return self.column

    def getWellPos(self) -> str:  # noqa: N802
        return f"{chr(65 + self.row)}{self.column + 1}"

    def getImage(self, index: int = 0) -> FakeImage:  # noqa: N802
        return self.image


class FakePlate:
    def __init__(self, wells: list[FakeWell], grid: dict[str, int] | None) -> None:
        self.wells, self.grid = wells, grid

    def getName(self) -> str:  # noqa: N802
        return "screen-7"

    def getGridSize(self) -> dict[str, int] | None:  # noqa: N802
        return self.grid

    def listChildren(self) -> list[FakeWell]:  # noqa: N802
        return self.wells


class FakeBlitzGateway:
    """The few BlitzGateway calls the adapter makes; OMERO itself is not installed here."""

    def __init__(self, plates: dict[int, FakePlate]) -> None:
        self.plates = plates
        self.asked: list[tuple[str, int]] = []

    def getObject(self, kind: str, object_id: int) -> FakePlate | None:  # noqa: N802
        self.asked.append((kind, object_id))
        return self.plates.get(object_id)


def test_omero_gives_the_plate_layout_and_channel_names_before_any_image():
    labels = ["DAPI", "GFP"]
    conn = FakeBlitzGateway(
        {
            2201: FakePlate(
                [FakeWell(0, 0, labels), FakeWell(15, 23, labels)], {"rows": 16, "columns": 24}
            )
        }
    )
    plate = read_omero_plate(conn, "2201")
    assert conn.asked == [("Plate", 2201)]
    assert plate.layout == {"rows": 16, "columns": 24}
    assert plate.wells == ("A01", "P24") and plate.channel_names == ("DAPI", "GFP")

    state = RunState("gpu:7777", palette=lambda: ("#0000FF", "#00FF00"))
    state.set_omero_layout(plate.layout, list(plate.channel_names))
    traits = state.traits()
    assert traits["plate_layout"] == {"rows": 16, "columns": 24}
    assert [(c["index"], c["name"]) for c in traits["channels"]] == [(1, "DAPI"), (2, "GFP")]
    # An image from the run does not rename a channel OMERO named.
    state.apply(
        {"event": "image_stored", "well": "B03", "channel": 1, "component_names": {"channel": "1"}}
    )
    assert state.traits()["channels"][0]["name"] == "DAPI"
    assert state.traits()["plate_layout"] == {"rows": 16, "columns": 24}


def test_omero_without_a_grid_size_gets_the_smallest_plate_that_holds_its_wells():
    conn = FakeBlitzGateway({5: FakePlate([FakeWell(1, 2, [])], None)})
    assert (
        read_omero_plate(conn, 5).layout
        == {"rows": 8, "columns": 12}
        == infer_layout(["B03", "A01"])
    )
    with pytest.raises(OmeroLayoutError, match="no plate 6"):
        read_omero_plate(conn, 6)
    with pytest.raises(OmeroLayoutError, match="number"):
        read_omero_plate(conn, "/data/plate")
    assert well_name(26, 0) == "AA01"


def test_the_relay_option_reads_every_shorthand_and_refuses_nonsense():
    assert relay_endpoint(None, "gpu") == RelayEndpoint("gpu", 5600)
    assert relay_endpoint(False, "gpu") is None
    assert relay_endpoint(5700, "gpu") == RelayEndpoint("gpu", 5700)
    assert relay_endpoint("relay.lab:5601", "gpu") == RelayEndpoint("relay.lab", 5601)
    assert relay_endpoint(("h", 1), "gpu") == RelayEndpoint("h", 1)
    key = "x" * 40
    assert relay_endpoint({"port": 9, "curve_public_key": key}, "gpu") == RelayEndpoint(
        "gpu", 9, key
    )
    for bad in ("nohost", 0, {"port": 70000}, {"port": 9, "curve_public_key": "short"}, 1.5):
        with pytest.raises(ValueError):
            relay_endpoint(bad, "gpu")


def test_sidecar_errors_become_the_python_class_of_their_code():
    unreachable = error_from_wire({"code": "ERR_SERVER_UNREACHABLE", "message": "no server"})
    assert (
        isinstance(unreachable, ServerUnreachableError)
        and unreachable.code == "ERR_SERVER_UNREACHABLE"
    )
    failed = error_from_wire(
        {
            "code": "ERR_RUN_FAILED",
            "message": "boom",
            "traceback": "Traceback…\nValueError: boom\n",
        },
        execution_id="e1",
        address="h:1",
    )
    assert isinstance(failed, RemoteExecutionError)
    assert failed._render_traceback_() == [
        "[h:1 run e1] RemoteExecutionError: boom",
        "Server traceback:",
        "Traceback…",
        "ValueError: boom",
    ]
    unknown = error_from_wire({"code": "ERR_SOMETHING_NEW", "message": "?"})
    assert unknown.code == "ERR_SOMETHING_NEW"


def test_anywidget_carries_the_bundled_front_end_in_vs_code_or_when_asked(monkeypatch):
    pytest.importorskip("anywidget")
    from openhcs_remote.notebook import widget

    if widget._load_bundle() is None:
        pytest.skip("the widget bundle is not built (scripts/build-widget.mjs)")
    monkeypatch.delenv("VSCODE_PID", raising=False)
    monkeypatch.setenv("OPENHCS_REMOTE_WIDGET", "anywidget")
    chosen = widget.widget_class()
    assert chosen.__name__ == "OhrRunAnyWidget"
    instance = chosen()
    assert "export" in instance._esm and instance.status == "connecting"
    assert set(widget.OhrRunWidget().keys) - {"_model_module_version", "_view_module_version"} <= (
        set(instance.keys) | {"_model_module", "_view_module", "_model_name", "_view_name"}
    )
    monkeypatch.setenv("OPENHCS_REMOTE_WIDGET", "ipywidgets")
    assert widget.widget_class() is widget.OhrRunWidget
    monkeypatch.delenv("OPENHCS_REMOTE_WIDGET")
    assert widget.widget_class() is widget.OhrRunWidget
    monkeypatch.setenv("VSCODE_PID", "1")
    assert widget.widget_class() is chosen
