"""How long the HTML view takes to open in headless Chromium, and to redraw after a slider move.

    python bench/view_open.py PAGE.html...

Drives Chromium over the DevTools protocol with the tests' driver (tests/export/cdp.py, needs
websocket-client from the test extra); "ready" is from navigation until the page script has drawn
everything, "redraw" one move of the time slider's end to its first date.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.export.cdp import Browser  # noqa: E402

SLIDE = ("var t = document.getElementById('time-to'); t.value = '0';"
         " t.dispatchEvent(new Event('input'))")


def main(pages: list[str]) -> int:
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
    for page in pages:
        with tempfile.TemporaryDirectory() as profile, \
                Browser("/usr/bin/chromium", Path(profile), timeout=120) as browser:
            start = time.monotonic()
            browser.open(Path(page).resolve().as_uri())
            ready = time.monotonic() - start
            start = time.monotonic()
            browser.js(SLIDE)
            redraw = time.monotonic() - start
            summary = browser.js("document.getElementById('summary').textContent")
            print(f"{page}: ready {ready:.2f} s, redraw {redraw:.2f} s ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
