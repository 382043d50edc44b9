package org.pclean.ops;

import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.TcleanParams;

/**
 * The Java API: {@code PClean.run(PClean.builder().vis(ms).imagename("out").niter(1000).build())}, tclean's names
 * and defaults. Runs the serial engine; the Kafka runners (parallel cube and continuum) join behind the same call.
 */
public final class PClean {
  private PClean() {}

  public static TcleanParams.Builder builder() {
    return TcleanParams.builder();
  }

  public static ImagingResult run(TcleanParams params) {
    return SerialImager.run(params);
  }
}
