// Distance kernels for the Retrieval module's vector indexes (float32 dot, L2, batched forms).
// Included by CSwiftLearnKernels.h. Implementations live in vector_*.c beside the other kernels.
#ifndef SL_VECTOR_H
#define SL_VECTOR_H
#endif
