#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# ui-browser.py: drive headless Chromium over the DevTools protocol
# (--remote-debugging-pipe) for the browser tests of `mmp ui`.
#
#   ui-browser.py CHROMIUM OUTDIR STEP...
#
# Steps, run in order:
#   go URL NAME      load URL; save NAME.png (a screenshot), NAME.html
#                    (the DOM after scripts ran) and NAME.console (every
#                    console error, exception and CSP or load failure)
#   wait NAME        wait for the next page load (after a click or a
#                    drag) and save as `go` does
#   eval EXPR        print the JSON value of a JavaScript expression
#   dark | light     emulate prefers-color-scheme
#   nojs | js        disable or enable JavaScript for the next loads
#   key K            press key K (keydown and keyup)
#   drag SEL F0 F1   drag across the element SEL from F0 to F1 (fractions
#                    of its width) at half its height
#   sleep S          wait S seconds, handling events
# Every wait is bounded (30 s); a timeout exits 2.
import base64
import json
import os
import select
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, outdir):
        self.outdir = outdir
        ud = os.path.join(outdir, "chromium-profile")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # the protocol's fds are 3 (in) and 4 (out), inherited
            a = os.dup2(to_child_r, 100)
            b = os.dup2(from_child_w, 101)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--mute-audio",
             "--hide-scrollbars", "--user-data-dir=" + ud,
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(outdir, "chromium.log"), "w"))
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.errors = []
        self.session = None
        tid = self.call("Target.createTarget",
                        {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": tid,
                                  "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(m)

    def send(self, method, params, session):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                sys.exit("ui-browser: timed out")
            r, _, _ = select.select([self.from_child], [], [], left)
            if r:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    sys.exit("ui-browser: chromium exited")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        msg = json.loads(raw)
        if "method" in msg:
            self.event(msg)
        return msg

    def event(self, msg):
        m, p = msg["method"], msg.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("text", "") + " " +
                               str(d.get("exception", {})
                                   .get("description", "")))
        elif m == "Runtime.consoleAPICalled" and p["type"] in (
                "error", "warning", "assert"):
            self.errors.append("console.%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p["args"])))
        elif m == "Log.entryAdded" and p["entry"]["level"] in (
                "error", "warning"):
            e = p["entry"]
            self.errors.append("%s %s: %s %s" % (
                e["source"], e["level"], e["text"], e.get("url", "")))
        self.events.append(msg)

    def call(self, method, params=None, session=True):
        i = self.send(method, params, self.session if session else None)
        deadline = time.time() + 30
        while True:
            msg = self.read(deadline)
            if msg.get("id") == i:
                if "error" in msg:
                    sys.exit("ui-browser: %s: %s" % (method, msg["error"]))
                return msg.get("result", {})

    def wait_event(self, name):
        deadline = time.time() + 30
        for k, msg in enumerate(self.events):
            if msg["method"] == name:
                del self.events[:k + 1]
                return
        self.events = []
        while True:
            msg = self.read(deadline)
            if msg.get("method") == name:
                self.events = []
                return

    def pump(self, seconds):
        deadline = time.time() + seconds
        while True:
            left = deadline - time.time()
            if left <= 0:
                return
            r, _, _ = select.select([self.from_child], [], [], left)
            if r:
                self.read(time.time() + 30)

    def save(self, name):
        self.pump(0.3)
        html = self.eval("document.documentElement.outerHTML")
        with open(os.path.join(self.outdir, name + ".html"), "w",
                  encoding="utf-8") as f:
            f.write("<!DOCTYPE html>\n" + html)
        h = self.eval("Math.ceil(document.documentElement.scrollHeight)")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": min(max(int(h), 600), 6000),
                   "deviceScaleFactor": 1, "mobile": False})
        shot = self.call("Page.captureScreenshot", {"format": "png"})
        with open(os.path.join(self.outdir, name + ".png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        with open(os.path.join(self.outdir, name + ".console"), "w") as f:
            for e in self.errors:
                f.write(e + "\n")
        self.errors = []

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True})
        if "exceptionDetails" in r:
            sys.exit("ui-browser: eval %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def go(self, url, name):
        self.events = []
        self.errors = []
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")
        self.save(name)

    def mouse(self, kind, x, y):
        self.call("Input.dispatchMouseEvent",
                  {"type": kind, "x": x, "y": y, "button": "left",
                   "buttons": 1 if kind != "mouseReleased" else 0,
                   "clickCount": 1})

    def drag(self, sel, f0, f1):
        box = self.eval("(function(){var r=document.querySelector(%s)"
                        ".getBoundingClientRect();return [r.left,r.top,"
                        "r.width,r.height];})()" % json.dumps(sel))
        x0 = box[0] + box[2] * float(f0)
        x1 = box[0] + box[2] * float(f1)
        y = box[1] + box[3] / 2
        self.events = []
        self.mouse("mousePressed", x0, y)
        self.mouse("mouseMoved", (x0 + x1) / 2, y)
        self.mouse("mouseMoved", x1, y)
        self.mouse("mouseReleased", x1, y)

    def key(self, k):
        for kind in ("keyDown", "keyUp"):
            p = {"type": kind, "key": k}
            if kind == "keyDown" and len(k) == 1:
                p["text"] = k
            self.call("Input.dispatchKeyEvent", p)

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except SystemExit:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    chromium, outdir, steps = sys.argv[1], sys.argv[2], sys.argv[3:]
    b = Browser(chromium, outdir)
    try:
        i = 0
        while i < len(steps):
            s = steps[i]
            if s == "go":
                b.go(steps[i + 1], steps[i + 2])
                i += 3
            elif s == "wait":
                b.wait_event("Page.loadEventFired")
                b.save(steps[i + 1])
                i += 2
            elif s == "eval":
                print(json.dumps(b.eval(steps[i + 1])))
                sys.stdout.flush()
                i += 2
            elif s in ("dark", "light"):
                b.call("Emulation.setEmulatedMedia", {"features": [
                    {"name": "prefers-color-scheme", "value": s}]})
                i += 1
            elif s in ("nojs", "js"):
                b.call("Emulation.setScriptExecutionDisabled",
                       {"value": s == "nojs"})
                i += 1
            elif s == "key":
                b.key(steps[i + 1])
                i += 2
            elif s == "drag":
                b.drag(steps[i + 1], steps[i + 2], steps[i + 3])
                i += 4
            elif s == "sleep":
                b.pump(float(steps[i + 1]))
                i += 2
            else:
                sys.exit("ui-browser: unknown step " + s)
    finally:
        b.close()


main()
