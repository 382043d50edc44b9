// Internal to the native library (not bound to Java): batches of in-place complex single-precision 1-D FFTs over
// parts of a grid, for kernels that transform the same sizes many times (the w-gridder's planes, which transform
// only the rows that hold samples and only the columns the image needs). Plans are made once per shape, direction
// and thread count and cached for the life of the process; FFTW runs them on nthreads threads. Shares fft.cpp's
// planner lock, since FFTW's planner is not thread-safe. FFTW's sign convention, unnormalised.
#pragma once

#include <complex>

namespace pclean {

// howmany transforms of length n: transform j takes data[j * dist + k * stride], k = 0 .. n-1.
void fftBatch(std::complex<float>* data, int n, int howmany, int stride, int dist, bool forward, int nthreads);

}  // namespace pclean
