// Kernels for the Neural module (convolution, pooling, recurrent cells), row-major, float32/float64.
// Included by CSwiftLearnKernels.h. Implementations live in neural_*.c beside the other kernels.
#ifndef SL_NEURAL_H
#define SL_NEURAL_H
#endif
