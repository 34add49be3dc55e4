#include "report_html.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "svg_plot.h"

namespace lbasim::report {
namespace {

using svg::Scale;

constexpr double kWidth = 1100;

std::string chunk_name(std::int64_t chunk) {
  return chunk == 0 ? std::string("no chunking") : fmt::format("chunk {}", chunk);
}

std::string svg_open(double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" role=\"img\">\n"
      "<title>{2}</title>\n{3}",
      kWidth, height, escape_html(title),
      svg::text(kWidth / 2, 24, title, "middle", 16, "font-weight=\"bold\""));
}

// One legend entry per (colour, label), drawn in a row under the title.
std::string legend(const std::vector<std::pair<std::string, std::string>>& entries, double y,
                   const std::string& marker = "circle") {
  std::string s;
  double x = 90;
  for (const auto& [colour, label] : entries) {
    if (marker == "circle")
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"/>\n", x, y - 4,
                       colour);
    else
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\" "
          "stroke=\"#666\" stroke-width=\"0.5\"/>\n",
          x - 6, y - 10, colour);
    s += svg::text(x + 10, y, label, "start", 12);
    x += 30 + 6.4 * static_cast<double>(label.size());
  }
  return s;
}

// (1) Top-1 against accumulator width, one line per chunk size.
std::string plot_top1_vs_width(const Report& r) {
  std::map<std::int64_t, std::map<std::string, const PointRecord*>> by_chunk;  // chunk -> acc
  double ylo = 100, yhi = 0, xlo = 1e9, xhi = 0, ref = 0;
  for (const PointRecord& p : r.points) {
    by_chunk[p.chunk].emplace(p.accumulator, &p);  // accuracy is the same on every array
    ylo = std::min({ylo, p.top1 * 100, p.reference_top1 * 100});
    yhi = std::max({yhi, p.top1 * 100, p.reference_top1 * 100});
    xlo = std::min(xlo, double(p.acc_bits));
    xhi = std::max(xhi, double(p.acc_bits));
    ref = std::max(ref, p.reference_top1 * 100);
  }
  svg::pad_range(ylo, yhi, 0.08);
  svg::pad_range(xlo, xhi, 0.05);
  const Scale x{xlo, xhi, 90, kWidth - 40}, y{ylo, yhi, 430, 70};
  std::string s = svg_open(480, "Top-1 accuracy vs accumulator width");
  s += svg::axes(x, y, "accumulator width (bits)", "top-1 accuracy (%)");
  s += fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\" "
      "stroke-dasharray=\"6 4\"><title>reference top-1 {:.2f}%</title></line>\n",
      x.p0, y(ref), x.p1, y(ref), ref);
  std::vector<std::pair<std::string, std::string>> entries;
  std::size_t ci = 0;
  for (const auto& [chunk, accs] : by_chunk) {
    const char* colour = svg::colour(ci++);
    entries.emplace_back(colour, chunk_name(chunk));
    std::map<int, double> best;  // width -> best top-1, the line joins these
    for (const auto& [acc, p] : accs) best[p->acc_bits] = std::max(best[p->acc_bits], p->top1);
    std::string path;
    for (const auto& [bits, t] : best)
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x(bits), y(t * 100));
    s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", path,
                     colour);
    for (const auto& [acc, p] : accs)
      s += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>{} ({} bits), {}: top-1 "
          "{:.2f}%</title></circle>\n",
          x(p->acc_bits), y(p->top1 * 100), colour, escape_html(p->label), p->acc_bits,
          chunk_name(chunk), p->top1 * 100);
  }
  entries.emplace_back("#333", "- - reference top-1");
  s += legend(entries, 52);
  return s + "</svg>\n";
}

// The cheapest point of each accumulator, widest first.
std::vector<const PointRecord*> cheapest_per_accumulator(const Report& r) {
  std::map<std::string, const PointRecord*> best;
  for (const PointRecord& p : r.points) {
    auto [it, fresh] = best.emplace(p.accumulator, &p);
    if (!fresh && p.energy_per_inference_pj < it->second->energy_per_inference_pj) it->second = &p;
  }
  std::vector<const PointRecord*> v;
  for (const auto& [acc, p] : best) v.push_back(p);
  std::sort(v.begin(), v.end(), [](const PointRecord* a, const PointRecord* b) {
    return a->acc_bits != b->acc_bits ? a->acc_bits > b->acc_bits : a->label < b->label;
  });
  return v;
}

