package org.pclean.imaging.cycles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The selection median equals the sorted median, for odd and even sizes, ties and constant images. */
class RobustRmsTest {
  private static double sortedMedian(float[] image) {
    float[] a = image.clone();
    Arrays.sort(a);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
  }

  @Test
  void selectionMedianEqualsSortedMedian() {
    Random rnd = new Random(3);
    for (int n : new int[] {1, 2, 3, 4, 7, 8, 100, 101, 4096, 4097}) {
      for (int trial = 0; trial < 5; trial++) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = trial == 0 ? 1f : trial == 1 ? rnd.nextInt(3) : (float) rnd.nextGaussian();
        }
        assertEquals(sortedMedian(a), IterationControl.median(a.clone()), 0.0, "n " + n + " trial " + trial);
      }
    }
  }

  @Test
  void robustRmsOfGaussianNoiseIsItsSigma() {
    Random rnd = new Random(5);
    float[] a = new float[200_000];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (2.0 * rnd.nextGaussian());
    }
    assertEquals(2.0, IterationControl.robustRms(a), 0.02);
  }
}
