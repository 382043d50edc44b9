package org.pclean.casacore;

import org.pclean.casacore.jni.PcleanNative;

/**
 * Frequencies converted between spectral frames by casacore's Measures (MFrequency::Convert): TOPO (the MS's
 * channels as observed), LSRK, BARY and casacore's other MFrequency types. Plain doubles cross JNI; a casacore
 * error (an unknown frame) arrives as a {@link CasacoreException} with casacore's message.
 */
public final class SpectralFrames {
  private SpectralFrames() {}

  /**
   * The frequencies f (Hz) in frame from, seen at mjdSec (UTC, MJD seconds) from the ITRF position itrf (x, y, z
   * metres) towards J2000 (ra, dec) radians, in frame to.
   */
  public static double[] convert(String from, String to, double mjdSec, double[] itrf, double ra, double dec,
      double... f) {
    if (itrf.length != 3) {
      throw new IllegalArgumentException("the observatory position needs x, y, z (ITRF metres)");
    }
    double[] out = new double[f.length];
    NativeCall.casacoreRun("cannot convert frequencies from " + from + " to " + to,
        () -> PcleanNative.convertFrequencies(from, to, mjdSec, itrf[0], itrf[1], itrf[2], ra, dec, f, out, f.length));
    return out;
  }
}
