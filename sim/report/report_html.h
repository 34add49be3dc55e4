// The self-contained HTML report: inline SVG plots and a table, no scripts, styles inline, no
// network access. Every plot has a title, labelled axes and a legend; SVG <title> elements give
// tooltips with the exact numbers.
#pragma once

#include <string>

#include "report_model.h"

namespace lbasim::report {

std::string render_html(const Report& r);

// Text safe inside HTML/SVG element content and attribute values.
std::string escape_html(const std::string& s);

}  // namespace lbasim::report
