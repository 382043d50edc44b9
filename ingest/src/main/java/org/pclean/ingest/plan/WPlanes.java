package org.pclean.ingest.plan;

import org.pclean.casacore.WStack;
import org.pclean.ingest.params.TcleanParams;

/**
 * The w planes of a run: tclean's {@code wproject} is done here by w-stacking — the gridder images each of
 * {@code wprojplanes} w planes with the standard kernel and applies the w-term of each plane in the image — over
 * the w range of the whole selection, so the row chunks of a parallel continuum job stack on exactly the serial
 * run's planes. {@code wprojplanes -1} picks the count from the w range and the field size. The wgridder chooses
 * its own planes from the accuracy asked of it: it gets the selection's w range only.
 */
public final class WPlanes {
  private WPlanes() {}

  /** The planes for a selection with these uvw (metres, {@code [row*3 + k]}) and channel frequencies (Hz). */
  public static WStack forSelection(TcleanParams p, double[] uvw, double[] freq) {
    if (p.gridder() == TcleanParams.GridderKind.WGRIDDER) {
      return WStack.span(WStack.range(uvw, freq));
    }
    if (!(p.wplanes() > 1 || p.wplanes() == -1)) {
      return WStack.none();
    }
    double[] range = WStack.range(uvw, freq);
    int planes = p.wplanes() == -1 ? autoPlanes(p, range) : p.wplanes();
    return new WStack(planes, range[0], range[1]);
  }

  /**
   * Enough planes that the nearest-plane w error, (Δw/2)·max|n-1|, stays below 0.05 turns at the image corner
   * (at most 1.2 % amplitude loss there, less inside). range: w in wavelengths.
   */
  static int autoPlanes(TcleanParams p, double[] range) {
    double l = p.nx() / 2.0 * p.cell()[0];
    double m = p.ny() / 2.0 * p.cell()[1];
    double maxN1 = 1 - Math.sqrt(Math.max(0, 1 - l * l - m * m));
    double span = range[1] - range[0];
    return Math.max(2, (int) Math.ceil(span * maxN1 / 0.1) + 1);
  }
}
