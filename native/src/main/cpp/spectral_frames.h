// Spectral frame conversion through casacore Measures (MFrequency::Convert), over plain doubles.
#pragma once

namespace pclean {

// Converts n frequencies in[i] (Hz) from the frame `from` to the frame `to` (MFrequency names: TOPO, LSRK, BARY,
// GEO, LSRD, GALACTO, REST ...) for an observation at time mjdSec (UTC, MJD seconds) from the ITRF position
// (x, y, z) metres towards the J2000 direction (ra, dec) radians, into out[i]; out may be in. An unknown frame
// name throws casacore's AipsError with casacore's message.
void convertFrequencies(const char* from, const char* to, double mjdSec, double x, double y, double z, double ra,
                        double dec, const double* in, double* out, int n);

}  // namespace pclean
