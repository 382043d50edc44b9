package org.pclean.ingest.plan;

import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;

/**
 * The output channels of a regridded cube (tclean's start, width, nchan and outframe) as the serial engine lays
 * them over the whole selection, and what one sub-cube of it needs: its own channels as a grid, and the span of
 * selected input channels that feed them. A sub-cube that loads that span and regrids onto its grid makes the
 * same planes as the whole cube regridded at once, so a worker need not load every channel.
 *
 * @param inputFreq the selected channels' TOPO frequencies (Hz), in the order the loader delivers them
 * @param shift the rows' Doppler factors (null: the output frame is TOPO)
 */
public record RegriddedCube(SpectralAxis.Grid grid, double[] inputFreq, FrameShift shift) {
  /**
   * A sub-cube's share.
   *
   * @param grid its output channels
   * @param firstInput first index into the selected channels (the loader's order) it needs
   * @param lastInput last such index
   */
  public record Slice(SpectralAxis.Grid grid, int firstInput, int lastInput) {}

  /** p's regridded cube over its selection of source (p.regridsChannels()). */
  public static RegriddedCube of(TcleanParams p, VisibilitySource source) {
    double[] freq = VisibilityLoader.channels(source.metadata(), p.selection())[0];
    FrameShift shift = FrameShift.of(p, source);
    return new RegriddedCube(grid(p, freq, shift), freq, shift);
  }

  /**
   * The output grid over channels at TOPO frequencies freq (the loader's order): laid over them as seen at the
   * reference time in p's frame, as tclean does.
   */
  public static SpectralAxis.Grid grid(TcleanParams p, double[] freq, FrameShift shift) {
    double ref = shift == null ? 1 : shift.reference();
    double[] inFrame = freq.clone();
    for (int c = 0; c < inFrame.length; c++) {
      inFrame[c] *= ref;
    }
    return SpectralAxis.grid(inFrame, p.start(), p.width(), p.nchan(), p.restfreq(), p.veltype());
  }

  /**
   * Output channels first..last. Their inputs are the channels that some row, moved into the output frame by its
   * own factor, places inside those channels' band, and one more on each side: the neighbours linear and nearest
   * interpolation take for a frequency at the band's edge.
   */
  public Slice slice(int first, int last) {
    if (first < 0 || last < first || last >= grid.nchan()) {
      throw new IllegalArgumentException("output channels [" + first + ", " + last + "] are outside the cube's "
          + grid.nchan());
    }
    double a = grid.freq(first);
    double b = grid.freq(last);
    double tol = 1e-6 * Math.abs(grid.dfreq());
    double lo = (Math.min(a, b) - tol) / (shift == null ? 1 : shift.max());
    double hi = (Math.max(a, b) + tol) / (shift == null ? 1 : shift.min());
    int n = inputFreq.length;
    int from = n;
    int to = -1;
    for (int c = 0; c < n; c++) {
      if (inputFreq[c] >= lo && inputFreq[c] <= hi) {
        from = Math.min(from, c);
        to = Math.max(to, c);
      }
    }
    if (to < 0) {
      // The band lies between two input channels: the ones on either side of it.
      boolean ascending = n < 2 || inputFreq[1] > inputFreq[0];
      int below = 0;
      while (below + 1 < n && (ascending ? inputFreq[below + 1] < lo : inputFreq[below + 1] > hi)) {
        below++;
      }
      from = below;
      to = below;
    }
    return new Slice(new SpectralAxis.Grid(a, grid.dfreq(), last - first + 1), Math.max(0, from - 1),
        Math.min(n - 1, to + 1));
  }
}