// (1) The headline: average power and energy per inference per accumulator, each bar split
// into PE array, SRAM and DRAM, beside the PE area; horizontal bars side by side.
std::string plot_power_energy(const Report& r) {
  const auto rows = cheapest_per_accumulator(r);
  const double row_h = 26, top = 80, height = top + row_h * double(rows.size()) + 60;
  std::string s = svg_open(height, "Power and energy per inference per accumulator");
  s += legend({{svg::colour(0), "PE array"},
               {svg::colour(1), "SRAM buffers"},
               {svg::colour(2), "DRAM"},
               {svg::colour(3), "PE area (\u00b5m\u00b2)"}},
              52, "rect");
  const double label_w = 190, gap = 50, panel_w = (kWidth - label_w - 2 * gap - 40) / 3;
  struct Panel {
    std::string title;
    // Segments of one bar: PE, SRAM, DRAM (power and energy), or a single value (area).
    std::vector<double> (*value)(const PointRecord&);
  };
  const Panel panels[] = {
      {"average power (mW) at the sweep's clock",
       [](const PointRecord& p) {
         const double k =
             p.energy_per_inference_pj > 0 ? p.power_mw / p.energy_per_inference_pj : 0;
         return std::vector<double>{p.energy_pe_pj * k, p.energy_sram_pj * k, p.energy_dram_pj * k};
       }},
      {"energy per inference (\u00b5J)",
       [](const PointRecord& p) {
         return std::vector<double>{p.energy_pe_pj * 1e-6, p.energy_sram_pj * 1e-6,
                                    p.energy_dram_pj * 1e-6};
       }},
      {"PE area (\u00b5m\u00b2)",
       [](const PointRecord& p) { return std::vector<double>{p.pe_area_um2}; }}};
  const char* parts[] = {"PE array", "SRAM", "DRAM"};
  const double bottom = top + row_h * double(rows.size());
  for (std::size_t k = 0; k < std::size(panels); ++k) {
    const Panel& pn = panels[k];
    const double x0 = label_w + double(k) * (panel_w + gap);
    double hi = 0;
    for (const PointRecord* p : rows) {
      double sum = 0;
      for (double v : pn.value(*p)) sum += v;
      hi = std::max(hi, sum);
    }
    const Scale x{0, hi > 0 ? hi * 1.2 : 1, x0, x0 + panel_w};
    for (double v : x.ticks()) {
      s += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
          "stroke=\"#e5e5e5\"/>\n",
          x(v), top, bottom);
      s += svg::text(x(v), bottom + 16, svg::tick_label(v), "middle", 11);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::vector<double> seg = pn.value(*rows[i]);
      const double yy = top + row_h * double(i);
      double acc = 0;
      for (std::size_t j = 0; j < seg.size(); ++j) {
        const char* colour = seg.size() == 1 ? svg::colour(3) : svg::colour(static_cast<int>(j));
        s += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
            "<title>{}: {}{} = {:.4g} (point {})</title></rect>\n",
            x(acc), yy + 4, x(acc + seg[j]) - x(acc), row_h - 8, colour,
            escape_html(rows[i]->label), pn.title,
            seg.size() == 1 ? "" : std::string(", ") + parts[j], seg[j], escape_html(rows[i]->id));
        acc += seg[j];
      }
      s += svg::text(x(acc) + 4, yy + row_h / 2 + 4, svg::tick_label(acc), "start", 11);
    }
    s += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#333\"/>\n"
        "<line x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{3:.1f}\" y2=\"{2:.1f}\" stroke=\"#333\"/>\n",
        x.p0, top, bottom, x.p1);
    s += svg::text((x.p0 + x.p1) / 2, bottom + 36, pn.title, "middle", 13);
  }
  for (std::size_t i = 0; i < rows.size(); ++i)
    s += svg::text(label_w - 8, top + row_h * double(i) + row_h / 2 + 4,
                   fmt::format("{} ({}b)", rows[i]->label, rows[i]->acc_bits), "end", 12);
  return s + "</svg>\n";
}

