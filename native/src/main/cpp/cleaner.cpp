#include "cleaner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pclean {

float peakAbs(const float* image, const unsigned char* mask, int nx, int ny, long long* where) {
  const long long n = (long long)nx * ny;
  float best = -1.0f;
  long long at = -1;
  for (long long i = 0; i < n; ++i) {
    if (mask && !mask[i]) continue;
    float a = std::abs(image[i]);
    if (a > best) {
      best = a;
      at = i;
    }
  }
  if (where) *where = at;
  return std::max(best, 0.0f);
}

int hogbomClean(float* residual, float* model, const float* psf, const unsigned char* mask, int nx, int ny,
                float gain, float threshold, int maxIter, double* stats) {
  if (nx < 1 || ny < 1) throw std::invalid_argument("image shape must be positive");
  if (!(gain > 0 && gain <= 1)) throw std::invalid_argument("gain must be in (0, 1], got " + std::to_string(gain));
  const int cx = nx / 2, cy = ny / 2;
  int iter = 0;
  double flux = 0;
  long long at = -1;
  float peak = peakAbs(residual, mask, nx, ny, &at);
  while (iter < maxIter && at >= 0 && peak > threshold) {
    const int px = int(at % nx), py = int(at / nx);
    const float comp = gain * residual[at];
    model[at] += comp;
    flux += comp;
    // Subtract the shifted PSF over the overlap of the two images.
    const int x0 = std::max(0, px - cx), x1 = std::min(nx, px - cx + nx);
    const int y0 = std::max(0, py - cy), y1 = std::min(ny, py - cy + ny);
    for (int y = y0; y < y1; ++y) {
      float* r = residual + (long long)y * nx;
      const float* p = psf + (long long)(y - py + cy) * nx + (cx - px);
      for (int x = x0; x < x1; ++x) r[x] -= comp * p[x];
    }
    ++iter;
    peak = peakAbs(residual, mask, nx, ny, &at);
  }
  stats[0] = peak;
  stats[1] = flux;
  return iter;
}

}  // namespace pclean
