package org.pclean.ingest.source;

import java.util.List;
import org.pclean.casacore.CorrelationType;

/**
 * Forms Stokes I visibilities and natural weights from the correlations of a chunk, in whatever order the
 * POLARIZATION table lists them (RR/LL or XX/YY; cross hands are ignored), as CASA's tclean does (DESIGN.md §4).
 *
 * <p>The rule, with a and b the two parallel hands and w_a, w_b their natural weights:
 * <ul>
 *   <li>both hands unflagged: I = (a + b)/2 with weight (w_a + w_b)/2;
 *   <li>one hand flagged: I = the unflagged hand alone, with weight (w_a + w_b)/4;
 *   <li>both flagged (or a zero weight): weight 0, and the gridder skips the sample;
 *   <li>a sample with any correlation flagged (a parallel or a cross hand) is marked {@code densityExcluded}: it is
 *       imaged but stays out of the uniform/briggs weight density.
 * </ul>
 *
 * <p>Why these weights (CASA 6, msvis {@code VisBufferImpl2::fillImagingWeight} and {@code VisImagingWeight},
 * synthesis {@code GridFT::put} / ggridd): CASA gives a (channel, row) one natural weight, the mean of the weights
 * of the first and last correlation — the parallel hands in the usual orders — <em>whatever their flags</em>, and
 * keeps the sample when at least one correlation is unflagged. The gridder then adds every unflagged parallel hand
 * at that weight into the Stokes I plane and adds the weight once per gridded hand to the sum of weights, so the
 * normalised image holds (a + b)/2 for a two-hand sample and the lone hand for a one-hand sample, the latter counted
 * with half the weight of a two-hand sample. Here a Stokes I sample carries a single weight, on the scale "(w_a +
 * w_b)/2 for a two-hand sample" (half of CASA's per-hand sum; the scale cancels in every normalised image and
 * halves {@code .sumwt}), so the CASA-equivalent weight of a one-hand sample is half of that, (w_a + w_b)/4 — not
 * the lone hand's own weight, which would count it twice as much as CASA does (with equal hand weights, (w_a +
 * w_b)/4 is also the inverse-variance ratio: one hand has twice the variance of (a + b)/2). The weights are
 * always those of the two parallel hands (CASA takes the first and last correlation, which differs only for unusual
 * orders such as OVRO-LWA's XX, YY, XY, YX, where the weights of all correlations are equal in practice); negative
 * or NaN weights count as 0.
 *
 * <p>The density exclusion is CASA's too: {@code VisImagingWeight} builds the density from a flag matrix that is
 * the OR over all correlations, while the imaging weights use the AND (all correlations flagged).
 */
public final class StokesIConverter {
  private final int ncorr;
  private final int first;
  private final int second;

  /**
   * Stokes I of a chunk: {@code vis[2 * (row * nchan + chan) + {re, im}]}, {@code weight[row * nchan + chan]} and
   * {@code densityExcluded[row * nchan + chan]} (true when any correlation of the sample is flagged).
   */
  public record StokesI(float[] vis, float[] weight, boolean[] densityExcluded) {}

  public StokesIConverter(List<CorrelationType> correlations) {
    this.ncorr = correlations.size();
    int a = -1;
    int b = -1;
    for (int i = 0; i < ncorr; i++) {
      CorrelationType t = correlations.get(i);
      if (t == CorrelationType.RR || t == CorrelationType.XX) {
        a = i;
      } else if (t == CorrelationType.LL || t == CorrelationType.YY) {
        b = i;
      }
    }
    if (a < 0 || b < 0) {
      throw new IllegalArgumentException("Stokes I needs both parallel hands (RR and LL, or XX and YY); the MS has "
          + correlations);
    }
    this.first = a;
    this.second = b;
  }

  /**
   * @param vis {@code [((row * nchan + chan) * ncorr + corr) * 2 + {re, im}]}
   * @param flags {@code [(row * nchan + chan) * ncorr + corr]}, non-zero = flagged
   * @param weights natural weights, same layout as flags
   * @param samples rows x channels in the chunk
   */
  public StokesI convert(float[] vis, byte[] flags, float[] weights, int samples) {
    StokesI out = new StokesI(new float[2 * samples], new float[samples], new boolean[samples]);
    convert(vis, flags, weights, samples, out, 0);
    return out;
  }

  /**
   * As {@link #convert(float[], byte[], float[], int)}, writing the chunk's samples into {@code out} from sample
   * {@code at} on (a fully flagged sample gets 0): the loader forms a whole selection in its final arrays, with no
   * per-chunk arrays to allocate and copy.
   */
  public void convert(float[] vis, byte[] flags, float[] weights, int samples, StokesI out, int at) {
    if (vis.length != 2 * samples * ncorr || flags.length != samples * ncorr || weights.length != samples * ncorr) {
      throw new IllegalArgumentException("chunk arrays do not match " + samples + " samples x " + ncorr
          + " correlations (vis " + vis.length + ", flags " + flags.length + ", weights " + weights.length + ")");
    }
    if (at < 0 || at + samples > out.weight().length || 2 * (at + samples) > out.vis().length
        || at + samples > out.densityExcluded().length) {
      throw new IllegalArgumentException("samples [" + at + ", " + (at + samples) + ") do not fit the output ("
          + out.weight().length + " samples)");
    }
    float[] outVis = out.vis();
    float[] outWeight = out.weight();
    boolean[] excluded = out.densityExcluded();
    for (int s = 0; s < samples; s++) {
      int base = s * ncorr;
      int o = at + s;
      boolean anyFlagged = false;
      for (int k = 0; k < ncorr; k++) {
        anyFlagged |= flags[base + k] != 0;
      }
      excluded[o] = anyFlagged;
      boolean useA = flags[base + first] == 0;
      boolean useB = flags[base + second] == 0;
      float mean = (positive(weights[base + first]) + positive(weights[base + second])) / 2;
      int i1 = 2 * (base + first);
      int i2 = 2 * (base + second);
      if (useA && useB) {
        outVis[2 * o] = (vis[i1] + vis[i2]) / 2;
        outVis[2 * o + 1] = (vis[i1 + 1] + vis[i2 + 1]) / 2;
        outWeight[o] = mean;
      } else if (useA || useB) {
        int i = useA ? i1 : i2;
        outVis[2 * o] = vis[i];
        outVis[2 * o + 1] = vis[i + 1];
        outWeight[o] = mean / 2;
      } else {
        outVis[2 * o] = 0;
        outVis[2 * o + 1] = 0;
        outWeight[o] = 0;
      }
    }
  }

  private static float positive(float w) {
    return w > 0 ? w : 0;  // NaN too
  }
}
