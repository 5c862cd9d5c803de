// Dispatch of a runtime row count (1 ... 6) to a block function unrolled for a constant count, for
// the attention kernels' register-blocked loops (attention_rows.h, attention_bf16.c). `most` (<= 6) is
// the block's largest count: counts above it are never requested, and clamping keeps the dead cases'
// arrays in bounds.
#ifndef SOTTO_ROW_DISPATCH_H
#define SOTTO_ROW_DISPATCH_H

#define ROWS_CLAMP(n, most) ((n) < (most) ? (n) : (most))
#define ROWS_DISPATCH(count, most, call)                                                                  \
    switch (count) {                                                                                     \
    case 1: call(1); break;                    case 2: call(ROWS_CLAMP(2, most)); break;               \
    case 3: call(ROWS_CLAMP(3, most)); break;  case 4: call(ROWS_CLAMP(4, most)); break;               \
    case 5: call(ROWS_CLAMP(5, most)); break;  default: call(ROWS_CLAMP(6, most)); break;              \
    }

#endif
