// Creates a MeasurementSet with casacore's NewMSSimulator (all required subtables) and fills
// DATA by a direct Fourier sum over point sources, so the sky is known exactly.
//
// Call order: MsSimulator(path) -> setAntennas -> setField -> setSpectralWindow -> observe
//             -> predictPointSources -> close.
// UVW follows the MS convention, uvw = x(ant2) - x(ant1) in the J2000 frame of the phase centre (what
// casacore's derivedmscal UVW_J2000 computes). Visibilities follow the convention CASA and WSClean image real
// data with, for uvw as stored (lambda per channel):
//   V(u,v,w) = sum_k S_k (nu/nu0)^alpha_k exp(+2 pi i (u l_k + v m_k + w (n_k - 1)) / lambda)
// with l, m the direction cosines of each source (l toward east = increasing RA), n = sqrt(1-l^2-m^2).
// Parallel-hand correlations get the Stokes I visibility, cross-hands 0, then Gaussian noise of
// rms noiseJy on real and imaginary parts; SIGMA = noiseJy and WEIGHT = 1/noiseJy^2 (1 when noiseJy = 0).
#pragma once

namespace pclean {

class MsSimulator {
 public:
  // Creates a new MS at path; throws when path exists.
  explicit MsSimulator(const char* path);
  ~MsSimulator();

  // xyz[ant * 3 + k]: ITRF metres; names newline-separated; diam in metres.
  void setAntennas(const char* telescope, int nant, const double* xyz, const double* diam, const char* names);
  // Phase centre, J2000 radians.
  void setField(const char* name, double ra, double dec);
  // Channel centres freq0 + i * dfreq (Hz, TOPO); stokes e.g. "RR LL", "XX YY", "RR RL LR LL".
  void setSpectralWindow(const char* name, int nchan, double freq0, double dfreq, const char* stokes);
  // Observes from hour angle haStart to haStop (hours) on the day of refMjd (days, UTC),
  // one row per baseline (no autocorrelations) per integration (seconds).
  void observe(double haStart, double haStop, double integration, double refMjd);
  long long numRows();

  // l, m in radians, flux in Jy at refFreq (Hz), alpha the spectral index. seed makes noise repeatable.
  void predictPointSources(const double* l, const double* m, const double* flux, const double* alpha, int nsrc,
                           double refFreq, double noiseJy, long long seed);
  void close();

 private:
  struct Impl;
  Impl* impl;
};

}  // namespace pclean
