package org.pclean.ingest.source;

import java.util.List;
import org.pclean.casacore.CorrelationType;

/**
 * Forms Stokes I visibilities and natural weights from the correlations of a chunk, in whatever order the
 * POLARIZATION table lists them (RR/LL or XX/YY; cross hands are ignored).
 *
 * <p>I is the inverse-variance weighted mean of the two parallel hands, with weight w1 + w2: for equal weights
 * this is CASA's (XX+YY)/2. A flagged hand does not contribute (I is the other hand alone); with both flagged,
 * or a non-positive weight on both, the sample gets weight 0 and is skipped by the gridder.
 */
public final class StokesIConverter {
  private final int ncorr;
  private final int first;
  private final int second;

  /** Stokes I of a chunk: {@code vis[2 * (row * nchan + chan) + {re, im}]}, {@code weight[row * nchan + chan]}. */
  public record StokesI(float[] vis, float[] weight) {}

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
    if (vis.length != 2 * samples * ncorr || flags.length != samples * ncorr || weights.length != samples * ncorr) {
      throw new IllegalArgumentException("chunk arrays do not match " + samples + " samples x " + ncorr
          + " correlations (vis " + vis.length + ", flags " + flags.length + ", weights " + weights.length + ")");
    }
    float[] outVis = new float[2 * samples];
    float[] outWeight = new float[samples];
    for (int s = 0; s < samples; s++) {
      int base = s * ncorr;
      float w1 = flags[base + first] == 0 ? Math.max(weights[base + first], 0f) : 0f;
      float w2 = flags[base + second] == 0 ? Math.max(weights[base + second], 0f) : 0f;
      float w = w1 + w2;
      if (w > 0) {
        int i1 = 2 * (base + first);
        int i2 = 2 * (base + second);
        outVis[2 * s] = (w1 * vis[i1] + w2 * vis[i2]) / w;
        outVis[2 * s + 1] = (w1 * vis[i1 + 1] + w2 * vis[i2 + 1]) / w;
        outWeight[s] = w;
      }
    }
    return new StokesI(outVis, outWeight);
  }
}