// (3) Accuracy against energy per inference; the Pareto front joined and labelled.
std::string plot_pareto(const Report& r, const std::vector<std::size_t>& front,
                        std::optional<std::size_t> rec) {
  double xlo = 1e300, xhi = 0, ylo = 100, yhi = 0;
  for (const PointRecord& p : r.points) {
    const double e = p.energy_per_inference_pj * 1e-6;
    xlo = std::min(xlo, e), xhi = std::max(xhi, e);
    ylo = std::min(ylo, p.top1 * 100), yhi = std::max(yhi, p.top1 * 100);
  }
  const bool log = xlo > 0 && xhi / xlo > 20;
  if (log) {
    xlo /= 1.3, xhi *= 1.3;
  } else {
    svg::pad_range(xlo, xhi, 0.08);
    xlo = std::max(0.0, xlo);
  }
  svg::pad_range(ylo, yhi, 0.1);
  const Scale x{xlo, xhi, 90, kWidth - 40, log}, y{ylo, yhi, 470, 70};
  std::string s = svg_open(520, "Pareto front: top-1 accuracy vs energy per inference");
  s += svg::axes(
      x, y, log ? "energy per inference (\u00b5J, log scale)" : "energy per inference (\u00b5J)",
      "top-1 accuracy (%)");
  const std::set<std::size_t> on_front(front.begin(), front.end());
  const auto px = [&](const PointRecord& p) { return x(p.energy_per_inference_pj * 1e-6); };
  const auto py = [&](const PointRecord& p) { return y(p.top1 * 100); };
  std::string path;
  for (std::size_t i : front)
    path +=
        fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", px(r.points[i]), py(r.points[i]));
  s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#e15759\" stroke-width=\"2\"/>\n", path);
  const bool label_all = r.points.size() <= 12;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const PointRecord& p = r.points[i];
    const bool f = on_front.count(i) > 0;
    s += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" fill-opacity=\"0.85\"><title>{}: "
        "top-1 {:.2f}%, {:.4g} \u00b5J/inference{}</title></circle>\n",
        px(p), py(p), f ? 6 : 4, f ? "#e15759" : "#8c8c8c", escape_html(p.id), p.top1 * 100,
        p.energy_per_inference_pj * 1e-6, f ? " (Pareto front)" : "");
    if (rec && *rec == i)
      s += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"11\" fill=\"none\" stroke=\"#2ca02c\" "
          "stroke-width=\"3\"/>\n",
          px(p), py(p));
  }
  // Labels after the dots so that they stay readable. Each label takes the first free spot
  // around its dot; one with no free spot is left to the dot's tooltip. The recommended point
  // is labelled first.
  std::vector<std::size_t> to_label;
  if (rec) to_label.push_back(*rec);
  for (std::size_t i = 0; i < r.points.size(); ++i)
    if ((label_all || on_front.count(i)) && !(rec && *rec == i)) to_label.push_back(i);
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed;
  for (std::size_t i : to_label) {
    const PointRecord& p = r.points[i];
    const double w = 6.3 * double(p.id.size()), h = 12;
    const std::pair<double, double> offsets[] = {{8, -8},      {8, 18},       {-8 - w, -8},
                                                 {-8 - w, 18}, {-w / 2, -14}, {-w / 2, 26}};
    for (const auto& [dx, dy] : offsets) {
      const Box b{px(p) + dx, py(p) + dy - h + 2, px(p) + dx + w, py(p) + dy + 2};
      if (b.x0 < x.p0 || b.x1 > x.p1 || b.y0 < y.p1 || b.y1 > y.p0) continue;
      const bool clash = std::any_of(placed.begin(), placed.end(), [&](const Box& o) {
        return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1;
      });
      if (clash) continue;
      placed.push_back(b);
      s += svg::text(b.x0, py(p) + dy, p.id, "start", 11,
                     rec && *rec == i    ? "fill=\"#1b7a1b\" font-weight=\"bold\""
                     : on_front.count(i) ? "fill=\"#b2182b\""
                                         : "fill=\"#555\"");
      break;
    }
  }
  s += legend({{"#8c8c8c", "design point"},
               {"#e15759", "Pareto front (no point is both cheaper and more accurate)"},
               {"#2ca02c", "recommended (ring)"}},
              52);
  return s + "</svg>\n";
}

struct HeatColumn {
  std::string name;
  const PointRecord* point;
};

