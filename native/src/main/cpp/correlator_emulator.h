// A correlator emulator: an observation laid out as casacore's NewMSSimulator lays it out (the same
// integrations, baselines, UVW, shadowing and elevation flags) but computed one integration at a time, with no
// MeasurementSet, and the visibilities of a sky of point sources predicted for each by the same direct Fourier
// sum (and, for the same seed, the same noise) as MsSimulator — so a stream from the emulator images exactly as
// the MS `pclean simulate` writes.
//
// Call order: setAntennas -> setField -> setSpectralWindow -> observe -> setSky -> nextDump (numDumps times).
// Rows of a dump: one per baseline ant1 < ant2 in that order (no autocorrelations), as NewMSSimulator writes them.
#pragma once

namespace pclean {

class CorrelatorEmulator {
 public:
  CorrelatorEmulator();
  ~CorrelatorEmulator();

  // xyz[ant * 3 + k]: ITRF metres; diam in metres. The array centre for UVW is the telescope's observatory
  // position when casacore knows the name, else antenna 0 (NewMSSimulator's rule).
  void setAntennas(const char* telescope, int nant, const double* xyz, const double* diam);
  // Phase centre, J2000 radians.
  void setField(double ra, double dec);
  // Channel centres freq0 + i * dfreq (Hz); stokes e.g. "RR LL", "XX YY", "RR RL LR LL".
  void setSpectralWindow(int nchan, double freq0, double dfreq, const char* stokes);
  // Hour angles in hours on the day of refMjd (UTC days); integration in seconds; elevation limit in degrees.
  void observe(double haStart, double haStop, double integration, double refMjd, double elevationLimitDeg);
  // l, m in radians, flux in Jy at refFreq (Hz), alpha the spectral index; noise rms per part, seed.
  void setSky(const double* l, const double* m, const double* flux, const double* alpha, int nsrc, double refFreq,
              double noiseJy, long long seed);

  int numDumps();
  int numBaselines();
  int numCorrelations();
  // Stokes codes of the correlations (casacore's Stokes::StokesTypes), numCorrelations of them.
  void correlationTypes(int* codes);
  // The phase centre as casacore holds it (J2000 ra, dec radians; an MS's PHASE_DIR read back may differ in the
  // last bit, having been through direction cosines once more).
  void phaseCentre(double* radec);
  // TIME of dump i as written to the MS: the integration's centre, seconds (MJD).
  double dumpTime(int i);

  // Computes the next dump (in order, from 0) into row-outermost arrays of numBaselines rows:
  // uvw[row*3+k] metres (MS convention, x(ant2) - x(ant1)); vis[((row*nchan+chan)*ncorr+corr)*2+{re,im}] Jy;
  // flags[(row*nchan+chan)*ncorr+corr] 1 = flagged (shadowed or below the elevation limit); weights[row*ncorr+corr].
  // Returns the dump's index.
  int nextDump(double* uvw, int* antenna1, int* antenna2, float* vis, unsigned char* flags, float* weights);

 private:
  struct Impl;
  Impl* impl;
};

}  // namespace pclean
