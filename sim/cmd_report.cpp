// lbasim report: the HTML page (inline SVG plots, no scripts or network) and the merged JSON
// behind it, from the point records `lbasim sweep` wrote (docs/report.md).
#include <fmt/core.h>

#include <memory>
#include <string>

#include "commands.h"
#include "io_util.h"
#include "lbasim/base/atomic_file.h"
#include "lbasim/cost/power_table.h"
#include "report/report_html.h"
#include "report/report_model.h"

namespace lbasim::cli {
namespace {

struct ReportOptions {
  std::string in, out = "report.html", json, units;
};

void run_report(const ReportOptions& o) {
  // Everything is read and rendered before anything is written: bad input leaves no file.
  report::Report r = report::load_report(o.in);
  if (!o.units.empty()) report::add_units(r, cost::read_power_table(o.units), o.units);
  const std::string html = report::render_html(r);
  const nlohmann::json merged = report::to_json(r);
  if (!o.json.empty()) write_json_file(o.json, merged);
  write_file_atomic(o.out, html);
  const auto rec = report::recommended_point(r);
  fmt::print("report: {} points -> {}{}\n", r.points.size(), o.out,
             o.json.empty() ? "" : " and " + o.json);
  fmt::print("recommended: {}\n", rec ? r.points[*rec].id : std::string("none (no FP32 point)"));
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "HTML report (inline SVG plots) and merged JSON from a sweep's point records");
  cmd->add_option("--in", o->in,
                  "Sweep directory (its points/*.json), a directory of records, or a merged "
                  "report JSON")
      ->required();
  cmd->add_option("--out", o->out, "HTML page to write")->capture_default_str();
  cmd->add_option("--json", o->json, "Also write the merged JSON behind the page");
  cmd->add_option("--units", o->units,
                  "Also compare the dot-product units of a cost-flow table (e.g. "
                  "models/cost/data/power_osu018_units.json: the FMAq chain and fused units)");
  cmd->callback([o] { run_report(*o); });
}

}  // namespace lbasim::cli
