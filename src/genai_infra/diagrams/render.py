"""SVG and PNG images of Mermaid pictures, drawn by the mermaid CLI (pinned in package.json).

The CLI drives a headless Chromium through puppeteer. Puppeteer's own browser download is
skipped at install time (scripts/setup.sh), so the machine's Chromium is used: Debian's
`chromium` package works offline. All pictures go through one CLI call, so the browser starts
once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from genai_infra.synth import PROJECT_ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
IMAGE_FORMATS = ("svg", "png")


class RenderError(RuntimeError):
    """The images cannot be drawn here; the message says what to install."""


def mermaid_cli() -> Path:
    path = PROJECT_ROOT / "node_modules" / ".bin" / "mmdc"
    if not path.exists():
        raise RenderError("the mermaid CLI is not installed; run scripts/setup.sh")
    return path


def find_browser() -> str:
    """PUPPETEER_EXECUTABLE_PATH when set, else the first Chromium on PATH."""
    chosen = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if chosen:
        if not Path(chosen).exists():
            raise RenderError(f"PUPPETEER_EXECUTABLE_PATH points to {chosen}, which does not exist")
        return chosen
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(
        "drawing images needs a Chromium for the mermaid CLI; install one (apt-get install chromium) "
        "or set PUPPETEER_EXECUTABLE_PATH"
    )


def render_images(pictures: Mapping[str, str], out: Path, image_format: str, timeout: float = 180) -> list[Path]:
    """Write `<stem>.<format>` into `out` for each Mermaid text in `pictures` (stem -> Mermaid)."""
    if image_format not in IMAGE_FORMATS:
        raise RenderError(f"unknown image format {image_format!r}; use svg or png")
    cli, browser = mermaid_cli(), find_browser()
    out.mkdir(parents=True, exist_ok=True)
    stems = list(pictures)
    with tempfile.TemporaryDirectory(prefix="genai-diagram-") as work:
        folder = Path(work)
        # A Markdown input renders every ```mermaid block as <name>-<n>.<format>, in order.
        source = folder / "pictures.md"
        source.write_text("".join(f"```mermaid\n{pictures[stem]}```\n\n" for stem in stems), encoding="utf-8")
        # Chromium refuses to start its sandbox as root (as in CI containers); the input is our own text.
        config = folder / "puppeteer.json"
        config.write_text(json.dumps({"executablePath": browser, "args": ["--no-sandbox"]}), encoding="utf-8")
        # mmdc's `#!/usr/bin/env node` must find the project's Node 22, not an older system Node.
        env = dict(os.environ, PATH=f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}")
        command = [
            str(cli),
            "--quiet",
            "-p",
            str(config),
            "-i",
            str(source),
            "-o",
            str(folder / f"image.{image_format}"),
        ]
        if image_format == "png":
            command += ["--scale", "2"]  # the default 800-pixel-wide bitmap is unreadable for the larger pictures
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"the mermaid CLI did not finish within {timeout:.0f} seconds") from None
        if result.returncode != 0:
            detail = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
            raise RenderError(f"the mermaid CLI failed: {detail}")
        written = []
        for index, stem in enumerate(stems, start=1):
            drawn = folder / f"image-{index}.{image_format}"
            if not drawn.exists():
                raise RenderError(f"the mermaid CLI drew no image for {stem}")
            target = out / f"{stem}.{image_format}"
            shutil.move(drawn, target)
            written.append(target)
    return written
