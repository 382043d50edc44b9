// Internal to the native library (not bound to Java): in-place complex single-precision 2-D FFTs for kernels that
// transform the same grid size many times (the w-gridder's planes). Plans are made once per (size, direction,
// threads) and cached for the life of the process; FFTW runs them on the given number of threads. Shares fft.cpp's
// planner lock, since FFTW's planner is not thread-safe. Row-major data[y * nx + x], FFTW's sign convention,
// unnormalised. data must come from fftwf_malloc (the cached plan is executed on new arrays of that alignment).
#pragma once

#include <complex>

namespace pclean {

void fft2dInPlace(std::complex<float>* data, int ny, int nx, bool forward, int nthreads);

}  // namespace pclean