// (4) One heatmap per event kind: rows are layers, columns accumulator configurations.
std::string plot_heatmap(const std::vector<HeatColumn>& cols,
                         const std::vector<std::string>& layers, const char* event,
                         std::int64_t StageEvents::*member) {
  // Column labels are rotated by 35 degrees: room above the cells and right of the last one.
  std::size_t longest = 0;
  for (const HeatColumn& c : cols) longest = std::max(longest, c.name.size());
  const double label_px = 6.0 * double(longest);
  const double label_w = 150, cell_h = 28, top = 50 + 0.58 * label_px;
  const double cell_w = std::min(
      120.0, (kWidth - label_w - std::max(40.0, 0.82 * label_px - 20)) / double(cols.size()));
  const double height = top + cell_h * double(layers.size()) + 70;
  std::string s = svg_open(
      height,
      fmt::format("Accumulator-stage {} ops per layer (fraction of accumulator adds)", event));
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const double cx = label_w + cell_w * (double(c) + 0.5);
    s += svg::text(
        0, 0, cols[c].name, "start", 11,
        fmt::format("transform=\"translate({:.1f},{:.1f}) rotate(-35)\"", cx - 4, top - 6));
  }
  // Log colour scale: fractions span many decades (swamping is common, overflow rare).
  const double decades = 6;
  const auto t_of = [&](double f) {
    return f <= 0 ? 0.0 : std::clamp((std::log10(f) + decades) / decades, 0.02, 1.0);
  };
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const double yy = top + cell_h * double(l);
    s += svg::text(label_w - 8, yy + cell_h / 2 + 4, layers[l], "end", 12);
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const double xx = label_w + cell_w * double(c);
      const auto& ls = cols[c].point->layers;
      const auto it = std::find_if(ls.begin(), ls.end(),
                                   [&](const LayerResult& lr) { return lr.name == layers[l]; });
      if (it == ls.end()) {
        s += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#ddd\">"
            "<title>{} / {}: no data</title></rect>\n",
            xx, yy, cell_w, cell_h, escape_html(layers[l]), escape_html(cols[c].name));
        continue;
      }
      const StageEvents& e = it->accumulator;
      const double n = double(e.*member), f = e.ops > 0 ? n / double(e.ops) : 0;
      const double t = t_of(f);
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
          "stroke=\"#fff\"><title>{} / {}: {} {} of {} accumulator ops = {:.4g}%</title></rect>\n",
          xx, yy, cell_w, cell_h, svg::heat_colour(t), escape_html(layers[l]),
          escape_html(cols[c].name), e.*member, event, e.ops, f * 100);
      if (cell_w >= 36)
        s += svg::text(xx + cell_w / 2, yy + cell_h / 2 + 4,
                       f == 0 ? std::string("0") : fmt::format("{:.2g}%", f * 100), "middle", 9,
                       t > 0.6 ? "fill=\"#fff\"" : "fill=\"#222\"");
    }
  }
  // Colour bar.
  const double by = top + cell_h * double(layers.size()) + 24, bx = label_w, bw = 360;
  for (int i = 0; i < 60; ++i)
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" fill=\"{}\"/>\n",
        bx + bw * i / 60.0, by, bw / 60.0 + 0.5, svg::heat_colour((i + 0.5) / 60.0));
  for (int d = 0; d <= decades; ++d)
    s += svg::text(bx + bw * d / decades, by + 26,
                   d == decades ? "100%" : fmt::format("1e{}", d - int(decades)), "middle", 10);
  s += svg::text(bx + bw + 12, by + 11, "fraction of accumulator ops (log scale; white = 0)",
                 "start", 11);
  return s + "</svg>\n";
}

std::string heatmaps(const Report& r) {
  std::vector<HeatColumn> cols;
  std::set<std::pair<std::string, std::int64_t>> seen;
  std::vector<const PointRecord*> order;
  for (const PointRecord& p : r.points) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const PointRecord* a, const PointRecord* b) {
    return a->acc_bits != b->acc_bits ? a->acc_bits > b->acc_bits : a->chunk < b->chunk;
  });
  for (const PointRecord* p : order)
    if (seen.emplace(p->accumulator, p->chunk).second)  // events do not depend on the array
      cols.push_back({fmt::format("{} {}", p->label, chunk_name(p->chunk)), p});
  std::vector<std::string> layers;
  for (const HeatColumn& c : cols)
    for (const LayerResult& l : c.point->layers)
      if (std::find(layers.begin(), layers.end(), l.name) == layers.end()) layers.push_back(l.name);
  return plot_heatmap(cols, layers, "swamped", &StageEvents::swamped) +
         plot_heatmap(cols, layers, "underflow", &StageEvents::underflow) +
         plot_heatmap(cols, layers, "overflow", &StageEvents::overflow);
}

