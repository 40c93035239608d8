"""The static contact sheet as a notebook output: what a saved notebook shows without a kernel.

JupyterLab renders a widget output whose model is gone as "Error displaying widget" even when the
same bundle holds an image, so the sheet is an output of its own. Its HTML carries the classes
the labextension's CSS hides while the live widget renders (``style/base.css``); ``image/png``
and ``text/plain`` serve other front ends.
"""

from __future__ import annotations

import base64
import html
from typing import Any

SHEET_CLASS = "ohr-contact-sheet"


def sheet_bundle(summary: str, png: bytes | None, *, done: bool) -> dict[str, Any]:
    """Return the output: a PNG once the run ended (and has previews), a caption before."""
    caption = html.escape(f"{summary} (contact sheet)")
    if not done:
        return {
            "text/html": f'<div class="{SHEET_CLASS}-caption">{caption}</div>',
            "text/plain": caption,
        }
    if png is None:
        return {"text/plain": caption}
    encoded = base64.b64encode(png).decode("ascii")
    image = f'<img class="{SHEET_CLASS}" alt="{caption}" src="data:image/png;base64,{encoded}"/>'
    return {
        "text/html": f'{image}<div class="{SHEET_CLASS}-caption">{caption}</div>',
        "image/png": png,
        "text/plain": caption,
    }
