package org.pclean.imaging;

import java.nio.file.Path;
import java.util.List;
import org.pclean.casacore.Beam;
import org.pclean.imaging.cycles.StopReason;

/**
 * What a run produced: the product paths, and per image plane its beam, sum of weights, iterations and stop
 * reason, plus the convergence history (one entry per minor cycle).
 */
public record ImagingResult(List<Path> products, List<PlaneSummary> planes, List<Cycle> history, Timing timing) {

  public record PlaneSummary(int plane, double frequency, Beam beam, double sumwt, int iterations, StopReason stop,
      double peakResidual, double modelFlux) {}

  /** One minor cycle: iterations taken, the peak residual before it, its threshold and the model flux after it. */
  public record Cycle(int plane, int cycle, int iterations, double peakResidualBefore, double cycleThreshold,
      double modelFlux) {}

  /** Wall time spent gridding/degridding and the samples (visibility x channel) moved through the gridder. */
  public record Timing(double totalSeconds, double griddingSeconds, long samplesGridded) {
    public double griddingMvisPerSecond() {
      return griddingSeconds > 0 ? samplesGridded / griddingSeconds / 1e6 : 0;
    }
  }

  public int totalIterations() {
    return planes.stream().mapToInt(PlaneSummary::iterations).sum();
  }
}
