package org.pclean.imaging.mask;

/**
 * Where one plane's minor cycle may place components, asked before each minor cycle. Masks are nx*ny
 * {@code [y * nx + x]}, 1 inside; null means no mask (clean everywhere).
 */
public interface CleanMask {
  /**
   * The mask for the coming minor cycle, given the tt0 residual, the iterations done so far and whether the last
   * minor cycle cleaned down to the global threshold (auto-multithresh's minpercentchange rule).
   */
  byte[] forCycle(float[] residual, int iterationsDone, boolean lastCycleAtThreshold);

  /** The mask last returned (the .mask product), or null. */
  byte[] current();

  /** No mask: CLEAN searches the whole image. */
  CleanMask NONE = fixed(null);

  /** The same mask every cycle (user regions and images, pb; null: none). */
  static CleanMask fixed(byte[] mask) {
    return new CleanMask() {
      @Override
      public byte[] forCycle(float[] residual, int iterationsDone, boolean lastCycleAtThreshold) {
        return mask;
      }

      @Override
      public byte[] current() {
        return mask;
      }
    };
  }

  static boolean isEmpty(byte[] mask) {
    return !BinaryMorphology.any(mask);
  }
}
