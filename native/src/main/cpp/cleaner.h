// Minor-cycle kernels over plain float images (row-major, plane[y * nx + x]). Thread-safe; no casacore.
//
// hogbomClean: Hogbom CLEAN. Repeats: find the residual pixel of largest |value| (inside mask when given,
// mask[i] != 0), add gain * value to the model there, subtract gain * value * PSF shifted to that pixel
// (the PSF is nx x ny with its peak, 1, at (nx/2, ny/2)). Stops after maxIter components or when the peak
// |residual| falls to threshold. Residual and model are updated in place.
// Returns the number of components; stats[0] = peak |residual| at the end (inside the mask),
// stats[1] = total flux added to the model.
#pragma once

namespace pclean {

int hogbomClean(float* residual, float* model, const float* psf, const unsigned char* mask, int nx, int ny,
                float gain, float threshold, int maxIter, double* stats);

// Peak |value| of an image inside mask (mask may be null); index of that pixel in *where (may be null).
float peakAbs(const float* image, const unsigned char* mask, int nx, int ny, long long* where);

}  // namespace pclean
