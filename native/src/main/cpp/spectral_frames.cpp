#include "spectral_frames.h"

#include <casacore/casa/Exceptions/Error.h>
#include <casacore/casa/Quanta/Quantum.h>
#include <casacore/measures/Measures/MCFrequency.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MEpoch.h>
#include <casacore/measures/Measures/MFrequency.h>
#include <casacore/measures/Measures/MPosition.h>
#include <casacore/measures/Measures/MeasConvert.h>
#include <casacore/measures/Measures/MeasFrame.h>

namespace pclean {

using namespace casacore;

static MFrequency::Types frameType(const char* name) {
  MFrequency::Types t;
  if (!MFrequency::getType(t, String(name))) {
    throw AipsError(String("unknown spectral frame '") + name + "' (casacore MFrequency types: TOPO, LSRK, BARY, ...)");
  }
  return t;
}

void convertFrequencies(const char* from, const char* to, double mjdSec, double x, double y, double z, double ra,
                        double dec, const double* in, double* out, int n) {
  MFrequency::Types tf = frameType(from);
  MFrequency::Types tt = frameType(to);
  MEpoch epoch(MVEpoch(Quantity(mjdSec, "s")), MEpoch::UTC);
  MPosition position(MVPosition(x, y, z), MPosition::ITRF);
  MDirection direction(MVDirection(ra, dec), MDirection::J2000);
  MeasFrame frame(epoch, position, direction);
  MFrequency::Convert convert(MFrequency::Ref(tf, frame), MFrequency::Ref(tt, frame));
  for (int i = 0; i < n; i++) {
    out[i] = convert(MVFrequency(in[i])).getValue().getValue();
  }
}

}  // namespace pclean
