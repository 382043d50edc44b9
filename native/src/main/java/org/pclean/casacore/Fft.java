package org.pclean.casacore;

import org.pclean.casacore.jni.PcleanNative;

/**
 * 2-D FFTs (FFTW, single precision) over row-major arrays {@code a[y * nx + x]}; complex arrays interleave
 * (re, im). Forward is {@code Σ a exp(-2πi k·n/N)}, backward uses +i; neither normalises, so
 * backward(forward(a)) = nx·ny·a. Thread-safe.
 */
public final class Fft {
  private Fft() {}

  /** In-place complex transform of ny x nx values (2·ny·nx floats). */
  public static void complex2d(float[] data, int ny, int nx, boolean forward) {
    requireLength(data, 2L * ny * nx, "complex data");
    NativeCall.run("FFT failed", () -> PcleanNative.fft2dComplex(data, ny, nx, forward));
  }

  /** Real ny x nx to the half spectrum ny x (nx/2+1), complex interleaved. */
  public static float[] realForward(float[] in, int ny, int nx) {
    requireLength(in, (long) ny * nx, "real input");
    float[] out = new float[2 * ny * (nx / 2 + 1)];
    NativeCall.run("FFT failed", () -> PcleanNative.fft2dRealForward(in, out, ny, nx));
    return out;
  }

  /** Half spectrum ny x (nx/2+1) to real ny x nx (unnormalised). The input is left unchanged. */
  public static float[] realBackward(float[] halfSpectrum, int ny, int nx) {
    requireLength(halfSpectrum, 2L * ny * (nx / 2 + 1), "half spectrum");
    float[] scratch = halfSpectrum.clone();  // FFTW's c2r overwrites its input
    float[] out = new float[ny * nx];
    NativeCall.run("FFT failed", () -> PcleanNative.fft2dRealBackward(scratch, out, ny, nx));
    return out;
  }

  private static void requireLength(float[] a, long expected, String what) {
    if (a.length != expected) {
      throw new IllegalArgumentException(what + " has " + a.length + " floats, expected " + expected);
    }
  }
}
