package org.pclean.ingest.plan;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tclean's cube spectral axis from start, width and nchan, each in channels, frequency or velocity: output channel
 * k is at F0 + k·dF, linear in frequency as CASA's spectral coordinate is. A velocity v (m/s) is the frequency
 * f0(1 − v/c) (radio) or f0/(1 + v/c) (optical) of the rest frequency f0; a velocity width dv gives dF =
 * f(v + dv) − f(v) at the start. Defaults as tclean: start the first selected channel, width the channel
 * increment, nchan as many channels as fit inside the selected band. A pure function of the selected channels.
 */
public final class SpectralAxis {
  /** Speed of light, m/s (casacore's C::c). */
  public static final double C = 299792458.0;

  private static final Pattern VALUE = Pattern.compile(
      "\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*([A-Za-z/]*)\\s*");

  public enum VelocityType {
    RADIO, OPTICAL;

    /** The frequency (Hz) of velocity v (m/s) for rest frequency f0 (Hz). */
    public double frequency(double v, double f0) {
      return this == RADIO ? f0 * (1 - v / C) : f0 / (1 + v / C);
    }

    /** The velocity (m/s) of frequency f (Hz): radio c(1 − f/f0), optical c(f0/f − 1). */
    public double velocity(double f, double f0) {
      return this == RADIO ? C * (1 - f / f0) : C * (f0 / f - 1);
    }
  }

  /** What a start or width is given in. */
  public enum Kind { NONE, CHANNEL, FREQUENCY, VELOCITY }

  /**
   * A parsed start or width: a bare integer is channels, Hz/kHz/MHz/GHz a frequency (Hz), m/s or km/s a
   * velocity (m/s); empty text is NONE (tclean's default).
   */
  public record Value(Kind kind, double value) {
    public static final Value NONE = new Value(Kind.NONE, 0);

    public static Value parse(String name, String text) {
      if (text == null || text.isBlank()) {
        return NONE;
      }
      Matcher m = VALUE.matcher(text);
      if (!m.matches()) {
        throw bad(name, text);
      }
      double x = Double.parseDouble(m.group(1));
      String unit = m.group(2).toLowerCase(Locale.ROOT);
      return switch (unit) {
        case "" -> {
          if (x != Math.rint(x)) {
            throw bad(name, text);
          }
          yield new Value(Kind.CHANNEL, x);
        }
        case "hz" -> new Value(Kind.FREQUENCY, x);
        case "khz" -> new Value(Kind.FREQUENCY, x * 1e3);
        case "mhz" -> new Value(Kind.FREQUENCY, x * 1e6);
        case "ghz" -> new Value(Kind.FREQUENCY, x * 1e9);
        case "m/s" -> new Value(Kind.VELOCITY, x);
        case "km/s" -> new Value(Kind.VELOCITY, x * 1e3);
        default -> throw bad(name, text);
      };
    }

    private static IllegalArgumentException bad(String name, String text) {
      return new IllegalArgumentException("bad " + name + " '" + text + "' (expected channels, e.g. 5, a frequency,"
          + " e.g. 1.4GHz, or a velocity, e.g. -10km/s)");
    }

    /** The text {@link #parse} reads back. */
    public String text() {
      return switch (kind) {
        case NONE -> "";
        case CHANNEL -> Long.toString((long) value);
        case FREQUENCY -> value + "Hz";
        case VELOCITY -> value + "m/s";
      };
    }
  }

  /** The output channels: the first one's frequency and the increment (Hz), and how many. */
  public record Grid(double freq0, double dfreq, int nchan) {
    public double freq(int k) {
      return freq0 + k * dfreq;
    }
  }

  private SpectralAxis() {}

  /**
   * The output grid over the selected channels dataFreq (Hz, in order, the frame the grid is defined in).
   *
   * @param restFreq Hz, needed for velocities (0: none)
   * @param nchan -1: as many as fit inside the band
   */
  public static Grid grid(double[] dataFreq, Value start, Value width, int nchan, double restFreq,
      VelocityType veltype) {
    if ((start.kind() == Kind.VELOCITY || width.kind() == Kind.VELOCITY) && !(restFreq > 0)) {
      throw new IllegalArgumentException("a velocity start or width needs restfreq (e.g. --restfreq 1.420405752GHz)");
    }
    int n = dataFreq.length;
    double step = n > 1 ? dataFreq[1] - dataFreq[0] : 0;
    double f0 = switch (start.kind()) {
      case NONE -> dataFreq[0];
      case CHANNEL -> {
        int c = (int) start.value();
        if (c < 0 || c >= n) {
          throw new IllegalArgumentException("start channel " + c + " is outside the " + n + " selected channels");
        }
        yield dataFreq[c];
      }
      case FREQUENCY -> start.value();
      case VELOCITY -> veltype.frequency(start.value(), restFreq);
    };
    double df = switch (width.kind()) {
      case NONE -> step;
      case CHANNEL -> width.value() * step;
      case FREQUENCY -> width.value();
      case VELOCITY -> veltype.frequency(velocityOf(start, f0, restFreq, veltype) + width.value(), restFreq) - f0;
    };
    if (df == 0) {
      if (nchan > 1 || (nchan == -1 && n > 1)) {
        throw new IllegalArgumentException("width must not be 0 for a cube of several channels");
      }
      df = 1;  // one plane: its width is not used
    }
    double lo = Math.min(dataFreq[0], dataFreq[n - 1]);
    double hi = Math.max(dataFreq[0], dataFreq[n - 1]);
    double tol = 1e-6 * Math.abs(df);
    if (f0 < lo - tol || f0 > hi + tol) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "start %.9g Hz lies outside the selected"
          + " channels %.9g..%.9g Hz", f0, lo, hi));
    }
    int count = nchan;
    if (nchan == -1) {
      double edge = df > 0 ? hi : lo;
      count = (int) Math.floor((edge - f0) / df + 1e-6) + 1;
    }
    double last = f0 + (count - 1) * df;
    if (last < lo - tol || last > hi + tol) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "nchan %d at width %.6g Hz ends at %.9g Hz,"
          + " outside the selected channels %.9g..%.9g Hz", count, df, last, lo, hi));
    }
    return new Grid(f0, df, count);
  }

  private static double velocityOf(Value start, double f0, double restFreq, VelocityType veltype) {
    return start.kind() == Kind.VELOCITY ? start.value() : veltype.velocity(f0, restFreq);
  }
}
