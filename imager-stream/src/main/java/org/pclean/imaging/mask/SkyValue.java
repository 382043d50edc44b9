package org.pclean.imaging.mask;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One number of a CASA region (CRTF): a pixel value ({@code 10pix}, 0-based) or an angle in radians, read from
 * {@code 5arcsec}, {@code 0.1deg}, {@code 1arcmin}, {@code 2rad}, {@code 30mas}, and for directions sexagesimal
 * {@code 19h59m28.5s} or {@code 19:59:28.5} (RA), {@code +40d44m01s} or {@code +40.44.01} (Dec).
 *
 * @param pixel whether value is in pixels (else radians)
 */
record SkyValue(double value, boolean pixel) {
  private static final Pattern NUMBER_UNIT = Pattern.compile("([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)\\s*([a-zA-Z\"']*)");
  private static final Pattern HMS = Pattern.compile("([-+]?)(\\d+)[h:](\\d+)[m:](\\d+(?:\\.\\d*)?)s?");
  private static final Pattern DMS = Pattern.compile("([-+]?)(\\d+)d(\\d+)m(\\d+(?:\\.\\d*)?)s?");
  private static final Pattern DOTTED_DMS = Pattern.compile("([-+]?)(\\d+)\\.(\\d+)\\.(\\d+(?:\\.\\d*)?)");

  /** An RA (hours allowed) or a pixel x. */
  static SkyValue longitude(String s) {
    Matcher h = HMS.matcher(s);
    if (h.matches()) {
      return new SkyValue(sexagesimal(h) * Math.PI / 12, false);
    }
    return latitude(s);
  }

  /** A Dec or a pixel y. */
  static SkyValue latitude(String s) {
    for (Pattern p : new Pattern[] {DMS, DOTTED_DMS}) {
      Matcher d = p.matcher(s);
      if (d.matches()) {
        return new SkyValue(Math.toRadians(sexagesimal(d)), false);
      }
    }
    return length(s);
  }

  /** A radius or side: pixels or an angle. */
  static SkyValue length(String s) {
    Matcher m = NUMBER_UNIT.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + s + "' is not a number with a unit (e.g. 10pix, 5arcsec, 0.1deg)");
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "pix" -> new SkyValue(v, true);
      case "rad" -> new SkyValue(v, false);
      case "deg" -> new SkyValue(Math.toRadians(v), false);
      case "arcmin", "'" -> new SkyValue(Math.toRadians(v / 60), false);
      case "arcsec", "\"" -> new SkyValue(Math.toRadians(v / 3600), false);
      case "mas" -> new SkyValue(Math.toRadians(v / 3.6e6), false);
      case "" -> throw new IllegalArgumentException("'" + s + "' needs a unit (pix, deg, arcsec, ...)");
      default -> throw new IllegalArgumentException("'" + s + "' has an unknown unit '" + m.group(2) + "'");
    };
  }

  private static double sexagesimal(Matcher m) {
    double v = Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3)) / 60
        + Double.parseDouble(m.group(4)) / 3600;
    return m.group(1).equals("-") ? -v : v;
  }
}
