package org.pclean.imaging.mask;

/** The binary-image steps of auto-multithresh on nx*ny 0/1 masks: pruning small regions and constrained growth. */
final class BinaryMorphology {
  private BinaryMorphology() {}

  /**
   * Removes the 4-connected regions of fewer than minPixels pixels (CASA's YAPruneRegions labels with 4-neighbour
   * connectivity), in place; returns how many were removed.
   */
  static int prune(byte[] mask, int nx, int ny, double minPixels) {
    int[] label = new int[mask.length];
    int[] stack = new int[mask.length];
    int removed = 0;
    int next = 0;
    for (int start = 0; start < mask.length; start++) {
      if (mask[start] == 0 || label[start] != 0) {
        continue;
      }
      next++;
      int top = 0;
      int size = 0;
      stack[top++] = start;
      label[start] = next;
      while (top > 0) {
        int i = stack[--top];
        size++;
        int x = i % nx;
        int y = i / nx;
        if (x > 0) top = visit(mask, label, stack, top, i - 1, next);
        if (x < nx - 1) top = visit(mask, label, stack, top, i + 1, next);
        if (y > 0) top = visit(mask, label, stack, top, i - nx, next);
        if (y < ny - 1) top = visit(mask, label, stack, top, i + nx, next);
      }
      if (size < minPixels) {
        removed++;
        for (int i = start; i < mask.length; i++) {
          if (label[i] == next) {
            mask[i] = 0;
          }
        }
      }
    }
    return removed;
  }

  private static int visit(byte[] mask, int[] label, int[] stack, int top, int j, int id) {
    if (mask[j] != 0 && label[j] == 0) {
      label[j] = id;
      stack[top++] = j;
    }
    return top;
  }

  /**
   * Grows mask by up to iterations binary dilations with the 3×3 cross, each growing only from pixels inside
   * constraint (CASA's binaryDilation), stopping early when a dilation adds nothing. Returns a new mask.
   */
  static byte[] dilate(byte[] mask, byte[] constraint, int nx, int ny, int iterations) {
    byte[] cur = mask.clone();
    for (int it = 0; it < iterations; it++) {
      byte[] out = cur.clone();
      boolean changed = false;
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
          int i = y * nx + x;
          if (cur[i] == 0 || constraint[i] == 0) {
            continue;
          }
          if (x > 0 && out[i - 1] == 0) { out[i - 1] = 1; changed = true; }
          if (x < nx - 1 && out[i + 1] == 0) { out[i + 1] = 1; changed = true; }
          if (y > 0 && out[i - nx] == 0) { out[i - nx] = 1; changed = true; }
          if (y < ny - 1 && out[i + nx] == 0) { out[i + nx] = 1; changed = true; }
        }
      }
      cur = out;
      if (!changed) {
        break;
      }
    }
    return cur;
  }

  static boolean any(byte[] mask) {
    for (byte b : mask) {
      if (b != 0) {
        return true;
      }
    }
    return false;
  }

  static int count(byte[] mask) {
    int n = 0;
    for (byte b : mask) {
      n += b != 0 ? 1 : 0;
    }
    return n;
  }
}
