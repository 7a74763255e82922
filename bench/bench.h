// bench/bench.h - what every benchmark shares with the examples: the clock, the median,
// finding the lesson's data (examples/common.h). Included after groundup.h.
#include "../examples/common.h"
