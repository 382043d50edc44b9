package org.pclean.imaging;

import java.util.Locale;

/**
 * The time left of work going at its rate so far, for progress lines (the serial engine's planes, a parallel
 * cube's sub-cubes): "12 s", "3 min 05 s", "1 h 02 min"; "unknown" before anything is done.
 */
public final class Eta {
  private Eta() {}

  /** Seconds left when done of total units took elapsedSeconds; NaN when nothing is done yet. */
  public static double seconds(double done, double total, double elapsedSeconds) {
    return done > 0 ? Math.max(0, total - done) * elapsedSeconds / done : Double.NaN;
  }

  /** The seconds as a short text. */
  public static String text(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      return "unknown";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}
