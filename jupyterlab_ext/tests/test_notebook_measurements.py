"""``run.measurements()`` and ``run.rois()``: OpenHCS's own tables and ROI zips, in the kernel.

The real server runs the demo's pipeline (normalise, z-projection, count cells); what the shim
gives must equal, value for value, the files OpenHCS wrote in its results folder.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_plate
from roifile import ImagejRoi

from openhcs_remote import RemoteOrchestrator
from openhcs_remote.notebook.shim_errors import (
    FileTooLargeError,
    MeasurementTableError,
    NoSuchTableError,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pipelines"
PIPELINE = (EXAMPLES / "normalize_project_count.py").read_text()
CONFIG = (EXAMPLES / "cpu_config.py").read_text()
WELLS = ("A01", "A02", "B01")


def openhcs_table(plate: Path) -> pd.DataFrame:
    results = plate.parent / f"{plate.name}_openhcs" / "results"
    files = sorted(results.glob("*_cell_counts_step2_details.csv"))
    assert files, f"OpenHCS wrote no cell counts in {results}"
    return pd.concat([pd.read_csv(path) for path in files], ignore_index=True)


def roi_zip(path: Path) -> list[ImagejRoi]:
    """The ROIs of one zip, read straight with roifile (polystore adds a JSON beside them)."""
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if name.endswith(".roi")]
        return [ImagejRoi.frombytes(archive.read(name)) for name in names]


def openhcs_rois(plate: Path, well: str) -> list[ImagejRoi]:
    results = plate.parent / f"{plate.name}_openhcs" / "results"
    found: list[ImagejRoi] = []
    for path in sorted(results.glob(f"{well}_*_rois.roi.zip")):
        found.extend(roi_zip(path))
    return found


@pytest.fixture(scope="module")
def counted(server, orchestrator_options, tmp_path_factory):
    plate = make_plate(tmp_path_factory.mktemp("measure") / "plate", wells=WELLS)
    orch = RemoteOrchestrator(**orchestrator_options)
    run = orch.run_remote_pipeline(str(plate), PIPELINE, CONFIG)
    seen_while_running: list[pd.DataFrame] = []
    deadline = time.monotonic() + 240
    while not run.wait(0.3):
        assert time.monotonic() < deadline, f"run still {run.status}"
        if run.execution_id is not None and run.status == "running":
            seen_while_running.append(run.measurements())  # empty until a well is counted
    assert run.status == "complete", run.exception(0)
    return orch, run, plate, seen_while_running


def test_the_table_equals_openhcs_own_csv_files_value_for_value(counted):
    _, run, plate, _ = counted
    ours = run.measurements()
    theirs = openhcs_table(plate)
    assert list(ours.columns[:4]) == ["well", "site", "step", "step_index"]
    assert set(ours["step"]) == {"count_cells"} and set(ours["step_index"]) == {2}
    pd.testing.assert_frame_equal(
        ours[list(theirs.columns)].reset_index(drop=True), theirs, check_dtype=True
    )
    assert pd.api.types.is_integer_dtype(ours["cell_count"])
    assert set(ours["well"]) == set(WELLS)
    assert run.tables()[0] == "cell_counts"


def test_filters_pick_wells_and_steps_like_run_images(counted):
    _, run, _, _ = counted
    a01 = run.measurements(well="A01")
    assert len(a01) > 0 and set(a01["well"]) == {"A01"}
    both = run.measurements(well=["A01", "B01"], step="count_cells")
    assert set(both["well"]) == {"A01", "B01"}
    assert run.measurements(step=2).equals(run.measurements())
    assert run.measurements(step="normalize").empty


def test_while_the_run_goes_the_table_holds_the_wells_so_far(counted):
    _, run, _, seen = counted
    final = set(run.measurements()["well"])
    for partial in seen:
        assert set(partial["well"]) <= final
    print(
        f"\nmeasurements() answered {len(seen)} times during the run, wells seen:",
        [sorted(set(frame["well"])) for frame in seen],
    )


def test_rois_equal_openhcs_roi_zips_vertex_for_vertex(counted):
    _, run, plate, _ = counted
    for well in WELLS:
        ours = run.rois(well=well)
        theirs = openhcs_rois(plate, well)
        assert len(ours) == len(theirs) > 0
        for roi, reference in zip(ours, theirs, strict=True):
            assert roi.well == well and roi.step == "count_cells"
            assert roi.site in (1, 2) and roi.channel in (1, 2)
            assert roi.metadata["label"] >= 1 and roi.metadata["area"] > 0
            np.testing.assert_array_equal(roi.polygon, reference.coordinates()[:, ::-1])
    one_plane = run.rois(well="A01", site=1, channel=2)
    assert one_plane and all((r.site, r.channel) == (1, 2) for r in one_plane)


def test_after_attach_the_same_table_comes_back(counted, orchestrator_options):
    _, run, _, _ = counted
    fresh = RemoteOrchestrator(**orchestrator_options)
    again = fresh.attach(run.execution_id)
    again.wait(60)
    pd.testing.assert_frame_equal(again.measurements(), run.measurements())


def test_save_writes_tables_and_roi_zips_that_read_back_the_same(counted, tmp_path):
    _, run, plate, _ = counted
    target = run.save(tmp_path / "saved")
    table = pd.read_csv(target / "measurements" / "cell_counts.csv")
    pd.testing.assert_frame_equal(table, run.measurements(), check_dtype=False)
    zips = sorted((target / "rois").glob("*.roi.zip"))
    assert zips
    for path in zips:
        original = plate.parent / f"{plate.name}_openhcs" / "results" / path.name
        saved, reference = roi_zip(path), roi_zip(original)
        assert len(saved) == len(reference)
        for a, b in zip(saved, reference, strict=True):
            np.testing.assert_array_equal(a.coordinates(), b.coordinates())


def _results(plate: Path) -> Path:
    return plate.parent / f"{plate.name}_openhcs" / "results"


def _inside_the_run(path: Path, plate: Path) -> None:
    """Date a planted file inside the run's time window, as if the run had written it."""
    written = min(p.stat().st_mtime for p in _results(plate).glob("*_details.csv"))
    os.utime(path, (written, written))


