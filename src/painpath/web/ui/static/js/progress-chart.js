// Painpath progress charts: Chart.js (vendored, window.Chart) with chartjs-plugin-annotation.
// The page carries its data in <script type="application/json" id="progress-data"> (no inline
// script: the Content-Security-Policy forbids it); each <canvas data-chart="key"> gets one chart.
(function () {
  "use strict";

  var COLOURS = {
    line: "#0b5c7a",
    grid: "#e3e8ed",
    ink: "#1d2733",
    muted: "#4f5d6b",
    session: { passive: "#6b3fa0", active: "#1f6b35", mixed: "#0b5c7a", psychological: "#7a4b00",
               intervention: "#a4161a", surgery: "#a4161a", other: "#4f5d6b" },
    flare: { settling: "rgba(242, 183, 5, 0.22)", prolonged: "rgba(164, 22, 26, 0.20)",
             setback: "rgba(122, 75, 0, 0.30)" },
    flareBorder: { settling: "#b98900", prolonged: "#a4161a", setback: "#7a4b00" },
    relief: "rgba(31, 107, 53, 0.14)",
    reliefBorder: "rgba(31, 107, 53, 0.55)",
    soreness: "rgba(79, 93, 107, 0.16)",
    baseline: "#4f5d6b",
    target: "#1f6b35"
  };

  function registerAnnotation(Chart) {
    if (Chart.registry && Chart.registry.plugins.get("annotation")) return true;
    var plugin = window["chartjs-plugin-annotation"];
    if (plugin) {
      Chart.register(plugin);
      return true;
    }
    return false;
  }

  function sessionLines(sessions) {
    var out = {};
    sessions.forEach(function (s, i) {
      var colour = COLOURS.session[s.kind] || COLOURS.session.other;
      out["session" + i] = {
        type: "line",
        xMin: s.x,
        xMax: s.x,
        borderColor: colour,
        borderWidth: 2,
        borderDash: s.kind === "passive" ? [5, 4] : (s.kind === "mixed" ? [10, 3, 2, 3] : []),
        drawTime: "beforeDatasetsDraw",
        label: {
          display: true,
          content: s.mark,
          position: "end",
          backgroundColor: colour,
          color: "#fff",
          font: { size: 10, weight: "bold" },
          padding: 2
        }
      };
    });
    return out;
  }

  function boxes(chart) {
    var out = {};
    chart.boxes.forEach(function (b, i) {
      // Labels sit below the session marks drawn along the top of the chart.
      var fill, border, dash = [], x = "center", y = "start", yAdjust = 20, content = b.label;
      if (b.kind === "flare") {
        fill = COLOURS.flare[b.status] || COLOURS.flare.settling;
        border = COLOURS.flareBorder[b.status] || COLOURS.flareBorder.settling;
        dash = b.status === "settling" ? [4, 3] : [];
      } else if (b.kind === "relief") {
        fill = COLOURS.relief;
        border = COLOURS.reliefBorder;
        dash = [2, 2];
        y = "end";
        yAdjust = 0;
        // A narrow window keeps only its number of days (the key above says what green is).
        content = function (ctx) {
          var wide = ctx.element && ctx.element.width > 64;
          return wide ? b.label : b.label.replace("Relief ", "");
        };
      } else {
        fill = COLOURS.soreness;
        border = COLOURS.muted;
        dash = [1, 3];
      }
      out["box" + i] = {
        type: "box",
        xMin: b.from,
        xMax: b.to,
        backgroundColor: fill,
        borderColor: border,
        borderWidth: 1,
        borderDash: dash,
        drawTime: "beforeDatasetsDraw",
        label: {
          display: true,
          content: content,
          position: { x: x, y: y },
          yAdjust: yAdjust,
          backgroundColor: "rgba(255, 255, 255, 0.85)",
          color: COLOURS.ink,
          font: { size: 10 },
          padding: 2
        }
      };
    });
    return out;
  }

  function levelLines(chart) {
    var out = {};
    chart.lines.forEach(function (l, i) {
      var colour = l.kind === "target" ? COLOURS.target : COLOURS.baseline;
      out["level" + i] = {
        type: "line",
        yMin: l.y,
        yMax: l.y,
        borderColor: colour,
        borderWidth: 2,
        borderDash: l.kind === "target" ? [] : [6, 4],
        drawTime: "beforeDatasetsDraw",
        label: {
          display: true,
          content: l.label,
          position: "start",
          xAdjust: 4,
          yAdjust: l.kind === "target" ? -10 : 10,
          backgroundColor: "rgba(255,255,255,0.8)",
          color: colour,
          font: { size: 11, weight: "bold" },
          padding: 1
        }
      };
    });
    return out;
  }

  function draw(Chart, canvas, chart, data, withAnnotations) {
    var annotations = {};
    if (withAnnotations) {
      Object.assign(annotations, boxes(chart), levelLines(chart), sessionLines(data.sessions));
    }
    var y = { beginAtZero: true, grid: { color: COLOURS.grid }, ticks: { color: COLOURS.muted } };
    if (chart.min !== null && chart.min !== undefined) y.min = chart.min;
    if (chart.max !== null && chart.max !== undefined) y.max = chart.max;
    if (chart.suggestedMax) y.suggestedMax = chart.suggestedMax;
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: chart.title,
          data: chart.values,
          borderColor: COLOURS.line,
          backgroundColor: COLOURS.line,
          borderWidth: 2,
          pointRadius: 2.5,
          pointHoverRadius: 5,
          spanGaps: true,
          tension: 0
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { color: COLOURS.muted, autoSkip: true, maxRotation: 0 } },
          y: y
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? data.dates[items[0].dataIndex] : ""; },
              label: function (item) {
                return item.parsed.y === null ? "not logged" : item.formattedValue + " " + (chart.unit || "");
              }
            }
          },
          annotation: { annotations: annotations }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("progress-data");
    var Chart = window.Chart;
    if (!holder || !Chart) return;
    var data = JSON.parse(holder.textContent);
    var withAnnotations = registerAnnotation(Chart);
    var byKey = {};
    data.charts.forEach(function (c) { byKey[c.key] = c; });
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = byKey[canvas.getAttribute("data-chart")];
      if (chart) draw(Chart, canvas, chart, data, withAnnotations);
    });
  });
})();
