package org.pclean.imaging;

import java.util.List;

/**
 * A dirty image by direct Fourier summation at chosen pixels (no gridding, no FFT): the independent truth the
 * spectral tests compare the engine's images with. Pixel (x, y) of an n² image with the simulation's cell is at
 * l = -(x - n/2) cell, m = (y - n/2) cell, as the engine lays out its images.
 */
final class DirectSum {
  private final List<int[]> pixels;
  private final int n;
  private final double[] dirty;
  private double sumw;

  DirectSum(List<int[]> pixels, int n) {
    this.pixels = pixels;
    this.n = n;
    this.dirty = new double[pixels.size()];
  }

  /** Adds one Stokes I sample of weight w at (u, v) in wavelengths. */
  void add(double u, double v, double w, double re, double im) {
    sumw += w;
    for (int k = 0; k < pixels.size(); k++) {
      double l = -(pixels.get(k)[0] - n / 2) * SkySimulation.CELL;
      double m = (pixels.get(k)[1] - n / 2) * SkySimulation.CELL;
      double phase = 2 * Math.PI * (u * l + v * m);
      dirty[k] += w * (re * Math.cos(phase) + im * Math.sin(phase));
    }
  }

  /** A sparse grid of pixels over an n² image plus the simulated sources' pixels. */
  static List<int[]> testPixels(int n) {
    List<int[]> pixels = new java.util.ArrayList<>();
    for (int y = 4; y < n; y += 20) {
      for (int x = 3; x < n; x += 20) {
        pixels.add(new int[] {x, y});
      }
    }
    for (SkySimulation.Source s : SkySimulation.SKY) {
      pixels.add(new int[] {n / 2 + s.dx(), n / 2 + s.dy()});
    }
    return pixels;
  }

  int size() {
    return dirty.length;
  }

  double sumOfWeights() {
    return sumw;
  }

  /** The normalised direct sum's peak and its largest difference from image at the chosen pixels. */
  Comparison compare(float[] image) {
    double peak = 0;
    double worst = 0;
    for (int k = 0; k < dirty.length; k++) {
      double d = dirty[k] / sumw;
      peak = Math.max(peak, Math.abs(d));
      int[] px = pixels.get(k);
      worst = Math.max(worst, Math.abs(image[px[1] * n + px[0]] - d));
    }
    return new Comparison(peak, worst);
  }

  record Comparison(double peak, double worst) {}
}
