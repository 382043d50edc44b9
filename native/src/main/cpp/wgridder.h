// The fast w-gridder (pclean-java's `--gridder wgridder`, after WSClean's wgridder): the same two transforms as
// gridder.h, to a requested accuracy epsilon instead of with a fixed kernel.
//
// invert: dirty image  I(x,y) = sum_i w_i Re[ V_i exp(-2 pi i (u_i l + v_i m + w_i (n - 1))) ]   (unnormalised)
// predict: model vis   V_i    = sum_xy M(x,y) exp(+2 pi i (u_i l + v_i m + w_i (n - 1)))
// predict is the exact adjoint of invert (for unit weights), and both agree with the direct sums to ~epsilon
// relative to the largest term. Conventions as gridder.h: pixel (x, y) of an nx x ny image sits at
// l = -(x - nx/2) cellx, m = (y - ny/2) celly; u, v, w are uvw[row*3 + k] (metres) times freq[chan] / c; samples
// are [row * nchan + chan]; vis interleaved (re, im); weight <= 0 skips a sample in invert; n - 1 = 0 beyond the
// horizon. Samples whose kernel would leave the uv grid are skipped (not in the returned sum of weights; predict
// leaves them 0).
//
// Method (Barnett et al. 2019; Arras et al. 2021; Ye et al. 2022): the exponential-of-semicircle kernel
// exp(beta (sqrt(1 - z^2) - 1)) of W cells, W and beta chosen from epsilon, on a grid 2x the image (2-3-5 smooth),
// in single precision. w is folded to >= 0 (a sample and its conjugate at -uvw give the same real image). When
// the largest w-phase 2 pi |w| |n - 1| is below epsilon, w is ignored; otherwise the samples are spread over w
// planes with the same kernel (plane spacing 1 / (4 max|n - 1|), so the w direction is sampled 2x too), each plane
// is FFT'd and multiplied by its w-screen exp(-2 pi i w_p (n - 1)), and the sum is divided once by the kernel's
// Fourier transform in l, m and w (Gauss-Legendre quadrature of the exact kernel). The samples are bucketed by
// (first w plane, 16x16 uv tile), and the weighted visibilities copied once into that order (a tile's samples are
// rows far apart: read in place, every plane pass waited on memory); threads take whole tiles and accumulate into
// a tile-sized buffer that is added to the grid in four passes of non-adjacent tiles, so no thread holds a full
// grid. The kernel's u and v taps are one 8-float vector (Horner on y^2 in two chains), a kernel row one vector
// multiply-add, compiled for AVX2/FMA and for baseline x86-64 and picked at load time. FFTs are FFTW single
// precision, threaded, with plans cached per size, and skip what is zero or unread (the grid rows without
// samples, the columns outside the image). Thread-safe; no casacore.
//
// Usage: wgridParameters() to report the choice; wgridInvert() for the PSF (vis == nullptr) and residuals,
// wgridPredict() for model visibilities. Memory: one complex float padded grid (8 * 4 nx ny bytes), one double
// image, 8 bytes per run of channels of a row that share a bucket, 8 bytes per sample (the bucket-ordered copy),
// and a 2-D tile buffer per thread.
#pragma once

namespace pclean {

// epsilon: the accuracy, in [1e-6, 0.1] (single-precision grids); the support is capped at 8 cells.
//
// The choice for these inputs: out[0] kernel support W (cells), out[1] padded grid x, out[2] padded grid y,
// out[3] w planes (1: w ignored); returns the kernel's beta. wmin, wmax: the w range (wavelengths, either sign)
// the planes must cover (NaN: w ignored).
double wgridParameters(double epsilon, int nx, int ny, double cellx, double celly, double wmin, double wmax,
                       int* out);

// seconds (nullptr, or 4 values): the wall time of each phase is added to seconds[0] bucketing the samples,
// [1] gridding or degridding (the kernel, what `pclean bench grid` reports), [2] FFTs, [3] image-side work
// (w-screens, correction, zeroing the grid).

// Dirty image (or the PSF when vis == nullptr) into image (nx * ny); returns the sum of the weights gridded.
// wmin, wmax: the w range the planes span (NaN: the range of these samples), so row chunks of one image can share
// the planes of the whole selection.
double wgridInvert(const double* uvw, long long nrow, const double* freq, int nchan, const float* vis,
                   const float* weight, int nx, int ny, double cellx, double celly, double epsilon, double wmin,
                   double wmax, int nthreads, float* image, double* seconds);

// Overwrites vis (nrow * nchan complex) with the visibilities of the model image (nx * ny).
void wgridPredict(const float* model, int nx, int ny, double cellx, double celly, double epsilon, double wmin,
                  double wmax, const double* uvw, long long nrow, const double* freq, int nchan, int nthreads,
                  float* vis, double* seconds);

}  // namespace pclean
