package org.pclean.imaging;

import org.pclean.casacore.Fft;

/**
 * Linear (not circular) convolution of an nx*ny image with a kernel of the same shape centred on (nx/2, ny/2):
 * out(x) = Σ_k image(k) kernel(x - k + centre). Zero-padded FFTs of twice the size; the kernel's transform is
 * computed once, so one convolver serves many images (restoring, Clark's exact subtraction, scale PSFs).
 */
public final class ImageConvolver {
  private final int nx;
  private final int ny;
  private final int px;
  private final int py;
  private final float[] kernelSpectrum;

  public ImageConvolver(float[] kernel, int nx, int ny) {
    if (kernel.length != nx * ny) {
      throw new IllegalArgumentException("kernel must be " + nx + "x" + ny);
    }
    this.nx = nx;
    this.ny = ny;
    this.px = 2 * nx;
    this.py = 2 * ny;
    // The kernel centre goes to pixel (0, 0) of the padded grid, negative offsets wrapping around.
    float[] k = new float[px * py];
    for (int y = 0; y < ny; y++) {
      int yy = Math.floorMod(y - ny / 2, py);
      for (int x = 0; x < nx; x++) {
        k[yy * px + Math.floorMod(x - nx / 2, px)] = kernel[y * nx + x];
      }
    }
    this.kernelSpectrum = Fft.realForward(k, py, px);
  }

  public float[] convolve(float[] image) {
    float[] m = new float[px * py];
    boolean any = false;
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        float v = image[y * nx + x];
        m[y * px + x] = v;
        any |= v != 0;
      }
    }
    float[] out = new float[nx * ny];
    if (!any) {
      return out;
    }
    float[] f = Fft.realForward(m, py, px);
    for (int i = 0; i < f.length; i += 2) {
      float re = f[i] * kernelSpectrum[i] - f[i + 1] * kernelSpectrum[i + 1];
      float im = f[i] * kernelSpectrum[i + 1] + f[i + 1] * kernelSpectrum[i];
      f[i] = re;
      f[i + 1] = im;
    }
    float[] conv = Fft.realBackward(f, py, px);
    float norm = 1f / (px * py);
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        out[y * nx + x] = conv[y * px + x] * norm;
      }
    }
    return out;
  }
}
