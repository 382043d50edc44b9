package org.pclean.imaging.mask;

import java.util.Locale;
import org.pclean.casacore.Beam;
import org.pclean.imaging.ImageConvolver;
import org.pclean.imaging.beam.Restorer;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.ingest.params.MaskParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tclean's auto-multithresh for one plane (Kepley et al. 2020, PASP 132, 024505; CASA's SDMaskHandler), run on
 * the residual before every minor cycle. Statistics over the pixels where pb &gt; pblimit: peak |r|, median and
 * rms = 1.4826·MAD (fastnoise; otherwise of the pixels outside the current mask). Then, each cycle:
 * <ol>
 *   <li>threshold T = max(sidelobethreshold·sidelobe·peak, noisethreshold·rms) + median; mask r &gt; T;
 *   <li>prune 4-connected regions smaller than minbeamfrac × the beam area (pixels);
 *   <li>smooth by a Gaussian of smoothfactor × the restoring beam and keep &gt; cutthreshold × its peak;
 *   <li>after the first cycle, grow the previous mask by up to growiterations binary dilations inside the
 *       low-noise mask r &gt; max(sidelobe threshold, lownoisethreshold·rms + median), prune it (dogrowprune),
 *       smooth and cut it the same way;
 *   <li>the positive mask accumulates; with negativethreshold &gt; 0 absorption below
 *       −max(sidelobe threshold, negativethreshold·rms) + median is masked (smoothed, not pruned or grown);
 *   <li>the mask is the previous one ∪ positive ∪ negative, inside pb &gt; pblimit.
 * </ol>
 * A plane whose threshold was the noise one stops being updated when its mask is empty, or (minpercentchange
 * ≥ 0, after a cycle that cleaned to the threshold) when it changed by less than minpercentchange percent.
 */
public final class AutoMultiThresh implements CleanMask {
  private static final Logger LOG = LoggerFactory.getLogger(AutoMultiThresh.class);

  private final MaskParams m;
  private final int nx;
  private final int ny;
  private final double sidelobe;
  private final byte[] valid;
  private final double pruneSize;
  private final ImageConvolver smoother;
  private final String label;
  private State state;

  /**
   * The persistent part (the continuum coordinator keeps it between cycles): the mask, the accumulated positive
   * mask, and whether updates have stopped.
   */
  public record State(byte[] mask, byte[] posmask, boolean stopped) {}

  /**
   * @param beam the plane's restoring beam; cell sizes in radians
   * @param sidelobe the PSF's largest sidelobe (fraction of its peak)
   * @param pb the plane's primary beam (null: 1 everywhere)
   */
  public AutoMultiThresh(MaskParams m, int nx, int ny, double cellX, double cellY, Beam beam, double sidelobe,
      float[] pb, double pblimit, String label) {
    this.m = m;
    this.nx = nx;
    this.ny = ny;
    this.sidelobe = sidelobe;
    this.label = label;
    this.valid = new byte[nx * ny];
    for (int i = 0; i < valid.length; i++) {
      valid[i] = (byte) (pb == null || pb[i] > pblimit ? 1 : 0);
    }
    double arcsec = Math.toRadians(1.0 / 3600);
    double beamPixels = Math.PI * beam.majorArcsec() * beam.minorArcsec() * arcsec * arcsec
        / (4 * Math.log(2)) / (cellX * cellY);
    this.pruneSize = m.minbeamfrac() * beamPixels;
    Beam smoothing = new Beam(beam.majorArcsec() * m.smoothfactor(), beam.minorArcsec() * m.smoothfactor(),
        beam.paDeg());
    this.smoother = new ImageConvolver(Restorer.gaussian(nx, ny, cellX, cellY, smoothing), nx, ny);
    this.state = new State(new byte[nx * ny], new byte[nx * ny], false);
  }

  public State state() {
    return state;
  }

  public void restore(State s) {
    state = s;
  }

  @Override
  public byte[] current() {
    return state.mask();
  }

