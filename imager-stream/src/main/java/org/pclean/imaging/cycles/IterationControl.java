package org.pclean.imaging.cycles;

import java.util.Optional;
import org.pclean.ingest.params.TcleanParams;

/**
 * tclean's iteration control (DESIGN.md §4): the depth of each minor cycle and when to stop.
 * <ul>
 *   <li>psffraction = max(minpsffraction, min(maxpsffraction, cyclefactor × max PSF sidelobe));
 *   <li>cyclethreshold = max(psffraction × peak residual, threshold, nsigma × robust rms);
 *   <li>iterations per cycle ≤ min(cycleniter, niter remaining);
 *   <li>stop at the threshold, the n-sigma threshold, niter, nmajor major cycles after the first, or divergence
 *       (peak residual above 3× its minimum).
 * </ul>
 * The peak residual is the one inside the CLEAN mask (tclean's), except for divergence, which like tclean's watches
 * the peak of the whole image (a growing auto-multithresh mask raises the masked peak without any divergence);
 * the robust rms is that of the whole image.
 */
public final class IterationControl {
  private final TcleanParams p;
  private final double psfFraction;
  private int done;
  private double minPeak = Double.MAX_VALUE;
  private double lastPeak = Double.NaN;
  private boolean lastCycleAtThreshold;

  public IterationControl(TcleanParams p, double maxPsfSidelobe) {
    this.p = p;
    this.psfFraction = Math.max(p.minpsffraction(), Math.min(p.maxpsffraction(), p.cyclefactor() * maxPsfSidelobe));
  }

  /**
   * The control of a run already under way (the continuum coordinator keeps these three numbers in its state
   * store between major cycles): iterations done, the smallest and the last peak residual seen, and whether the
   * last cycle's threshold was the global one.
   */
  public static IterationControl resume(TcleanParams p, double maxPsfSidelobe, int done, double minPeak,
      double lastPeak, boolean lastCycleAtThreshold) {
    IterationControl c = new IterationControl(p, maxPsfSidelobe);
    c.done = done;
    c.minPeak = minPeak;
    c.lastPeak = lastPeak;
    c.lastCycleAtThreshold = lastCycleAtThreshold;
    return c;
  }

  /** Whether the last cycle threshold was the global one (threshold or n-sigma), not the PSF-fraction one. */
  public boolean lastCycleAtThreshold() {
    return lastCycleAtThreshold;
  }

  /** The smallest peak |residual| of the whole image seen (divergence rule). */
  public double minPeak() {
    return minPeak;
  }

  public double lastPeak() {
    return lastPeak;
  }

  public double psfFraction() {
    return psfFraction;
  }

  public int iterationsDone() {
    return done;
  }

  /**
   * Checked before each minor cycle with the current peak |residual| inside the mask and in the whole image, and
   * how many major cycles have run since the first (the one that made the initial residual): tclean's nmajor
   * does not count that one, so nmajor 0 stops before any cleaning.
   */
  public Optional<StopReason> stopBefore(double peak, double peakNoMask, double robustRms, int majorCyclesDone) {
    if (p.niter() == 0) {
      return Optional.of(StopReason.ZERO_ITERATIONS);
    }
    if (peak <= p.threshold()) {
      return Optional.of(StopReason.THRESHOLD);
    }
    if (p.nsigma() > 0 && peak <= p.nsigma() * robustRms) {
      return Optional.of(StopReason.NSIGMA);
    }
    if (done >= p.niter()) {
      return Optional.of(StopReason.NITER);
    }
    if (p.nmajor() >= 0 && majorCyclesDone >= p.nmajor()) {
      return Optional.of(StopReason.NMAJOR);
    }
    if (peakNoMask > 3 * minPeak) {
      return Optional.of(StopReason.DIVERGENCE);
    }
    if (peak == lastPeak) {
      return Optional.of(StopReason.NO_PROGRESS);
    }
    minPeak = Math.min(minPeak, peakNoMask);
    lastPeak = peak;
    return Optional.empty();
  }

  /** The cycle's threshold; remembers whether it is the global one (see {@link #lastCycleAtThreshold}). */
  public double cycleThreshold(double peak, double robustRms) {
    double global = Math.max(p.threshold(), p.nsigma() * robustRms);
    lastCycleAtThreshold = psfFraction * peak <= global;
    return Math.max(psfFraction * peak, global);
  }

  public int cycleIterations() {
    int remaining = p.niter() - done;
    return p.cycleniter() > 0 ? Math.min(p.cycleniter(), remaining) : remaining;
  }

  public void recordIterations(int n) {
    done += n;
  }

  /** 1.4826 × the median absolute deviation from the median: the rms of Gaussian noise, robust to sources. */
  public static double robustRms(float[] image) {
    float[] a = image.clone();
    double median = median(a);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) Math.abs(image[i] - median);
    }
    return 1.4826 * median(a);
  }

  /**
   * The median by selection (O(n), reorders a): a sort took ~0.4 s per 2048² image, which the snapshot imager's
   * latency path cannot afford. Same value as sorting: the middle element, or the mean of the two middle ones.
   */
  public static double median(float[] a) {
    int n = a.length;
    int k = n / 2;
    float upper = select(a, k);
    if (n % 2 == 1) {
      return upper;
    }
    float lower = a[0];  // after select, a[0..k) holds the k smallest: the largest of them is the other middle
    for (int i = 1; i < k; i++) {
      lower = Math.max(lower, a[i]);
    }
    return 0.5 * (lower + upper);
  }

  /** The k-th smallest element (0-based), Hoare partitioning with a median-of-three pivot; reorders a. */
  private static float select(float[] a, int k) {
    int lo = 0;
    int hi = a.length - 1;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      float pivot = median3(a[lo], a[mid], a[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i++] = a[j];
          a[j--] = t;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static float median3(float x, float y, float z) {
    return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
  }
}
