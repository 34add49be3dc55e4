// Moved to the base library (base/); this header forwards until every include names it.
#pragma once

#include "lbasim/base/npy.h"
