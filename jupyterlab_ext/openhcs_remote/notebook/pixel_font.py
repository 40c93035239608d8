"""A 3×5 pixel font for the contact sheet's row letters and column numbers (no Pillow needed)."""

from __future__ import annotations

import numpy as np

# Each glyph: five rows of three pixels, top to bottom, "1" where the pixel is lit.
GLYPHS: dict[str, str] = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001010010",
    "8": "111101111101111",
    "9": "111101111001111",
    "A": "010101111101101",
    "B": "110101110101110",
    "C": "011100100100011",
    "D": "110101101101110",
    "E": "111100110100111",
    "F": "111100110100100",
    "G": "011100101101011",
    "H": "101101111101101",
    "I": "111010010010111",
    "J": "001001001101010",
    "K": "101101110101101",
    "L": "100100100100111",
    "M": "101111111101101",
    "N": "110101101101101",
    "O": "010101101101010",
    "P": "110101110100100",
    "Q": "010101101110011",
    "R": "110101110101101",
    "S": "011100010001110",
    "T": "111010010010010",
    "U": "101101101101111",
    "V": "101101101101010",
    "W": "101101111111101",
    "X": "101101010101101",
    "Y": "101101010010010",
    "Z": "111001010100111",
    " ": "000000000000000",
    ".": "000000000000010",
    ",": "000000000010100",
    "-": "000000111000000",
    "+": "000010111010000",
    "_": "000000000000111",
    ":": "000010000010000",
    "/": "001001010100100",
    "(": "010100100100010",
    ")": "010001001001010",
    "%": "101001010100101",
    "?": "111001010000010",
}
GLYPH_WIDTH, GLYPH_HEIGHT = 3, 5


def text_size(text: str, scale: int) -> tuple[int, int]:
    """Width and height in pixels of ``text`` drawn at ``scale`` (one glyph-column apart)."""
    if not text:
        return 0, 0
    return (len(text) * (GLYPH_WIDTH + 1) - 1) * scale, GLYPH_HEIGHT * scale


def draw_text(
    image: np.ndarray, text: str, top: int, left: int, scale: int, color: tuple[int, int, int]
) -> None:
    """Draw ``text`` into an RGB image, clipped to its edges (what :func:`drawable` makes of it)."""
    for index, char in enumerate(drawable(text)):
        bits = np.array([c == "1" for c in GLYPHS[char]], bool).reshape(GLYPH_HEIGHT, GLYPH_WIDTH)
        mask = np.kron(bits, np.ones((scale, scale), bool))
        y, x = top, left + index * (GLYPH_WIDTH + 1) * scale
        height = max(0, min(mask.shape[0], image.shape[0] - y))
        width = max(0, min(mask.shape[1], image.shape[1] - x))
        region = image[y : y + height, x : x + width]
        region[mask[:height, :width]] = color


def drawable(text: str) -> str:
    """``text`` in what the font has: letters as capitals, anything else it lacks as ``?``."""
    return "".join(c if c in GLYPHS else "?" for c in text.upper())
