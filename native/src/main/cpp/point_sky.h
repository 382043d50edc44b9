// The direct Fourier sum of a sky of point sources, shared by the MS simulator and the correlator emulator so
// both write the same numbers for the same row (and, with the same seed and row order, the same noise).
// Internal to the facade: not parsed by JavaCPP.
//
//   V(u,v,w) = sum_k S_k (nu/nu0)^alpha_k exp(+2 pi i (u l_k + v m_k + w (n_k - 1)) nu / c)
// with uvw as stored in the MS (x(ant2) - x(ant1), metres). Parallel hands carry Stokes I, cross hands 0.
#pragma once

#include <casacore/casa/Exceptions/Error.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace pclean {

class PointSky {
 public:
  PointSky() = default;
  PointSky(const double* l, const double* m, const double* flux, const double* alpha, int nsrc, double refFreq,
           double noiseJy, long long seed)
      : l_(l, l + nsrc), m_(m, m + nsrc), flux_(flux, flux + nsrc), alpha_(alpha, alpha + nsrc), n1_(nsrc),
        refFreq_(refFreq), noiseJy_(noiseJy), rng_(static_cast<unsigned long long>(seed)),
        gauss_(0.0f, static_cast<float>(noiseJy > 0 ? noiseJy : 1.0)) {
    if (refFreq <= 0) throw casacore::AipsError("reference frequency must be positive");
    if (noiseJy < 0) throw casacore::AipsError("noise must be >= 0");
    for (int k = 0; k < nsrc; ++k) {
      const double r2 = l[k] * l[k] + m[k] * m[k];
      if (r2 >= 1.0) {
        throw casacore::AipsError("source " + std::to_string(k) +
                                  " lies outside the celestial sphere (l^2+m^2 >= 1)");
      }
      n1_[k] = std::sqrt(1.0 - r2) - 1.0;
    }
  }

  // SIGMA of every correlation: the noise rms, or 1 for noiseless data; WEIGHT = 1 / SIGMA^2.
  float sigma() const { return noiseJy_ > 0 ? static_cast<float>(noiseJy_) : 1.0f; }
  float weight() const { return 1.0f / (sigma() * sigma()); }

  // One row: vis[(chan * ncorr + corr) * 2 + {0 re, 1 im}]. Draws noise (real then imaginary part, channel
  // outermost, then correlation) from the one generator, so rows must be predicted in the order written.
  void predictRow(const double* uvw, const double* freq, int nchan, const bool* parallelHand, int ncorr,
                  float* vis) {
    constexpr double kSpeedOfLight = 299792458.0;
    for (int ch = 0; ch < nchan; ++ch) {
      const double scale = freq[ch] / kSpeedOfLight;  // metres -> wavelengths
      double re = 0, im = 0;
      for (size_t k = 0; k < l_.size(); ++k) {
        const double phase = 2.0 * M_PI * scale * (uvw[0] * l_[k] + uvw[1] * m_[k] + uvw[2] * n1_[k]);
        const double s = flux_[k] * std::pow(freq[ch] / refFreq_, alpha_[k]);
        re += s * std::cos(phase);
        im += s * std::sin(phase);
      }
      for (int c = 0; c < ncorr; ++c) {
        float vr = parallelHand[c] ? static_cast<float>(re) : 0.0f;
        float vi = parallelHand[c] ? static_cast<float>(im) : 0.0f;
        if (noiseJy_ > 0) {
          vr += gauss_(rng_);
          vi += gauss_(rng_);
        }
        vis[(ch * ncorr + c) * 2] = vr;
        vis[(ch * ncorr + c) * 2 + 1] = vi;
      }
    }
  }

  static bool isParallelHand(int stokesCode) {
    return stokesCode == 5 || stokesCode == 8 || stokesCode == 9 || stokesCode == 12;
  }

 private:
  std::vector<double> l_, m_, flux_, alpha_, n1_;
  double refFreq_ = 1;
  double noiseJy_ = 0;
  std::mt19937_64 rng_;
  std::normal_distribution<float> gauss_;
};

}  // namespace pclean
