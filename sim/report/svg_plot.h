// Small building blocks for the report's SVG plots: linear/log axes with ticks, colours.
#pragma once

#include <string>
#include <vector>

namespace lbasim::report::svg {

// Maps data values to pixels along one axis; `log` uses log10 (values must be > 0).
struct Scale {
  double lo, hi;  // data range
  double p0, p1;  // pixel range (p1 < p0 for a y axis)
  bool log = false;
  double operator()(double v) const;
  std::vector<double> ticks() const;  // "nice" tick values inside [lo, hi]
};

// Pads [lo, hi] so that single values and flat ranges still give a usable axis.
void pad_range(double& lo, double& hi, double fraction);

// A categorical colour (Tableau 10), cycling.
const char* colour(std::size_t i);

// Colour for a value in [0, 1] on a white-to-dark-red sequential scale.
std::string heat_colour(double t);

// Short tick label: 3 significant digits, no trailing zeros.
std::string tick_label(double v);

// <text> element; anchor is start|middle|end.
std::string text(double x, double y, const std::string& s, const char* anchor = "middle",
                 int size = 12, const std::string& extra = "");

// Frame, gridlines, ticks and axis titles of an x/y plot.
std::string axes(const Scale& x, const Scale& y, const std::string& x_title,
                 const std::string& y_title);

}  // namespace lbasim::report::svg
