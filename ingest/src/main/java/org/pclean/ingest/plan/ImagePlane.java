package org.pclean.ingest.plan;

import java.util.Arrays;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MsMetadata;
import org.pclean.casacore.ObservationInfo;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;

/**
 * tclean's image geometry of a selection, the dish diameter of its primary beam and what its products' headers
 * record of the observation: tclean's rules, used by the planner (which hands them to the coordinator and the
 * sink in the JobSpec) and by the serial engine alike.
 */
public final class ImagePlane {
  private ImagePlane() {}

  /** The image geometry of a run over the selected channels (freq, width) at the field's phase centre. */
  public static ImageGeometry geometry(TcleanParams p, double[] f, double[] width, double[] phaseCentre,
      boolean cube, int nplanes) {
    double fmin = Arrays.stream(f).min().orElseThrow();
    double fmax = Arrays.stream(f).max().orElseThrow();
    double freq0;
    double dfreq;
    if (cube) {
      freq0 = f[0];
      dfreq = f.length > 1 ? f[1] - f[0] : width[0];
      // One plane per selected channel: the channels (over several spws or ranges) must lie on one regular grid.
      for (int c = 1; c < f.length; c++) {
        if (Math.abs(f[c] - f[c - 1] - dfreq) > 1e-6 * Math.abs(dfreq)) {
          throw new IllegalArgumentException("the selected channels do not lie on one regular frequency grid"
              + " (channel " + c + " at " + f[c] + " Hz after " + f[c - 1] + " Hz, increment " + dfreq
              + " Hz); give the cube's channels with start and width (the data are then regridded onto them)");
        }
      }
    } else {
      // tclean mfs: one plane at the centre of the selected band, as wide as the band.
      double half = Math.abs(width[0]) / 2;
      freq0 = (fmin + fmax) / 2;
      dfreq = fmax - fmin + 2 * half;
    }
    return new ImageGeometry(p.nx(), p.ny(), "I", nplanes, phaseCentre[0], phaseCentre[1], p.cell()[0],
        p.cell()[1], freq0, dfreq, 0.0);
  }

  /** The dish diameter for the primary beam: the median of the positive diameters (0 when none). */
  public static double dishDiameter(MsMetadata md) {
    double[] d = md.antennas().stream().mapToDouble(MsMetadata.Antenna::dishDiameter).filter(v -> v > 0).sorted()
        .toArray();
    return d.length == 0 ? 0 : d[d.length / 2];
  }

  /**
   * What the products' headers record of the observation for the selected spw. Without a SOURCE rest frequency
   * tclean uses the centre of the selection: for mfs of the selected channels (the plane's frequency), for a cube
   * of the spw's whole channel range, so that every sub-cube of a parallel cube gets the serial run's value. The
   * serial engine and the planner (for the continuum sink) both take it from here.
   */
  public static ObservationInfo observation(TcleanParams p, VisibilitySource source) {
    VisibilityLoader.Selection sel = VisibilityLoader.select(source, p.selection());
    ObservationInfo o = source.observation(sel.spw());
    ObservationInfo obs = p.outframe().equals(o.frame()) || p.specmode() != SpecMode.CUBE ? o
        : new ObservationInfo(o.telescope(), o.observer(), o.obsDateMjdSec(), p.outframe(), o.restFreq());
    if (p.restfreq() > 0) {
      return obs.withRestFreq(p.restfreq());  // tclean's restfreq parameter before the SOURCE table's
    }
    if (obs.restFreq() > 0) {
      return obs;
    }
    double[] f = VisibilityLoader.frequencies(source.metadata(), p.selection(), p.specmode() == SpecMode.CUBE);
    double lo = Arrays.stream(f).min().orElse(0);
    double hi = Arrays.stream(f).max().orElse(0);
    return obs.withRestFreq((lo + hi) / 2);
  }
}
