// Reading a trace: manifest.json checked field by field, then every .npy it names, checked
// against the graph. Errors name the file and the manifest field (docs/traces.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/base/npy.h"
#include "lbasim/traces/trace.h"
#include "manifest_field.h"
#include "op_reader.h"

namespace lbasim::traces {
namespace {

using detail::Field;
using detail::json;
using detail::product;
using detail::TensorLoader;

const std::map<std::string, OpKind, std::less<>> kOps{{"conv2d", OpKind::conv2d},
                                                      {"linear", OpKind::linear},
                                                      {"relu", OpKind::relu},
                                                      {"maxpool", OpKind::maxpool},
                                                      {"avgpool", OpKind::avgpool},
                                                      {"add", OpKind::add},
                                                      {"flatten", OpKind::flatten},
                                                      {"global_avgpool", OpKind::global_avgpool},
                                                      {"matmul", OpKind::matmul},
                                                      {"sigmoid", OpKind::sigmoid},
                                                      {"tanh", OpKind::tanh},
                                                      {"erf", OpKind::erf},
                                                      {"sqrt", OpKind::sqrt},
                                                      {"exp", OpKind::exp},
                                                      {"neg", OpKind::neg},
                                                      {"abs", OpKind::abs},
                                                      {"reciprocal", OpKind::reciprocal},
                                                      {"clip", OpKind::clip},
                                                      {"hardsigmoid", OpKind::hardsigmoid},
                                                      {"hardswish", OpKind::hardswish},
                                                      {"sub", OpKind::sub},
                                                      {"mul", OpKind::mul},
                                                      {"div", OpKind::div},
                                                      {"pow", OpKind::pow},
                                                      {"softmax", OpKind::softmax},
                                                      {"layernorm", OpKind::layernorm},
                                                      {"reduce_mean", OpKind::reduce_mean},
                                                      {"reduce_sum", OpKind::reduce_sum},
                                                      {"reduce_max", OpKind::reduce_max},
                                                      {"concat", OpKind::concat},
                                                      {"slice", OpKind::slice},
                                                      {"transpose", OpKind::transpose},
                                                      {"reshape", OpKind::reshape},
                                                      {"pad", OpKind::pad},
                                                      {"gather", OpKind::gather},
                                                      {"constant", OpKind::constant}};

// The ops of manifest versions 1 and 2; every other op needs version 3.
bool is_v1_op(OpKind k) { return k <= OpKind::global_avgpool; }

std::string op_names() {
  std::string names;
  for (const auto& [name, kind] : kOps) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace

OperandQuant detail::read_operand_quant(const Field& f, std::int64_t channels) {
  OperandQuant q;
  const Field fmt_field = f.at("format");
  try {
    q.format = num::parse_format(fmt_field.str());
  } catch (const InputError& e) {
    fmt_field.fail(e.what());
  }
  const Field s = f.at("scale_exp");
  if (s.value().is_array()) {
    if (channels == 0 || static_cast<std::int64_t>(s.size()) != channels)
      s.fail(fmt::format("{} values; expected one integer, or one per output channel ({})",
                         s.size(), channels));
    for (auto v : s.ints(-1000)) {
      if (v > 1000) s.fail(fmt::format("{} is out of range; expected |scale_exp| <= 1000", v));
      q.scale_exp.push_back(static_cast<int>(v));
    }
  } else {
    const std::int64_t v = s.integer(-1000);
    if (v > 1000) s.fail(fmt::format("{} is out of range; expected |scale_exp| <= 1000", v));
    q.scale_exp.push_back(static_cast<int>(v));
  }
  return q;
}

namespace {

// A field that only manifests of version `since` and later may use; an older manifest that
// has it is refused, not read as if the field were absent (an old reader would ignore it).
bool has_since(const Field& op, const char* key, int version, int since) {
  if (!op.has(key)) return false;
  if (version < since)
    op.at(key).fail(
        fmt::format("needs manifest version {} (this manifest is version {})", since, version));
  return true;
}
bool has_v2(const Field& op, const char* key, int version) {
  return has_since(op, key, version, 2);
}

Window read_window(const Field& op, bool conv, int version) {
  Window w;
  const auto k = op.at("kernel").ints(1, 2);
  const auto s = op.at("stride").ints(1, 2);
  // Version 2: `pads` [top, left, bottom, right] instead of the symmetric `padding` [h, w].
  const bool asym = has_v2(op, "pads", version);
  if (asym && op.has("padding"))
    op.at("pads").fail("given together with 'padding'; expected one of them");
  const auto p = asym ? op.at("pads").ints(0, 4) : op.at("padding").ints(0, 2);
  // Bounded so that the shape arithmetic below cannot overflow.
  constexpr std::int64_t kMaxWindow = 1 << 20;
  for (const auto& [name, v] :
       {std::pair{"kernel", k}, {"stride", s}, {asym ? "pads" : "padding", p}})
    for (auto x : v)
      if (x > kMaxWindow)
        op.at(name).fail(fmt::format("{} is out of range; expected at most {}", x, kMaxWindow));
  w.kh = k[0], w.kw = k[1], w.stride_h = s[0], w.stride_w = s[1], w.pad_h = p[0], w.pad_w = p[1];
  if (asym) w.pad_b = p[2], w.pad_r = p[3];
  // conv2d always states its dilation; a pool may in version 2 (default 1).
  if (conv || has_v2(op, "dilation", version)) {
    const auto d = op.at("dilation").ints(1, 2);
    for (auto x : d)
      if (x > (1 << 20))
        op.at("dilation").fail(fmt::format("{} is out of range; expected at most {}", x, 1 << 20));
    w.dil_h = d[0], w.dil_w = d[1];
  }
  // Version 2 pools: every window must hold at least one input element (no all-padding
  // windows, whose max or average would be undefined), so each pad is below the kernel.
  if (!conv && version >= 2)
    for (std::size_t i = 0; i < p.size(); ++i)
      if (const std::int64_t kern = i % 2 == 0 ? w.kh : w.kw; p[i] >= kern)
        op.at(asym ? "pads" : "padding")
            .fail(fmt::format("{} is invalid; a pool's padding must be smaller than its kernel "
                              "{}x{}",
                              op.at(asym ? "pads" : "padding").value().dump(), w.kh, w.kw));
  return w;
}

// Output length of a window along one axis: floor, or ceil (ceil_mode) where the last window
// must start inside the input or its leading padding (PyTorch's and ONNX Runtime's rule).
std::int64_t window_len(std::int64_t in, std::int64_t pad_begin, std::int64_t pad_end,
                        std::int64_t eff, std::int64_t stride, bool ceil) {
  const std::int64_t span = in + pad_begin + pad_end - eff;
  std::int64_t out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

// Output h, w of a window over (h, w); a window that does not fit is an error of the op.
std::pair<std::int64_t, std::int64_t> window_out(const Field& f, const Window& w, std::int64_t h,
                                                 std::int64_t wd, bool ceil) {
  const std::int64_t eh = w.dil_h * (w.kh - 1) + 1, ew = w.dil_w * (w.kw - 1) + 1;
  const std::int64_t ph = w.pad_h + w.pad_bottom(), pw = w.pad_w + w.pad_right();
  if (h + ph < eh || wd + pw < ew)
    f.fail(fmt::format("window {}x{} does not fit the {}x{} input with padding {},{}", eh, ew, h,
                       wd, ph, pw));
  return {window_len(h, w.pad_h, w.pad_bottom(), eh, w.stride_h, ceil),
          window_len(wd, w.pad_w, w.pad_right(), ew, w.stride_w, ceil)};
}

// The tensor inputs of op `f`, their shapes appended to `in_shapes`.
void read_inputs(const Field& f, Op& op, bool has_constant,
                 const std::map<std::string, std::vector<std::int64_t>>& shapes,
                 detail::Shapes& in_shapes) {
  const Field ins = f.at("inputs");
  const std::string kind = std::string(to_string(op.kind));
  const auto [lo, hi] = is_v1_op(op.kind) && !has_constant
                            ? std::pair<std::size_t, std::size_t>{op.kind == OpKind::add ? 2 : 1,
                                                                  op.kind == OpKind::add ? 2 : 1}
                            : detail::v3_arity(op.kind, has_constant);
  if (ins.size() < lo || ins.size() > hi)
    ins.fail(fmt::format("{} inputs; op {}{} takes {}", ins.size(), kind,
                         has_constant ? " with a constant operand" : "",
                         lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi)));
  for (std::size_t i = 0; i < ins.size(); ++i) {
    op.inputs.push_back(ins.at(i).str());
    auto s = shapes.find(op.inputs.back());
    if (s == shapes.end())
      ins.at(i).fail(fmt::format("tensor '{}' is not defined by an earlier op or the input",
                                 op.inputs.back()));
    in_shapes.push_back(s->second);
  }
}

// Reads op i, computing its output shape from its inputs' shapes.
Op read_op(const Field& f, std::map<std::string, std::vector<std::int64_t>>& shapes,
           TensorLoader& loader, int version) {
  Op op;
  const Field kind = f.at("op");
  const auto it = kOps.find(kind.str());
  if (it == kOps.end())
    kind.fail(fmt::format("unknown op '{}'; expected one of {}", kind.str(), op_names()));
  op.kind = it->second;
  if (!is_v1_op(op.kind) && version < 3)
    kind.fail(fmt::format("op '{}' needs manifest version 3 (this manifest is version {})",
                          kind.str(), version));
  op.name = f.at("name").str();
  op.output = f.at("output").str();
  const bool has_constant = has_since(f, "constant", version, 3);
  detail::Shapes in_shapes;
  read_inputs(f, op, has_constant, shapes, in_shapes);
  const Field ins = f.at("inputs");
  const std::vector<std::int64_t> x =
      in_shapes.empty() ? std::vector<std::int64_t>{} : in_shapes[0];
  const auto need_rank = [&](std::size_t r) {
    if (x.size() != r)
      ins.fail(fmt::format("input '{}' has shape [{}]; op {} needs rank {} per sample",
                           op.inputs[0], fmt::join(x, ", "), kind.str(), r));
  };
  const Field shape = f.at("shape");
  const std::vector<std::int64_t> declared = shape.ints(1);
  std::vector<std::int64_t> out;
  switch (op.kind) {
    case OpKind::conv2d: {
      need_rank(3);
      op.window = read_window(f, true, version);
      op.groups = f.at("groups").integer(1);
      op.in_channels = f.at("in_channels").integer(1);
      op.out_channels = f.at("out_channels").integer(1);
      if (op.in_channels != x[0])
        f.at("in_channels")
            .fail(fmt::format("{} but input '{}' has {} channels", op.in_channels, op.inputs[0],
                              x[0]));
      if (op.in_channels % op.groups || op.out_channels % op.groups)
        f.at("groups").fail(fmt::format("{} does not divide in_channels {} and out_channels {}",
                                        op.groups, op.in_channels, op.out_channels));
      auto [oh, ow] = window_out(f, op.window, x[1], x[2], false);
      out = {op.out_channels, oh, ow};
      break;
    }
    case OpKind::linear:
      // Version 3: any rank >= 1, acting on the last axis (a transformer's [tokens, features]).
      if (version < 3 || x.empty()) need_rank(1);
      op.in_channels = f.at("in_features").integer(1);
      op.out_channels = f.at("out_features").integer(1);
      if (op.in_channels != x.back())
        f.at("in_features")
            .fail(fmt::format("{} but input '{}' has {} features", op.in_channels, op.inputs[0],
                              x.back()));
      out = x;
      out.back() = op.out_channels;
      break;
    case OpKind::maxpool:
    case OpKind::avgpool: {
      need_rank(3);
      op.window = read_window(f, false, version);
      if (has_v2(f, "count_include_pad", version)) {
        const Field c = f.at("count_include_pad");
        if (op.kind != OpKind::avgpool) c.fail("only avgpool takes count_include_pad");
        op.count_include_pad = c.boolean();
      }
      if (has_since(f, "ceil_mode", version, 3)) op.ceil_mode = f.at("ceil_mode").boolean();
      auto [oh, ow] = window_out(f, op.window, x[1], x[2], op.ceil_mode);
      out = {x[0], oh, ow};
      break;
    }
    case OpKind::relu:
      out = x;
      break;
    case OpKind::add:
      if (version >= 3) {
        out = detail::read_v3_op(f, op, in_shapes, declared, loader);
        break;
      }
      if (in_shapes[1] != x)
        ins.fail(fmt::format("inputs have shapes [{}] and [{}]; add needs equal shapes",
                             fmt::join(x, ", "), fmt::join(in_shapes[1], ", ")));
      out = x;
      break;
    case OpKind::flatten:
      out = {product(x)};
      break;
    case OpKind::global_avgpool:
      need_rank(3);
      out = {x[0]};
      break;
    default:
      out = detail::read_v3_op(f, op, in_shapes, declared, loader);
      break;
  }
  detail::checked_elements(shape, out);
  if (declared != out)
    shape.fail(fmt::format("{} does not match the graph: op {} on [{}] gives [{}]",
                           shape.value().dump(), kind.str(), fmt::join(x, ", "),
                           fmt::join(out, ", ")));
  op.shape = out;
  op.input_shapes = std::move(in_shapes);
  if (op.kind == OpKind::conv2d || op.kind == OpKind::linear) {
    std::vector<std::int64_t> wshape{op.out_channels, op.in_channels};
    if (op.kind == OpKind::conv2d)
      wshape = {op.out_channels, op.in_channels / op.groups, op.window.kh, op.window.kw};
    op.weight = loader.load(f.at("weight"), npy::DType::f32, wshape).values;
    op.bias = loader.load(f.at("bias"), npy::DType::f32, {op.out_channels}).values;
    if (f.has("quant")) {
      const Field q = f.at("quant");
      op.quant = LayerQuant{detail::read_operand_quant(q.at("input"), 0),
                            detail::read_operand_quant(q.at("weight"), op.out_channels)};
    }
  }
  if (shapes.count(op.output))
    f.at("output").fail(fmt::format("tensor '{}' is defined twice", op.output));
  shapes[op.output] = out;
  return op;
}

}  // namespace

std::int64_t detail::product(const std::vector<std::int64_t>& shape) {
  std::int64_t p = 1;
  for (auto d : shape) p *= d;
  return p;
}

std::string_view to_string(OpKind k) {
  for (const auto& [name, kind] : kOps)
    if (kind == k) return name;
  return "?";
}

bool is_gemm(OpKind k) { return k == OpKind::conv2d || k == OpKind::linear || k == OpKind::matmul; }

bool is_binary(OpKind k) {
  return k == OpKind::add || k == OpKind::sub || k == OpKind::mul || k == OpKind::div ||
         k == OpKind::pow;
}

std::int64_t Op::gemm_k() const {
  if (kind == OpKind::linear || kind == OpKind::matmul) return in_channels;
  return in_channels / groups * window.kh * window.kw;
}

std::int64_t Op::gemm_m() const {
  if (kind == OpKind::conv2d) return shape[1] * shape[2];
  if (kind == OpKind::matmul) return shape[shape.size() - 2];
  return product(shape) / out_channels;  // linear: the leading axes
}

std::int64_t Op::gemm_count() const {
  if (kind != OpKind::matmul) return 1;
  return product(shape) / (shape[shape.size() - 2] * shape.back());
}

std::int64_t Op::macs_per_image() const {
  if (!is_gemm(kind)) return 0;
  return gemm_k() * product(shape);
}

std::int64_t Trace::sample_size() const { return product(input_shape); }
std::int64_t Trace::output_size() const { return product(output_shape); }

const Op& Trace::layer(const std::string& layer_name) const {
  std::vector<std::string> names;
  for (const auto& op : graph) {
    if (!is_gemm(op.kind)) continue;
    if (op.name == layer_name) return op;
    names.push_back(op.name);
  }
  throw InputError(fmt::format("{}: no conv2d/linear/matmul layer named '{}'; layers: {}",
                               (dir / "manifest.json").string(), layer_name,
                               fmt::join(names, ", ")));
}

Trace read_trace(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "manifest.json";
  std::ifstream in(file);
  if (!in)
    throw InputError(
        fmt::format("{}: {}", file.string(),
                    std::filesystem::exists(file) ? "cannot be read" : "no such file"));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  const Field root(file.string(), j);
  if (!j.is_object()) root.fail("expected a JSON object");
  const Field format = root.at("format");
  if (!format.value().is_string() || format.str() != kTraceFormat)
    format.fail(fmt::format("{} is not a trace format this reader knows; expected \"{}\"",
                            format.value().dump(), kTraceFormat));
  const Field version = root.at("version");
  if (!version.value().is_number_integer() || version.value().get<std::int64_t>() < kTraceVersion ||
      version.value().get<std::int64_t>() > kTraceVersionMax)
    version.fail(fmt::format("{} is not supported; this reader knows versions {} to {}",
                             version.value().dump(), kTraceVersion, kTraceVersionMax));

  Trace t;
  t.dir = dir;
  t.version = static_cast<int>(version.value().get<std::int64_t>());
  const Field net = root.at("network");
  t.name = net.at("name").str();
  if (net.has("description")) t.description = net.at("description").str();
  const Field bn = root.at("batch_norm");
  if (bn.str() != "folded")
    bn.fail(fmt::format("\"{}\"; this reader runs graphs with batch norm \"folded\"", bn.str()));
  if (root.has("training") && root.at("training").has("fp32_top1_test")) {
    const Field acc = root.at("training").at("fp32_top1_test");
    if (!acc.value().is_number()) acc.fail("expected a number");
    t.fp32_top1_test = acc.value().get<double>();
  }
  const Field input = root.at("input");
  t.input_tensor = input.at("tensor").str();
  t.input_shape = input.at("shape").ints(1);

  TensorLoader loader(dir);
  std::map<std::string, std::vector<std::int64_t>> shapes{{t.input_tensor, t.input_shape}};
  const Field graph = root.at("graph");
  // Version 2 allows an empty graph (the output is the input, e.g. an imported Identity).
  if (graph.size() == 0 && t.version < 2) graph.fail("the graph is empty");
  std::set<std::string> names;
  for (std::size_t i = 0; i < graph.size(); ++i) {
    t.graph.push_back(read_op(graph.at(i), shapes, loader, t.version));
    if (!names.insert(t.graph.back().name).second)
      graph.at(i).at("name").fail(fmt::format("op name '{}' is used twice", t.graph.back().name));
  }
  const Field output = root.at("output");
  t.output_tensor = output.str();
  if (!shapes.count(t.output_tensor))
    output.fail(fmt::format("tensor '{}' is not produced by the graph", t.output_tensor));
  t.output_shape = shapes[t.output_tensor];
  const auto& out_shape = t.output_shape;
  // Version 1: the output is the logits [classes]. Version 2: any shape; only [classes] can
  // have labels.
  if (out_shape.size() != 1 && t.version < 2)
    output.fail(fmt::format("tensor '{}' has shape [{}]; expected [classes]", t.output_tensor,
                            fmt::join(out_shape, ", ")));
  t.classes = out_shape.size() == 1 ? out_shape[0] : 0;

  const Field inputs = root.at("inputs");
  t.count = inputs.at("count").integer(1);
  std::vector<std::int64_t> img_shape{t.count};
  img_shape.insert(img_shape.end(), t.input_shape.begin(), t.input_shape.end());
  t.images = loader.load(inputs.at("images"), npy::DType::f32, img_shape).values;
  if (t.version < 2 || inputs.has("labels")) {
    const Field labels_field = inputs.at("labels");
    if (t.classes == 0)
      labels_field.fail(
          fmt::format("labels need an output of shape [classes]; tensor '{}' has "
                      "shape [{}]",
                      t.output_tensor, fmt::join(out_shape, ", ")));
    t.labels = loader.load(labels_field, npy::DType::i64, {t.count}).ints;
    for (std::size_t i = 0; i < t.labels.size(); ++i)
      if (t.labels[i] < 0 || t.labels[i] >= t.classes)
        throw InputError(fmt::format("{} (manifest field '{}'): label {} is {}; expected 0..{}",
                                     (dir / labels_field.str()).string(), labels_field.where(), i,
                                     t.labels[i], t.classes - 1));
  }
  if (t.version < 2 || root.has("reference")) {
    std::vector<std::int64_t> ref_shape{t.count};
    ref_shape.insert(ref_shape.end(), out_shape.begin(), out_shape.end());
    t.reference_logits =
        loader.load(root.at("reference").at("logits"), npy::DType::f32, ref_shape).values;
  }

  const Field acts = root.at("activations");
  t.samples = acts.at("samples").ints(0);
  for (std::size_t i = 0; i < t.samples.size(); ++i)
    if (t.samples[i] >= t.count)
      acts.at("samples").at(i).fail(
          fmt::format("{} is not an image index; expected 0..{}", t.samples[i], t.count - 1));
  const Field layers = acts.at("layers");
  if (!layers.value().is_object()) layers.fail("expected an object {layer name: files}");
  const auto n_samples = static_cast<std::int64_t>(t.samples.size());
  for (const auto& [lname, unused] : layers.value().items()) {
    const Field l = layers.at(lname.c_str());
    const Op* op = nullptr;
    for (const auto& o : t.graph)
      if (o.name == lname && is_gemm(o.kind)) op = &o;
    if (!op) l.fail(fmt::format("'{}' is not a conv2d/linear/matmul op of the graph", lname));
    Capture c;
    c.input_shape = {n_samples};
    const auto& xs = shapes.at(op->inputs[0]);
    c.input_shape.insert(c.input_shape.end(), xs.begin(), xs.end());
    c.output_shape = {n_samples};
    c.output_shape.insert(c.output_shape.end(), op->shape.begin(), op->shape.end());
    c.input = loader.load(l.at("input"), npy::DType::f32, c.input_shape).values;
    c.output = loader.load(l.at("output"), npy::DType::f32, c.output_shape).values;
    if (op->kind == OpKind::matmul) {  // B, the second activation operand
      c.input_b_shape = {n_samples};
      const auto& bs = shapes.at(op->inputs[1]);
      c.input_b_shape.insert(c.input_b_shape.end(), bs.begin(), bs.end());
      c.input_b = loader.load(l.at("input_b"), npy::DType::f32, c.input_b_shape).values;
    }
    t.captures[lname] = std::move(c);
  }
  return t;
}

}  // namespace lbasim::traces
