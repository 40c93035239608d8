"""The order a batch's images are numbered in, and so cross the link in: plane by plane.

OpenHCS hands over a well's planes in one batch, channel by channel (channel 1 of sites 1–4,
then channel 2 of sites 1–4, …). The widget's thumbnail of a well is its first plane's
channels (lowest site, z and timepoint of the step), so in OpenHCS's order that plane's last
channel waits behind most of the well's other previews on a slow link. Numbered plane by plane
(by site, z, timepoint; each plane's channels in OpenHCS's order) it crosses first.

Only images move, and only among the places images had; each well's and step's planes stay
together in the order they first appear (a later step is never numbered between an earlier
step's planes: the thumbnail follows the newest step), and shapes keep their places.
"""

from __future__ import annotations

from openhcs_remote.server.relay.batch import IncomingItem
from openhcs_remote.server.relay.wire_checks import Scalar

#: The components that tell one plane of a well from another, most significant first.
PLANE_AXES = ("site", "z_index", "timepoint")


def _rank(value: Scalar | None) -> tuple[int, float | str]:
    """Sort key of one component's value: numbers (also as text) by value, then other text."""
    if value is None or isinstance(value, bool):
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    try:
        return (1, float(value))
    except ValueError:
        return (2, value)


def plane_order(items: list[IncomingItem]) -> list[IncomingItem]:
    """``items`` with their images in plane order (see the module's docstring)."""
    groups: dict[tuple[str, str], int] = {}
    for item in items:
        groups.setdefault(_group(item), len(groups))
    slots = [i for i, item in enumerate(items) if item.kind == "image"]
    images = sorted(
        (items[i] for i in slots),
        key=lambda item: (
            groups[_group(item)],
            *(_rank(item.components.get(axis)) for axis in PLANE_AXES),
        ),
    )
    ordered = list(items)
    for slot, image in zip(slots, images, strict=True):
        ordered[slot] = image
    return ordered


def _group(item: IncomingItem) -> tuple[str, str]:
    """Return the well and step of an item: their planes are numbered together."""
    return (str(item.components.get("well")), str(item.producer.get("step_name")))
