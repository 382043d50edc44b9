// 2-D FFTs over plain arrays (FFTW, single precision). Row-major: a[y * nx + x].
// Sign convention as FFTW: forward F[k] = sum_n a[n] exp(-2 pi i k n / N), backward with +i;
// neither is normalised (backward(forward(a)) = nx * ny * a).
// Complex arrays are interleaved (re, im). Plans are made per call (FFTW_ESTIMATE): no shared state,
// safe to call from several threads at once.
#pragma once

namespace pclean {

// In place, data[2 * (y * nx + x) + {0, 1}].
void fft2dComplex(float* data, int ny, int nx, bool forward);
// Real ny x nx -> half spectrum ny x (nx/2 + 1) complex.
void fft2dRealForward(const float* in, float* out, int ny, int nx);
// Half spectrum ny x (nx/2 + 1) complex -> real ny x nx (input is not preserved).
void fft2dRealBackward(float* in, float* out, int ny, int nx);

}  // namespace pclean