  @Override
  public byte[] forCycle(float[] residual, int iterationsDone, boolean lastCycleAtThreshold) {
    if (state.stopped()) {
      return state.mask();
    }
    byte[] prev = state.mask();
    Stats s = stats(residual, m.fastnoise() ? null : prev);
    double sidelobeT = sidelobe * m.sidelobethreshold() * s.absMax;
    double noiseT = m.noisethreshold() * s.rms;
    double maskT = Math.max(sidelobeT, noiseT) + s.median;
    double lowT = Math.max(sidelobeT, m.lownoisethreshold() * s.rms) + s.median;
    double negT = -Math.max(sidelobeT, m.negativethreshold() * s.rms) + s.median;
    boolean noiseType = noiseT > sidelobeT;

    byte[] found = threshold(residual, maskT, true);
    and(found, valid);
    int pruned = m.minbeamfrac() > 0 ? BinaryMorphology.prune(found, nx, ny, pruneSize) : 0;
    byte[] grown = new byte[nx * ny];
    if (iterationsDone > 0 && m.growiterations() > 0) {
      byte[] constraint = threshold(residual, lowT, true);
      grown = BinaryMorphology.any(prev) && BinaryMorphology.any(constraint)
          ? BinaryMorphology.dilate(prev, constraint, nx, ny, m.growiterations()) : prev.clone();
      and(grown, constraint);
      if (m.minbeamfrac() > 0 && m.dogrowprune()) {
        BinaryMorphology.prune(grown, nx, ny, pruneSize);
      }
      grown = smoothAndCut(grown);
    }
    byte[] pos = state.posmask().clone();
    or(pos, smoothAndCut(found));
    or(pos, grown);
    and(pos, valid);
    byte[] next = prev.clone();
    or(next, pos);
    if (m.negativethreshold() > 0) {
      or(next, smoothAndCut(threshold(residual, negT, false)));
    }
    and(next, valid);

    int now = BinaryMorphology.count(next);
    int before = BinaryMorphology.count(prev);
    int change = Math.abs(now - before);
    boolean stop = noiseType && (now == 0 || (m.minpercentchange() >= 0 && lastCycleAtThreshold
        && (change == 0 || change < m.minpercentchange() / 100 * before)));
    if (LOG.isDebugEnabled()) {
      LOG.debug(String.format(Locale.ROOT, "%s automask: median %.4g, rms %.4g, peak %.4g; %s threshold %.4g;"
              + " %d regions pruned; mask %d -> %d pixels%s", label, s.median, s.rms, s.absMax,
          noiseType ? "noise" : "sidelobe", maskT, pruned, before, now, stop ? "; no more updates" : ""));
    }
    state = new State(next, pos, stop);
    return next;
  }

  /** r > t (above) or r < t (below) as a 0/1 mask. */
  private byte[] threshold(float[] r, double t, boolean above) {
    byte[] out = new byte[r.length];
    for (int i = 0; i < r.length; i++) {
      out[i] = (byte) ((above ? r[i] > t : r[i] < t) ? 1 : 0);
    }
    return out;
  }

  /** Smooths a 0/1 mask with the smoothing beam and keeps what exceeds cutthreshold × the smoothed peak. */
  private byte[] smoothAndCut(byte[] mask) {
    byte[] out = new byte[mask.length];
    if (!BinaryMorphology.any(mask)) {
      return out;
    }
    float[] f = new float[mask.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = mask[i];
    }
    float[] s = smoother.convolve(f);
    float max = 0;
    for (float v : s) {
      max = Math.max(max, v);
    }
    // FFT round-off leaves ~1e-7 of the peak everywhere: never keep less than that, even with cutthreshold 0.
    double cut = Math.max(m.cutthreshold(), 1e-5) * max;
    for (int i = 0; i < s.length; i++) {
      out[i] = (byte) (s[i] > cut ? 1 : 0);
    }
    return out;
  }

  private record Stats(double absMax, double median, double rms) {}

  /** Peak |r| over the valid pixels; median and 1.4826·MAD over those outside exclude (null: all valid). */
  private Stats stats(float[] r, byte[] exclude) {
    int n = 0;
    double absMax = 0;
    for (int i = 0; i < r.length; i++) {
      if (valid[i] != 0) {
        absMax = Math.max(absMax, Math.abs(r[i]));
        n += exclude == null || exclude[i] == 0 ? 1 : 0;
      }
    }
    boolean useExclude = exclude != null && n > 0;
    if (!useExclude) {
      n = BinaryMorphology.count(valid);
    }
    if (n == 0) {
      return new Stats(0, 0, 0);
    }
    float[] v = new float[n];
    int k = 0;
    for (int i = 0; i < r.length; i++) {
      if (valid[i] != 0 && (!useExclude || exclude[i] == 0)) {
        v[k++] = r[i];
      }
    }
    double median = IterationControl.median(v.clone());
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.abs(v[i] - median);
    }
    return new Stats(absMax, median, 1.4826 * IterationControl.median(v));
  }

  private static void and(byte[] a, byte[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] &= b[i];
    }
  }

  private static void or(byte[] a, byte[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] |= b[i];
    }
  }
}
