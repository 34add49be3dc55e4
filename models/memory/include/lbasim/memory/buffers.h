// On-chip buffer capacities of the accelerator (docs/memory.md): the activation, weight and
// output (accumulator) SRAMs beside the systolic array.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace lbasim {
class JsonField;
}

namespace lbasim::memory {

// Capacities in KiB. Defaults: a small edge accelerator with a 16x16 array, in the range of
// Gemmini's default configuration (256 KiB scratchpad, 64 KiB accumulator memory): 256 KiB of
// weights (both shipped networks' FP8 weights fit: ResNet 147 KiB, MLP 229 KiB), 64 KiB of
// activations, 64 KiB of partial sums.
struct BufferConfig {
  double activation_kib = 64;
  double weight_kib = 256;
  double output_kib = 64;

  double activation_bytes() const { return activation_kib * 1024; }
  double weight_bytes() const { return weight_kib * 1024; }
  double output_bytes() const { return output_kib * 1024; }
  friend bool operator==(const BufferConfig&, const BufferConfig&) = default;
};

// Throws InputError naming `what` (e.g. "--buffers" or "array.buffers") and the field if a
// capacity is not a finite number > 0.
void validate(const BufferConfig& b, const std::string& what);

// {"activation_kib": A, "weight_kib": W, "output_kib": O}; absent keys keep their defaults;
// unknown keys, non-numbers and capacities <= 0 are InputErrors naming the file and field.
BufferConfig buffers_from_field(const JsonField& f);
nlohmann::json to_json(const BufferConfig& b);

// "A,W,O" in KiB (the command-line form of --buffers); InputError naming `what` otherwise.
BufferConfig parse_buffers(const std::string& text, const std::string& what);

}  // namespace lbasim::memory
