"""SVG and PNG images of the pictures, drawn by Graphviz's `dot` from their DOT text (dot.py).

`dot` comes from Debian's `graphviz` package (scripts/setup.sh installs it when apt is at hand):
one process per picture, run side by side, no browser. The same DOT text gives the same
image bytes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from genai_infra.diagrams.dot import to_dot
from genai_infra.diagrams.graph import Diagram

IMAGE_FORMATS = ("svg", "png")
# A PNG at dot's 96 dpi leaves the small labels of the larger pictures hard to read.
PNG_DPI = 144


class RenderError(RuntimeError):
    """The images cannot be drawn here; the message says what to install or what went wrong."""


def find_dot() -> str:
    """The path of Graphviz's `dot` on PATH."""
    found = shutil.which("dot")
    if found is None:
        raise RenderError(
            "drawing svg or png needs Graphviz's dot, which is not on PATH; "
            "install it with `apt-get install graphviz` (scripts/setup.sh does when apt is available)"
        )
    return found


def render_image(dot: str, picture: Diagram, image_format: str, timeout: float = 60) -> bytes:
    """The image bytes `dot` draws of one picture."""
    if image_format not in IMAGE_FORMATS:
        raise RenderError(f"unknown image format {image_format!r}; use svg or png")
    command = [dot, f"-T{image_format}"]
    if image_format == "png":
        command.append(f"-Gdpi={PNG_DPI}")
    try:
        result = subprocess.run(
            command, input=to_dot(picture).encode(), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz's dot did not finish drawing {picture.title!r} within {timeout:.0f} seconds"
        ) from None
    if result.returncode != 0 or not result.stdout:
        lines = result.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        raise RenderError(f"Graphviz's dot failed on {picture.title!r}: {lines[-1]}")
    return result.stdout


def render_images(pictures: Mapping[str, Diagram], out: Path, image_format: str) -> list[Path]:
    """Write `<stem>.<format>` into `out` for each picture (stem -> diagram); the paths written, in order."""
    dot = find_dot()
    # One `dot` process per picture, side by side: the PNGs of the larger pictures take most of a second each.
    with ThreadPoolExecutor(max_workers=len(pictures) or 1) as pool:
        drawn = pool.map(lambda picture: render_image(dot, picture, image_format), pictures.values())
        images = dict(zip(pictures, drawn, strict=True))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, image in images.items():
        written.append(out / f"{stem}.{image_format}")
        written[-1].write_bytes(image)
    return written
