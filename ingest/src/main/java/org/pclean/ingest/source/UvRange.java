package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pclean.ingest.plan.SpectralAxis;

/**
 * tclean's {@code uvrange}: a comma-separated list of {@code a~b}, {@code <b} or {@code >a} with a unit of m, km,
 * lambda, klambda or Mlambda (none: metres), as casacore's MSUvDistParse reads it. A row is kept when its uv
 * distance √(u² + v²) — w does not count — lies in one of the intervals, ends included; wavelength limits are
 * converted to metres at the REFERENCE frequency of the row's spectral window (not per channel), as casacore
 * does. '' keeps every row.
 */
public final class UvRange extends SelectionText {
  public static final UvRange ALL = new UvRange("", List.of());

  private final List<Interval> intervals;

  /** [lo, hi] in metres, or in wavelengths when lambda. */
  private record Interval(double lo, double hi, boolean lambda) {}

  private UvRange(String text, List<Interval> intervals) {
    super(text);
    this.intervals = intervals;
  }

  public static UvRange parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty()) {
      return ALL;
    }
    List<Interval> out = new ArrayList<>();
    for (String raw : t.split(",", -1)) {
      String s = raw.trim();
      if (s.contains("%")) {
        throw bad(t, "the 'value:percent' form is not supported; give a range such as 0~10klambda");
      }
      String lower = s.toLowerCase(Locale.ROOT);
      double scale = 1;
      boolean lambda = false;
      String number = lower;
      for (String[] unit : new String[][] {{"mlambda", "1e6"}, {"klambda", "1e3"}, {"lambda", "1"}, {"km", "1e3"},
          {"m", "1"}}) {
        if (lower.endsWith(unit[0])) {
          scale = Double.parseDouble(unit[1]);
          lambda = unit[0].endsWith("lambda");
          number = lower.substring(0, lower.length() - unit[0].length()).trim();
          break;
        }
      }
      try {
        double lo;
        double hi;
        if (number.startsWith("<")) {
          lo = 0;
          hi = Double.parseDouble(number.substring(1).trim()) * scale;
        } else if (number.startsWith(">")) {
          lo = Double.parseDouble(number.substring(1).trim()) * scale;
          hi = Double.POSITIVE_INFINITY;
        } else if (number.contains("~")) {
          lo = Double.parseDouble(number.substring(0, number.indexOf('~')).trim()) * scale;
          hi = Double.parseDouble(number.substring(number.indexOf('~') + 1).trim()) * scale;
        } else {
          throw bad(t, "'" + s + "' is not a range (a~b, <b or >a, e.g. 0~10klambda, >100m)");
        }
        if (!(hi >= lo) || lo < 0) {
          throw bad(t, "the range '" + s + "' is empty or negative");
        }
        out.add(new Interval(lo, hi, lambda));
      } catch (NumberFormatException e) {
        throw bad(t, "'" + s + "' is not a number with a unit of m, km, lambda, klambda or Mlambda");
      }
    }
    return new UvRange(t, List.copyOf(out));
  }

  /**
   * @param u metres
   * @param v metres
   * @param refFrequency Hz, the reference frequency of the row's spectral window
   */
  public boolean keeps(double u, double v, double refFrequency) {
    if (intervals.isEmpty()) {
      return true;
    }
    double metres = Math.sqrt(u * u + v * v);
    for (Interval i : intervals) {
      double d = i.lambda() ? metres * refFrequency / SpectralAxis.C : metres;
      if (d >= i.lo() && d <= i.hi()) {
        return true;
      }
    }
    return false;
  }

  private static IllegalArgumentException bad(String text, String why) {
    return bad("uvrange", text, why);
  }
}
