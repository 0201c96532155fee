// SPDX-License-Identifier: MIT
// ui.js: the mmp web UI's only script. Everything works without it;
// it adds live updates of running runs, zoom by dragging on a step
// chart, and '/' to jump to the filter box.
(function () {
	"use strict";

	// refresh <main> from the same address while something runs
	function live() {
		var secs = parseInt(document.body.getAttribute("data-live"), 10);
		if (!secs || secs < 1) {
			return;
		}
		window.setTimeout(function tick() {
			if (document.hidden) {
				window.setTimeout(tick, secs * 1000);
				return;
			}
			fetch(window.location.href, { credentials: "same-origin" })
				.then(function (r) {
					return r.ok ? r.text() : null;
				})
				.then(function (text) {
					if (!text) {
						return;
					}
					var doc = new DOMParser().parseFromString(text,
						"text/html");
					var fresh = doc.getElementById("main");
					var cur = document.getElementById("main");
					if (fresh && cur) {
						cur.replaceWith(document.adoptNode(fresh));
					}
					document.body.setAttribute("data-live",
						doc.body.getAttribute("data-live") || "");
					live();
				})
				.catch(function () {
					window.setTimeout(tick, secs * 4000);
				});
		}, secs * 1000);
	}

	// drag across a chart with a step axis: show those steps
	function zoom(svg) {
		var x0 = parseFloat(svg.getAttribute("data-x0"));
		var x1 = parseFloat(svg.getAttribute("data-x1"));
		var left = parseFloat(svg.getAttribute("data-left"));
		var width = parseFloat(svg.getAttribute("data-width"));
		var ns = "http://www.w3.org/2000/svg";
		var start = null, box = null;

		function pos(ev) {
			var r = svg.getBoundingClientRect();
			var vb = svg.viewBox.baseVal;
			return (ev.clientX - r.left) * vb.width / r.width;
		}
		function step(px) {
			var f = Math.min(Math.max((px - left) / width, 0), 1);
			return Math.round(x0 + f * (x1 - x0));
		}
		svg.addEventListener("mousedown", function (ev) {
			start = pos(ev);
			box = document.createElementNS(ns, "rect");
			box.setAttribute("class", "zoombox");
			box.setAttribute("y", "0");
			box.setAttribute("height", String(svg.viewBox.baseVal.height));
			box.setAttribute("x", String(start));
			box.setAttribute("width", "0");
			svg.appendChild(box);
			ev.preventDefault();
		});
		svg.addEventListener("mousemove", function (ev) {
			if (start === null) {
				return;
			}
			var p = pos(ev);
			box.setAttribute("x", String(Math.min(p, start)));
			box.setAttribute("width", String(Math.abs(p - start)));
		});
		svg.addEventListener("mouseup", function (ev) {
			if (start === null) {
				return;
			}
			var a = step(Math.min(pos(ev), start));
			var b = step(Math.max(pos(ev), start));
			box.remove();
			start = null;
			if (b > a) {
				var u = new URL(window.location.href);
				u.searchParams.set("from", String(a));
				u.searchParams.set("to", String(b));
				window.location.assign(u.toString());
			}
		});
	}

	document.addEventListener("keydown", function (ev) {
		var f = document.getElementById("filter");
		var t = ev.target && ev.target.tagName;
		if (ev.key === "/" && f && t !== "INPUT" && t !== "TEXTAREA" &&
		    t !== "SELECT") {
			f.focus();
			ev.preventDefault();
		}
	});
	document.querySelectorAll("svg[data-x0]").forEach(zoom);
	live();
}());
