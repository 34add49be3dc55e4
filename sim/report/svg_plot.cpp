#include "svg_plot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "report_html.h"

namespace lbasim::report::svg {

double Scale::operator()(double v) const {
  const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
  const double x = log ? std::log10(v) : v;
  return p0 + (x - a) / (b - a) * (p1 - p0);
}

std::vector<double> Scale::ticks() const {
  std::vector<double> t;
  if (log) {
    for (double d = std::pow(10.0, std::floor(std::log10(lo))); d <= hi * 1.0001; d *= 10)
      for (double m : {1.0, 2.0, 5.0})
        if (m * d >= lo * 0.9999 && m * d <= hi * 1.0001) t.push_back(m * d);
    return t;
  }
  const double raw = (hi - lo) / 6;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

void pad_range(double& lo, double& hi, double fraction) {
  if (hi <= lo) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= d;
    hi += d;
    return;
  }
  const double d = (hi - lo) * fraction;
  lo -= d;
  hi += d;
}

const char* colour(std::size_t i) {
  static const char* kTab10[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kTab10[i % 10];
}

std::string heat_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  // White (255,255,255) -> orange (253,141,60) -> dark red (128,0,38).
  const auto lerp = [](double a, double b, double u) { return a + (b - a) * u; };
  double r, g, b;
  if (t < 0.5) {
    const double u = t * 2;
    r = lerp(255, 253, u), g = lerp(255, 141, u), b = lerp(255, 60, u);
  } else {
    const double u = (t - 0.5) * 2;
    r = lerp(253, 128, u), g = lerp(141, 0, u), b = lerp(60, 38, u);
  }
  return fmt::format("rgb({:.0f},{:.0f},{:.0f})", r, g, b);
}

std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e7 || a < 1e-3) return fmt::format("{:.2g}", v);
  if (a >= 100) return fmt::format("{:.0f}", v);  // 1000, not 1e+03
  return fmt::format("{:.3g}", v);
}

std::string text(double x, double y, const std::string& s, const char* anchor, int size,
                 const std::string& extra) {
  return fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" font-size=\"{}\"{}>{}</text>\n", x, y,
      anchor, size, extra.empty() ? "" : " " + extra, escape_html(s));
}

std::string axes(const Scale& x, const Scale& y, const std::string& x_title,
                 const std::string& y_title) {
  std::string s;
  const double left = x.p0, right = x.p1, bottom = y.p0, top = y.p1;
  for (double v : y.ticks()) {
    const double py = y(v);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e5e5e5\"/>\n",
        left, py, right, py);
    s += text(left - 6, py + 4, tick_label(v), "end", 11);
  }
  for (double v : x.ticks()) {
    const double px = x(v);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e5e5e5\"/>\n", px,
        top, px, bottom);
    s += text(px, bottom + 16, tick_label(v), "middle", 11);
  }
  s += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
      "stroke=\"#333\"/>\n",
      left, top, right - left, bottom - top);
  s += text((left + right) / 2, bottom + 36, x_title, "middle", 13);
  s += text(0, 0, y_title, "middle", 13,
            fmt::format("transform=\"translate({:.1f},{:.1f}) rotate(-90)\"", left - 48,
                        (top + bottom) / 2));
  return s;
}

}  // namespace lbasim::report::svg
