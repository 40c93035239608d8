"""The page is sent what it keeps: every preview of the wells it shows, thumbnails of the rest."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import make_plate
from test_notebook_widget import browser_command, customs, recorded_run, wait_for

from openhcs_remote.notebook.images import ImageKey
from openhcs_remote.notebook.page_previews import ASKED_WELLS, HELD_WELLS, PagePreviews

REPO = Path(__file__).resolve().parents[2]


def _key(well: str, site: int, channel: int, step: str | None = "s") -> ImageKey:
    return ImageKey(well, site, channel, 1, 1, step)


def test_held_wells_is_the_browsers_own_number():
    source = (REPO / "src/widget/imaging/preview-cache.ts").read_text()
    assert re.search(r"export const HELD_WELLS = (\d+);", source).group(1) == str(HELD_WELLS)


def test_the_first_wells_go_whole_and_the_others_only_with_their_thumbnail_plane():
    page = PagePreviews()
    seq = iter(range(1, 1000))
    sent = {}
    for well in ("B02", "A01", "C03"):
        # OpenHCS's order within a well: site 2 before site 1 here, on purpose.
        for site in (2, 1):
            for channel in (1, 2):
                sent[(well, site, channel)] = page.arrived(_key(well, site, channel), next(seq))
    assert all(v for (well, _, _), v in sent.items() if well in ("B02", "A01"))
    # C03's site 2 was its thumbnail plane until site 1 came: the page, like the kernel, then
    # moves to the lower site, so both were sent; nothing of a higher site after that.
    assert [v for (well, _, _), v in sent.items() if well == "C03"] == [True] * 4
    assert page.arrived(_key("C03", 3, 1), next(seq)) is False
    assert page.arrived(_key("C03", 1, 2), next(seq)) is True  # a newer copy of that plane


def test_the_newest_previews_step_is_the_thumbnails_as_in_the_page():
    page = PagePreviews()
    for well in ("A01", "A02"):
        page.arrived(_key(well, 1, 1, "one"), 1)
    assert page.arrived(_key("B01", 1, 1, "one"), 2)
    assert page.arrived(_key("B01", 2, 1, "one"), 3) is False
    assert page.arrived(_key("B01", 2, 1, "two"), 4)  # a newer step: its first plane it is
    assert page.arrived(_key("B01", 1, 1, "one"), 2) is False  # an older one's, re-sent: no
    assert page.arrived(_key("B01", 1, 1, "two"), 5)  # a lower site of the newer step: yes


def test_a_well_asked_for_goes_whole_and_a_new_page_gets_the_held_wells_first():
    page = PagePreviews()
    keys = []
    for seq, (well, site) in enumerate(
        [(w, s) for w in ("A01", "A02", "A03", "A04") for s in (1, 2)], start=1
    ):
        keys.append(_key(well, site, 1))
        page.arrived(keys[-1], seq)
    assert page.arrived(_key("A04", 3, 1), 9) is False
    page.ask("A04")
    assert page.arrived(_key("A04", 3, 1), 10)
    chosen = page.for_page([*keys, _key("A04", 3, 1)])
    # A04 (asked for last) first, then the first two wells, then A03's thumbnail plane only.
    assert [(k.well, k.site) for k in chosen] == [
        ("A04", 1), ("A04", 2), ("A04", 3), ("A01", 1), ("A01", 2), ("A02", 1), ("A02", 2),
        ("A03", 1),
    ]  # fmt: skip
    for well in [f"B{i:02d}" for i in range(ASKED_WELLS)]:
        page.ask(well)
    assert page.arrived(_key("A04", 4, 1), 11) is False  # forgotten: asked for longest ago


@pytest.fixture(scope="module")
def three_wells(server, orchestrator_options, tmp_path_factory) -> dict[str, Any]:
    """A three-well run whose widget exists from the start, recorded message by message."""
    plate = make_plate(tmp_path_factory.mktemp("page") / "plate")
    return recorded_run(server, orchestrator_options, plate)


def test_a_run_sends_the_page_its_first_wells_whole_and_the_thumbnail_plane_of_the_rest(
    three_wells,
):
    run, channel = three_wells["run"], three_wells["comm"]
    assert len(run.display.previews) == 12  # the kernel keeps them all
    sent = customs(channel, "ohr-preview")
    order = list(dict.fromkeys(p["well"] for p in sent))
    first, last = order[:HELD_WELLS], order[HELD_WELLS]
    for well in first:
        assert sorted((p["site"], p["channel"]) for p in sent if p["well"] == well) == [
            (1, 1), (1, 2), (2, 1), (2, 2),
        ]  # fmt: skip
    assert sorted((p["site"], p["channel"]) for p in sent if p["well"] == last) == [(1, 1), (1, 2)]
    # The viewer shows the last well: it asks for it, gets all of it, and a new page after
    # that is sent that well first, then the others, with no thumbnail-only well left.
    before = len(sent)
    browser_command(three_wells["widget"], "replay_previews", {"well": last}, command_id="p1")
    wait_for(lambda: "p1" in {r["id"] for r in customs(channel, "ohr-reply")})
    run.display.flush()
    replayed = customs(channel, "ohr-preview")[before:]
    assert sorted((p["site"], p["channel"]) for p in replayed) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    before = len(customs(channel, "ohr-preview"))
    browser_command(three_wells["widget"], "replay_previews", command_id="p2")
    wait_for(lambda: "p2" in {r["id"] for r in customs(channel, "ohr-reply")})
    run.display.flush()
    reloaded = customs(channel, "ohr-preview")[before:]
    deadline = time.monotonic() + 10
    while len(reloaded) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
        reloaded = customs(channel, "ohr-preview")[before:]
    assert len(reloaded) == 12 and [p["well"] for p in reloaded[:4]] == [last] * 4