def test_a_malformed_table_gets_a_named_error_naming_its_file(counted):
    _, run, plate, _ = counted
    bad = _results(plate) / "P24_channel-1_timepoint-1_cell_counts_step2_details.csv"
    bad.write_bytes(b'a,b\n1,"unclosed\n\xff\xfe\n')
    _inside_the_run(bad, plate)
    try:
        with pytest.raises(MeasurementTableError, match=bad.name):
            run.measurements()
        assert len(run.measurements(well="A01")) > 0  # the rest is still readable
    finally:
        bad.unlink()


def test_a_huge_table_is_refused_by_the_relay_with_a_named_error(counted):
    _, run, plate, _ = counted
    huge = _results(plate) / "P23_channel-1_timepoint-1_cell_counts_step2_details.csv"
    with huge.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse
    _inside_the_run(huge, plate)
    try:
        with pytest.raises(FileTooLargeError, match="P23_"):
            run.measurements(well="P23")
    finally:
        huge.unlink()


def test_an_unknown_table_names_the_tables_there_are(counted):
    _, run, _, _ = counted
    with pytest.raises(NoSuchTableError, match="cell_counts"):
        run.measurements("no_such_table")


def test_the_widget_heatmap_gets_each_wells_mean_and_the_clicked_wells_rows(counted):
    from openhcs_remote.notebook import measurement_summary

    _, run, plate, _ = counted
    reply = run.display._summary(None)
    theirs = openhcs_table(plate)
    assert reply["table"] == "cell_counts" and "cell_count" in reply["columns"]
    assert "site" not in reply["columns"] and "slice_index" not in reply["columns"]
    means = theirs.groupby("well")["cell_count"].mean()
    assert {w: v["cell_count"] for w, v in reply["wells"].items()} == means.to_dict()
    assert reply["rows"] == theirs.groupby("well").size().to_dict()
    rows = measurement_summary.well_rows(run.measurements(), "A02", 1000)
    assert rows["total"] == len(theirs[theirs["well"] == "A02"]) == len(rows["rows"])
    count = rows["columns"].index("cell_count")
    assert [row[count] for row in rows["rows"]] == list(
        theirs[theirs["well"] == "A02"]["cell_count"]
    )


def test_the_saved_contact_sheet_shows_the_plate_heatmap_of_the_wells_means(counted):
    from io import BytesIO

    from PIL import Image

    from openhcs_remote.notebook.contact_sheet import EMPTY_WELL
    from openhcs_remote.notebook.plate_heatmap import RAMP_HEIGHT, heatmap_color

    _, run, plate, _ = counted
    theirs = openhcs_table(plate)
    summary = run.display.heatmap_summary()
    column = summary["columns"][0]  # what the widget's heatmap shows first
    means = theirs.groupby("well")[column].mean()
    low, high = means.min(), means.max()
    assert low < high, f"the wells' {column} means are all {low}: nothing to check"
    plain = np.asarray(Image.open(BytesIO(run.display.contact_sheet_png())).convert("RGB"))
    sheet = np.asarray(Image.open(BytesIO(run.contact_sheet())).convert("RGB"))
    assert sheet.shape[0] > plain.shape[0] and (sheet[: plain.shape[0]] == plain).all()
    panel = sheet[plain.shape[0] :]
    stops = run._sidecar.heatmap_colors()

    def count(colour: tuple[int, int, int]) -> int:
        return int(np.all(panel == np.array(colour, np.uint8), axis=2).sum())

    # The lowest and highest wells in the map's two ends (beside the legend's), the rest empty.
    cell = (count(heatmap_color(stops, 0)) - RAMP_HEIGHT) // int((means == low).sum())
    assert cell >= 16
    assert count(heatmap_color(stops, 1)) == cell * int((means == high).sum()) + RAMP_HEIGHT
    assert count(EMPTY_WELL) == cell * (96 - len(WELLS))
    # The saved notebook's sheet output gets the same picture once the run ended.
    run.display._add_sheet_heatmap()
    assert run.display.sheet_bundle()["image/png"] == run.contact_sheet()
