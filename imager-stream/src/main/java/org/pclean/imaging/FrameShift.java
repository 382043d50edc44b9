package org.pclean.imaging;

import java.util.Arrays;
import java.util.Locale;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Doppler factors of a cube in another frame than the MS's (TOPO): each row's ratio f_frame / f_TOPO at its
 * time (casacore's MFrequency conversion, from the array centre towards the phase centre), and the reference
 * one, at the first selected time, over which the output channels are laid (tclean's reference time).
 */
record FrameShift(double reference, double[] rows) {
  private static final Logger LOG = LoggerFactory.getLogger(FrameShift.class);

  static FrameShift of(TcleanParams p, VisibilitySource source, VisibilityData data) {
    if (p.specmode() != SpecMode.CUBE || p.outframe().equals("TOPO")) {
      return null;
    }
    double[] times = VisibilityLoader.times(source, p.selection());
    if (times.length != data.numRows()) {
      throw new IllegalStateException("row times do not match the loaded rows");
    }
    double[] centre = new double[3];
    var antennas = source.metadata().antennas();
    for (var a : antennas) {
      for (int k = 0; k < 3; k++) {
        centre[k] += a.position()[k] / antennas.size();
      }
    }
    double ra = data.phaseCentre()[0];
    double dec = data.phaseCentre()[1];
    java.util.Map<Double, Double> factor = new java.util.HashMap<>();
    double[] rows = new double[times.length];
    double first = Double.MAX_VALUE;
    for (int r = 0; r < times.length; r++) {
      double t = times[r];
      first = Math.min(first, t);
      rows[r] = factor.computeIfAbsent(t, x -> dopplerFactor(p.outframe(), x, centre, ra, dec));
    }
    double reference = factor.computeIfAbsent(first, x -> dopplerFactor(p.outframe(), x, centre, ra, dec));
    LOG.info(String.format(Locale.ROOT, "outframe %s: TOPO frequencies x %.9f at the first time (%d times, x %.9f"
        + " .. %.9f)", p.outframe(), reference, factor.size(), Arrays.stream(rows).min().orElse(1),
        Arrays.stream(rows).max().orElse(1)));
    return new FrameShift(reference, rows);
  }

  private static double dopplerFactor(String frame, double mjdSec, double[] itrf, double ra, double dec) {
    double f = 1e9;
    return org.pclean.casacore.SpectralFrames.convert("TOPO", frame, mjdSec, itrf, ra, dec, f)[0] / f;
  }
}
