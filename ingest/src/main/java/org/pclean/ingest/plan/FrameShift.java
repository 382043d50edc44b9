package org.pclean.ingest.plan;

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
 * one, at the first selected time, over which the output channels are laid (tclean's reference time). The rows
 * are the selection's, whatever its channels, so every sub-cube of a cube sees the same factors.
 */
public record FrameShift(double reference, double[] rows) {
  private static final Logger LOG = LoggerFactory.getLogger(FrameShift.class);

  /** p's factors for the rows of data (p's selection of source, loaded); null: a TOPO cube, or mfs. */
  public static FrameShift of(TcleanParams p, VisibilitySource source, VisibilityData data) {
    FrameShift shift = of(p, source);
    if (shift != null && shift.rows.length != data.numRows()) {
      throw new IllegalStateException("row times do not match the loaded rows");
    }
    return shift;
  }

  /** p's factors for the rows of its selection of source; null: a TOPO cube, or mfs. */
  public static FrameShift of(TcleanParams p, VisibilitySource source) {
    if (p.specmode() != SpecMode.CUBE || p.outframe().equals("TOPO")) {
      return null;
    }
    double[] times = VisibilityLoader.times(source, p.selection());
    double[] centre = new double[3];
    var antennas = source.metadata().antennas();
    for (var a : antennas) {
      for (int k = 0; k < 3; k++) {
        centre[k] += a.position()[k] / antennas.size();
      }
    }
    double[] phaseCentre = VisibilityLoader.select(source, p.selection()).phaseCentre();
    double ra = phaseCentre[0];
    double dec = phaseCentre[1];
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
        + " .. %.9f)", p.outframe(), reference, factor.size(), min(rows), max(rows)));
    return new FrameShift(reference, rows);
  }

  /** The smallest row factor (the reference when there are no rows). */
  public double min() {
    return rows.length == 0 ? reference : min(rows);
  }

  /** The largest row factor (the reference when there are no rows). */
  public double max() {
    return rows.length == 0 ? reference : max(rows);
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(1);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(1);
  }

  private static double dopplerFactor(String frame, double mjdSec, double[] itrf, double ra, double dec) {
    double f = 1e9;
    return org.pclean.casacore.SpectralFrames.convert("TOPO", frame, mjdSec, itrf, ra, dec, f)[0] / f;
  }
}
