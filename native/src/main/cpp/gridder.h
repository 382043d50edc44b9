// Visibility <-> image transforms for imaging (tclean's 'standard' and 'wproject' gridders), over plain arrays.
//
// invert: dirty image  I(x,y) = sum_i w_i Re[ V_i exp(-2 pi i (u_i l + v_i m + w_i (n - 1))) ]   (unnormalised)
// predict: model vis   V_i    = sum_xy M(x,y) exp(+2 pi i (u_i l + v_i m + w_i (n - 1)))
// predict is the exact adjoint of invert (for unit weights): sum_xy M invert(V) = Re sum_i w_i V_i conj(predict(M)_i).
// Pixel (x, y) of an nx x ny image sits at l = -(x - nx/2) cellx (RA increases to the left), m = (y - ny/2) celly.
// u, v, w are uvw[row*3 + k] (metres) times freq[chan] / c; samples are [row * nchan + chan];
// vis interleaved (re, im); weight <= 0 (or a sample outside the uv grid) skips the sample.
//
// Method: convolutional gridding with the prolate spheroidal kernel (support 3 cells, as casacore's "SF"),
// oversampled 128x, onto a grid padded by 'padding' (tclean default 1.2), FFT (FFTW, double), and division by
// the kernel's Fourier transform (computed numerically from the same kernel, so invert and predict stay adjoint).
// wplanes <= 1 ignores w (tclean 'standard'); wplanes > 1 handles w by w-stacking: samples go to the nearest of
// wplanes planes spanning their w range, each plane is transformed and multiplied by exp(-2 pi i w_p (n - 1)).
// nthreads splits rows over threads (one grid each). Thread-safe; no casacore.
#pragma once

namespace pclean {

// w-stacking over wplanes planes spanning [wmin, wmax] wavelengths (NaN: the range of the samples given).
// Returns the sum of the weights of the samples gridded. vis == nullptr grids V = 1 (the PSF).
double invert(const double* uvw, long long nrow, const double* freq, int nchan, const float* vis,
              const float* weight, int nx, int ny, double cellx, double celly, double padding, int wplanes,
              double wmin, double wmax, int nthreads, float* image);

// Overwrites vis (nrow * nchan complex) with the visibilities of the model image.
void predict(const float* model, int nx, int ny, double cellx, double celly, double padding, int wplanes,
             double wmin, double wmax, const double* uvw, long long nrow, const double* freq, int nchan, int nthreads, float* vis);

// The padded grid size tclean-style: the smallest even size >= padding * n whose only prime factors are 2, 3, 5.
int paddedSize(int n, double padding);

}  // namespace pclean
