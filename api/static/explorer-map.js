/* leernet network map: zoom and pan on the server-drawn SVG. Nodes are plain links and work without this. */
(function () {
  "use strict";
  var MIN = 1 / 8, MAX = 4;

  function setup(figure) {
    var svg = figure.querySelector("svg");
    var tools = figure.querySelector(".map-tools");
    if (!svg) { return; }
    var b = svg.viewBox.baseVal;
    var home = { x: b.x, y: b.y, w: b.width, h: b.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };
    var drag = null, moved = false;

    function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }

    function toSvg(clientX, clientY) {
      var m = svg.getScreenCTM().inverse();
      return { x: m.a * clientX + m.c * clientY + m.e, y: m.b * clientX + m.d * clientY + m.f };
    }

    function zoom(factor, cx, cy) {
      var w = Math.min(home.w * MAX, Math.max(home.w * MIN, view.w / factor));
      var s = w / view.w;
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      view.x = cx - (cx - view.x) * s;
      view.y = cy - (cy - view.y) * s;
      view.w = w;
      view.h = view.h * s;
      apply();
    }

    function pan(fx, fy) { view.x += view.w * fx; view.y += view.h * fy; apply(); }

    function reset() { view = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }

    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-zoom]");
        if (!button) { return; }
        var what = button.getAttribute("data-zoom");
        if (what === "in") { zoom(1.4); } else if (what === "out") { zoom(1 / 1.4); } else { reset(); }
      });
    }

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = toSvg(event.clientX, event.clientY);
      zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
    }, { passive: false });

    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, view: { x: view.x, y: view.y }, scale: svg.getScreenCTM().a, id: event.pointerId };
      moved = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
      if (!moved) { moved = true; svg.setPointerCapture(drag.id); svg.classList.add("dragging"); }
      view.x = drag.view.x - dx / drag.scale;
      view.y = drag.view.y - dy / drag.scale;
      apply();
    });
    function end() { drag = null; svg.classList.remove("dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    /* a drag that ends on a node must not open it */
    svg.addEventListener("click", function (event) {
      if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; }
    }, true);

    /* keyboard: + and - zoom, 0 resets, arrows pan while a node has focus */
    svg.addEventListener("keydown", function (event) {
      var keys = { "+": function () { zoom(1.4); }, "=": function () { zoom(1.4); }, "-": function () { zoom(1 / 1.4); },
        "0": reset, ArrowLeft: function () { pan(-0.1, 0); }, ArrowRight: function () { pan(0.1, 0); },
        ArrowUp: function () { pan(0, -0.1); }, ArrowDown: function () { pan(0, 0.1); } };
      if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
    });
    /* a node reached with Tab that lies outside the view is brought into it */
    svg.addEventListener("focusin", function (event) {
      var node = event.target.closest(".node");
      if (!node) { return; }
      var shape = node.querySelector("circle, rect");
      var box = shape.getBBox();
      var x = box.x + box.width / 2, y = box.y + box.height / 2;
      if (x < view.x || x > view.x + view.w || y < view.y || y > view.y + view.h) {
        view.x = x - view.w / 2; view.y = y - view.h / 2; apply();
      }
    });
  }

  document.querySelectorAll("[data-map]").forEach(setup);
}());
