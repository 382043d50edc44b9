package org.pclean.imaging.gridding;

import java.util.Locale;
import org.pclean.casacore.WGridderKernels;
import org.pclean.casacore.WStack;
import org.pclean.ingest.source.VisibilityData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.pclean.bus.metrics.PcleanMeters;

/**
 * {@code --gridder wgridder}, pclean-java's extension after WSClean's wgridder: the exponential-of-semicircle
 * kernel to a requested accuracy, w-stacking on planes it chooses over the w range it is given (the whole
 * selection's, so row chunks stack on the serial run's planes), in native code. Keeps the wall time of its phases
 * for benchmarks.
 */
public final class WGridder implements Gridder {
  private static final Logger LOG = LoggerFactory.getLogger(WGridder.class);

  private final ImagePixels px;
  private final double epsilon;
  private final WStack wrange;
  private final int threads;
  private final double[] seconds = new double[4];

  /** wrange: the w range the planes span (NaN: of whatever samples are gridded). */
  public WGridder(ImagePixels px, double epsilon, WStack wrange, int threads) {
    this.px = px;
    this.epsilon = epsilon;
    this.wrange = wrange;
    this.threads = threads;
    if (LOG.isDebugEnabled() && !Double.isNaN(wrange.wmin())) {
      WGridderKernels.Parameters k = parameters();
      LOG.debug(String.format(Locale.ROOT, "wgridder: epsilon %.1e, support %d, beta %.2f, grid %dx%d, %d w plane(s)",
          epsilon, k.support(), k.beta(), k.gridX(), k.gridY(), k.wPlanes()));
    }
  }

  /** The kernel, grid and planes chosen (for the given w range; NaN: w ignored). */
  public WGridderKernels.Parameters parameters() {
    return WGridderKernels.parameters(epsilon, px.nx(), px.ny(), px.cellx(), px.celly(), wrange.wmin(),
        wrange.wmax());
  }

  /** Wall seconds per phase over every call so far. */
  public synchronized WGridderKernels.PhaseSeconds phaseSeconds() {
    return new WGridderKernels.PhaseSeconds(seconds[0], seconds[1], seconds[2], seconds[3]);
  }

  @Override
  public double invert(VisibilityData data, float[] vis, float[] weights, float[] image) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    double[] s = new double[4];
    double sumwt = WGridderKernels.invert(data.uvw(), data.freq(), vis, weights, px.nx(), px.ny(), px.cellx(),
        px.celly(), epsilon, wrange.wmin(), wrange.wmax(), threads, image, s);
    add(s);
    return sumwt;
  }

  @Override
  public void predictInto(float[] model, VisibilityData data, float[] out) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    double[] s = new double[4];
    WGridderKernels.predictInto(model, px.nx(), px.ny(), px.cellx(), px.celly(), epsilon, wrange.wmin(),
        wrange.wmax(), data.uvw(), data.freq(), threads, s, out);
    add(s);
  }

  private synchronized void add(double[] s) {
    for (int i = 0; i < s.length; i++) {
      seconds[i] += s[i];
    }
  }
}
