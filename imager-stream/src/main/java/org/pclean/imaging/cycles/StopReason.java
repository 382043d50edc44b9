package org.pclean.imaging.cycles;

/** Why a run stopped, with tclean's stop codes. */
public enum StopReason {
  ZERO_ITERATIONS(0, "niter is 0: no cleaning"),
  NITER(1, "reached niter"),
  THRESHOLD(2, "reached the global threshold"),
  NO_PROGRESS(4, "no change in peak residual across a major cycle"),
  DIVERGENCE(5, "peak residual increased by more than 3 times from its minimum (divergence)"),
  ZERO_MASK(7, "the mask is empty: nothing to clean"),
  NSIGMA(8, "reached the n-sigma threshold"),
  NMAJOR(9, "reached the major-cycle limit (nmajor)"),
  /** A cube channel with no unflagged sample (a gap between spws, an edge channel in another frame). */
  NO_DATA(0, "no data in this channel: a blank plane");

  private final int code;
  private final String message;

  StopReason(int code, String message) {
    this.code = code;
    this.message = message;
  }

  public int code() {
    return code;
  }

  public String message() {
    return message;
  }
}
