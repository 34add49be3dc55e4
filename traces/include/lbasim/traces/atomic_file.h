// Moved to the base library (base/); this header forwards until every include names it.
#pragma once

#include "lbasim/base/atomic_file.h"
