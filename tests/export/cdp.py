"""A small driver for headless Chromium over the Chrome DevTools Protocol (tests only).

Clicks and drags go through ``Input.dispatchMouseEvent``: the browser hit-tests them like a
real mouse, so a control hidden under another element or off the page is not clicked.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket


class BrowserError(RuntimeError):
    """The browser did not start, answer or reach the expected state in time."""


class Browser:
    """One headless Chromium with one page; a context manager that ends the process."""

    def __init__(self, executable: str, profile: Path, width: int = 1280, height: int = 800,
                 timeout: float = 30.0) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        # A port file left by an earlier browser on this profile would name a closed port.
        (profile / "DevToolsActivePort").unlink(missing_ok=True)
        self.timeout = timeout
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--remote-debugging-port=0", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._next_id = 0
        try:
            port = self._port(profile / "DevToolsActivePort")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                        timeout=timeout) as answer:
                targets = json.load(answer)
            page = next(t for t in targets if t.get("type") == "page")
            self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout,
                                                  suppress_origin=True)
            self.send("Page.enable")
            self.size(width, height)
        except Exception:
            self.close()
            raise

    def _port(self, marker: Path) -> int:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserError(f"Chromium exited with {self.process.returncode}")
            if marker.exists():
                first = marker.read_text().split("\n", 1)[0].strip()
                if first.isdigit():
                    return int(first)
            time.sleep(0.05)
        raise BrowserError("Chromium did not open its DevTools port in time")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    # -- protocol

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
        raise BrowserError(f"{method}: no answer in time")

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able values)."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str) -> Any:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.05)
        raise BrowserError(f"still false: {expression}")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.body && document.body.getAttribute('data-ready') === '1'")

    def size(self, width: int, height: int) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # -- the mouse

    def centre(self, selector: str) -> tuple[float, float]:
        """The middle of the first element matching ``selector``, checked to be the element a
        click there would hit."""
        found = self.js(
            "(function () { var e = document.querySelector(" + json.dumps(selector) + ");"
            " if (!e) { return null; } e.scrollIntoView({block: 'center', inline: 'center'});"
            " var r = e.getBoundingClientRect(); var x = r.left + r.width / 2,"
            " y = r.top + r.height / 2; var hit = document.elementFromPoint(x, y);"
            " return [x, y, hit === e || e.contains(hit)]; })()")
        if not found:
            raise BrowserError(f"nothing matches {selector}")
        x, y, reachable = found
        if not reachable:
            raise BrowserError(f"{selector} is covered by another element")
        return float(x), float(y)

    def _mouse(self, kind: str, x: float, y: float, buttons: int = 0) -> None:
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                  buttons=buttons, clickCount=1 if kind != "mouseMoved" else 0)

    def click(self, selector: str) -> None:
        x, y = self.centre(selector)
        self._mouse("mouseMoved", x, y)
        self._mouse("mousePressed", x, y, 1)
        self._mouse("mouseReleased", x, y)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
        (x0, y0), (x1, y1) = start, end
        self._mouse("mouseMoved", x0, y0)
        self._mouse("mousePressed", x0, y0, 1)
        for i in range(1, steps + 1):
            self._mouse("mouseMoved", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, 1)
        self._mouse("mouseReleased", x1, y1)

    def type(self, text: str) -> None:
        """Type into the focused element, then press Enter."""
        self.send("Input.insertText", text=text)
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                      windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")

    def screenshot(self, path: Path, width: int, height: int) -> Path:
        self.size(width, height)
        self.js("new Promise(function (r) { requestAnimationFrame(function () { r(1); }); })")
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
