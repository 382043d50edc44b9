package org.pclean.casacore;

/** Correlation (Stokes) types as coded in the MS POLARIZATION table (casacore {@code Stokes::StokesTypes}). */
public enum CorrelationType {
  I(1), Q(2), U(3), V(4),
  RR(5), RL(6), LR(7), LL(8),
  XX(9), XY(10), YX(11), YY(12);

  private final int code;

  CorrelationType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** RR, LL, XX or YY: the hands whose mean is Stokes I. */
  public boolean isParallelHand() {
    return this == RR || this == LL || this == XX || this == YY;
  }

  public static CorrelationType fromCode(int code) {
    for (CorrelationType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported correlation type code " + code);
  }
}
