package org.pclean.ops.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses CASA-style quantity strings: "1.4GHz", "8MHz", "3arcsec", "0.5deg", "J2000 10h00m00 +40d00m00". */
public final class Quantities {
  private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*([A-Za-z\"']*)\\s*");

  private Quantities() {}

  /** Frequency in Hz; a bare number is Hz. */
  public static double frequencyHz(String s) {
    Matcher m = match(s, "frequency");
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "hz" -> v;
      case "khz" -> v * 1e3;
      case "mhz" -> v * 1e6;
      case "ghz" -> v * 1e9;
      default -> throw new IllegalArgumentException("bad frequency unit in '" + s + "' (use Hz, kHz, MHz or GHz)");
    };
  }

  /** Flux density in Jy; a bare number is Jy (tclean's threshold). */
  public static double fluxJy(String s) {
    Matcher m = match(s, "flux");
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "", "Jy" -> v;
      case "mJy" -> v * 1e-3;
      case "uJy" -> v * 1e-6;
      default -> throw new IllegalArgumentException("bad flux unit in '" + s + "' (use Jy, mJy or uJy)");
    };
  }

  /** Angle in radians; a bare number is radians (as CASA). */
  public static double angleRad(String s) {
    Matcher m = match(s, "angle");
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "rad" -> v;
      case "deg" -> Math.toRadians(v);
      case "arcmin", "'" -> Math.toRadians(v / 60);
      case "arcsec", "\"" -> Math.toRadians(v / 3600);
      case "mas" -> Math.toRadians(v / 3.6e6);
      default -> throw new IllegalArgumentException("bad angle unit in '" + s + "' (use rad, deg, arcmin, arcsec or mas)");
    };
  }

  /**
   * tclean's uvtaper value as the image-plane FWHM (radians) of the Gaussian it tapers with: an angle ("10arcsec",
   * the image-plane FWHM), or a uv-plane FWHM in wavelengths ("5klambda", "300lambda"; a bare number is lambda, as
   * tclean reads it). A uv-plane Gaussian of FWHM F wavelengths is the transform of an image-plane one of FWHM
   * 4 ln 2 / (pi F) radians.
   */
  public static double uvTaperFwhmRad(String s) {
    Matcher m = match(s, "uvtaper");
    double v = Double.parseDouble(m.group(1));
    double lambdas = switch (m.group(2)) {
      case "", "lambda" -> v;
      case "klambda" -> v * 1e3;
      case "Mlambda" -> v * 1e6;
      default -> Double.NaN;
    };
    if (Double.isNaN(lambdas)) {
      return angleRad(s);
    }
    if (!(lambdas > 0)) {
      throw new IllegalArgumentException("uvtaper must be > 0 wavelengths, got '" + s + "'");
    }
    return 4 * Math.log(2) / (Math.PI * lambdas);
  }

  /**
   * A J2000 direction as tclean's phasecenter: "J2000 10h00m00.0s +40d00m00.0s", "J2000 10:00:00 +40.00.00"
   * or "J2000 150deg 40deg". Returns {ra, dec} in radians.
   */
  public static double[] directionJ2000(String s) {
    String[] parts = s.trim().split("\\s+");
    if (parts.length != 3 || !parts[0].equalsIgnoreCase("J2000")) {
      throw new IllegalArgumentException("bad direction '" + s + "': expected 'J2000 <ra> <dec>'");
    }
    return new double[] {longitude(parts[1]), latitude(parts[2])};
  }

  private static double longitude(String s) {
    Matcher m = Pattern.compile("(\\d+)[h:](\\d+)[m:]([0-9.]+)s?").matcher(s);
    if (m.matches()) {
      return Math.toRadians(15 * (Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) / 60.0
          + Double.parseDouble(m.group(3)) / 3600.0));
    }
    return angleRad(s);
  }

  private static double latitude(String s) {
    Matcher m = Pattern.compile("([-+]?)(\\d+)[d.:](\\d+)[m.:]([0-9.]+)s?").matcher(s);
    if (m.matches()) {
      double deg = Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3)) / 60.0
          + Double.parseDouble(m.group(4)) / 3600.0;
      return Math.toRadians(m.group(1).equals("-") ? -deg : deg);
    }
    return angleRad(s);
  }

  private static Matcher match(String s, String what) {
    Matcher m = NUMBER_UNIT.matcher(s == null ? "" : s);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad " + what + " '" + s + "'");
    }
    return m;
  }
}
