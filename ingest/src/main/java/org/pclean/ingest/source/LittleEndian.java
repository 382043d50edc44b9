package org.pclean.ingest.source;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The little-endian array encodings of {@code VisibilityChunk} fields. */
public final class LittleEndian {
  private LittleEndian() {}

  public static ByteBuffer of(double[] a) {
    ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(a);
    return b;
  }

  public static ByteBuffer of(float[] a) {
    ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(a);
    return b;
  }

  public static ByteBuffer of(int[] a) {
    ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(a);
    return b;
  }

  public static double[] doubles(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[d.remaining() / 8];
    d.asDoubleBuffer().get(out);
    return out;
  }

  public static float[] floats(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[d.remaining() / 4];
    d.asFloatBuffer().get(out);
    return out;
  }

  public static int[] ints(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int[] out = new int[d.remaining() / 4];
    d.asIntBuffer().get(out);
    return out;
  }

  public static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** n little-endian float32 values from b's position into dst[off ..], in one bulk copy (b is left alone). */
  public static void floats(ByteBuffer b, float[] dst, int off, int n) {
    b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, off, n);
  }

  /** n bytes from b's position into dst[off ..] (b is left alone). */
  public static void bytes(ByteBuffer b, byte[] dst, int off, int n) {
    b.duplicate().get(dst, off, n);
  }
}