// The cost flow's dot-product units side by side (`--units`): the FMAq chain and fused units.
std::string units_table(const Report& r) {
  std::string s = fmt::format(
      "<h2>Dot-product units: FMAq chain vs fused</h2>\n<table>\n<thead><tr><th>unit</th>"
      "<th>what</th><th>accumulator</th><th>MACs / cycle</th><th>area &micro;m&sup2;</th>"
      "<th>cells</th><th>fmax MHz</th><th>pJ / MAC at {:.1f} MHz</th><th>G MAC/s per mm&sup2; "
      "at fmax</th></tr></thead>\n<tbody>\n",
      r.units_clock_mhz);
  for (const UnitCost& u : r.units)
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0f}</td><td>{}</td>"
        "<td>{:.1f}</td><td>{:.1f}</td><td>{:.2f}</td></tr>\n",
        escape_html(u.at.name), escape_html(u.at.label), escape_html(u.accumulator),
        u.at.macs_per_cycle, u.at.area_um2, u.cells, u.at.fmax_mhz, u.at.pj_per_mac,
        u.gmacs_per_mm2);
  s += "</tbody>\n</table>\n<p>Units without registers from the gate-level flow (Yosys on OSU "
       "0.18 &micro;m cells, OpenSTA timing and power from simulated toggles; docs/cost.md, "
       "docs/tensor-core.md). pJ / MAC is one busy cycle's energy over the MACs it does, every "
       "unit at the slowest unit's fmax.</p>\n";
  return s;
}

std::string points_table(const Report& r, const std::vector<std::size_t>& front,
                         std::optional<std::size_t> rec, std::optional<double> best_fp32) {
  std::vector<std::size_t> idx(r.points.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return r.points[a].energy_per_inference_pj < r.points[b].energy_per_inference_pj;
  });
  const std::set<std::size_t> on_front(front.begin(), front.end());
  std::string s =
      "<table>\n<thead><tr><th>#</th><th>point</th><th>accumulator</th><th>bits</th>"
      "<th>chunk</th><th>array</th><th>dataflow</th><th>top-1 %</th><th>&Delta; vs best FP32 "
      "(points)</th><th>agreement %</th><th>cycles</th><th>utilization %</th><th>PE area "
      "&micro;m&sup2;</th><th>array area mm&sup2;</th><th>energy / inference &micro;J</th>"
      "<th>energy / MAC pJ</th></tr></thead>\n<tbody>\n";
  for (std::size_t n = 0; n < idx.size(); ++n) {
    const PointRecord& p = r.points[idx[n]];
    const bool is_rec = rec && *rec == idx[n];
    std::string name = escape_html(p.id);
    if (on_front.count(idx[n])) name += " <span class=\"tag front\">Pareto</span>";
    if (is_rec) name += " <span class=\"tag rec\">recommended</span>";
    s += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{:.2f}</td><td>{}</td><td>{:.2f}</td><td>{}</td><td>{:.1f}</td><td>{:.1f}</td>"
        "<td>{:.4f}</td><td>{:.4g}</td><td>{:.4g}</td></tr>\n",
        is_rec ? " class=\"rec\"" : "", n + 1, name, escape_html(p.label), p.acc_bits,
        p.chunk == 0 ? std::string("none") : std::to_string(p.chunk), escape_html(p.array),
        escape_html(p.dataflow), p.top1 * 100,
        best_fp32 ? fmt::format("{:+.2f}", (p.top1 - *best_fp32) * 100) : std::string("n/a"),
        p.agreement * 100, p.cycles_total, p.utilization * 100, p.pe_area_um2,
        p.array_area_um2 * 1e-6, p.energy_per_inference_pj * 1e-6, p.energy_per_mac_pj);
  }
  return s + "</tbody>\n</table>\n";
}

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1160px; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 32px; }
figure { margin: 12px 0 28px 0; } figcaption { font-size: 13px; color: #555; max-width: 1000px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
th { background: #f0f0f0; } td:nth-child(2), td:nth-child(3) { text-align: left; }
tr.rec td { background: #d9f2d9; font-weight: bold; }
.tag { font-size: 10px; padding: 1px 4px; border-radius: 3px; color: #fff; font-weight: normal; }
.tag.front { background: #e15759; } .tag.rec { background: #2ca02c; }
.summary { background: #f7f7f7; border-left: 4px solid #2ca02c; padding: 8px 12px; }
</style>
)";

}  // namespace

std::string escape_html(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  return o;
}

std::string render_html(const Report& r) {
  const auto front = pareto_front(r);
  const auto rec = recommended_point(r);
  std::optional<double> best_fp32;
  for (const PointRecord& p : r.points)
    if (p.fp32_accumulator) best_fp32 = std::max(best_fp32.value_or(0.0), p.top1);
  std::set<std::string> traces, versions;
  for (const PointRecord& p : r.points) {
    traces.insert(p.trace_name);
    if (p.raw.contains("lbasim_version") && p.raw["lbasim_version"].is_string())
      versions.insert(p.raw["lbasim_version"].get<std::string>());
  }
  const auto join = [](const std::set<std::string>& v) {
    std::string o;
    for (const auto& x : v) o += (o.empty() ? "" : ", ") + escape_html(x);
    return o.empty() ? std::string("unknown") : o;
  };
  std::string summary;
  if (rec) {
    const PointRecord& p = r.points[*rec];
    summary = fmt::format(
        "<b>Recommended:</b> {} ({}, {}, {} array, {}): top-1 {:.2f}% against {:.2f}% for the best "
        "FP32-accumulator point, {:.4g} &micro;J per inference, PE area {:.1f} &micro;m&sup2;.",
        escape_html(p.id), escape_html(p.label), chunk_name(p.chunk), escape_html(p.array),
        escape_html(p.dataflow), p.top1 * 100, *best_fp32 * 100, p.energy_per_inference_pj * 1e-6,
        p.pe_area_um2);
  } else {
    summary =
        "<b>No recommendation:</b> the sweep has no FP32-accumulator point (M23E8) to compare "
        "with.";
  }
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>lbasim report</title>\n";
  h += kStyle;
  h += "</head>\n<body>\n<h1>lbasim sweep report</h1>\n";
  h += fmt::format(
      "<p>Trace: {} &middot; lbasim {} &middot; {} design points. Rule: the cheapest point (energy "
      "per inference) whose top-1 is within 0.5 percentage points of the best FP32-accumulator "
      "point.</p>\n<p class=\"summary\">{}</p>\n",
      join(traces), join(versions), r.points.size(), summary);
  h += "<h2>Power and energy per accumulator</h2>\n<figure>\n" + plot_power_energy(r) +
       "<figcaption>For each accumulator, the design point (chunk, array, dataflow) with the "
       "lowest energy per inference: average power over one inference at the sweep's clock (the "
       "slowest accumulator's fmax, so every bar is at one clock) and energy per inference, each "
       "split into the PE array (gate-level power of the array's PE), the SRAM buffers and DRAM "
       "(docs/cost.md, docs/memory.md); and its PE area from the synthesized RTL. Hover a bar "
       "for its numbers.</figcaption>\n</figure>\n";
  h += "<h2>Accuracy vs accumulator width</h2>\n<figure>\n" + plot_top1_vs_width(r) +
       "<figcaption>Each dot is one accumulator format at one chunk size (accuracy does not depend "
       "on the array or dataflow); the line joins the best format of each width. Hover a dot for "
       "its numbers.</figcaption>\n</figure>\n";
  h += "<h2>Accuracy vs energy</h2>\n<figure>\n" + plot_pareto(r, front, rec) + "</figure>\n";
  h += "<h2>Per-layer accumulator events</h2>\n<figure>\n" + heatmaps(r) +
       "<figcaption>Events of the accumulator stage (within-chunk adds): swamped = the addend was "
       "lost entirely, underflow = a non-zero sum became zero, overflow = the sum exceeded the "
       "format. Cell tooltips give the counts.</figcaption>\n</figure>\n";
  if (!r.units.empty()) h += units_table(r);
  h += "<h2>All design points, cheapest first</h2>\n" + points_table(r, front, rec, best_fp32);
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace lbasim::report
