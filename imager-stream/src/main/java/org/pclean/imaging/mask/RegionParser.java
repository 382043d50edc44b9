package org.pclean.imaging.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads CASA region text (CRTF, the language of tclean's mask parameter): one shape per line or several separated
 * by commas or semicolons, optionally after a {@code #CRTFv0} header; {@code #} starts a comment. Shapes:
 * {@code circle[[x, y], r]}, {@code box[[x1, y1], [x2, y2]]}, {@code centerbox[[x, y], [w, h]]} and
 * {@code poly[[x1, y1], [x2, y2], [x3, y3], ...]}, with pixel values ({@code 10pix}) or J2000 world values
 * ({@code '19h59m28.5s'}, {@code '+40d44m01s'}, {@code 5arcsec}); quotes are optional. A leading '-' excludes the
 * shape, '+' (or nothing) includes it. Options after a shape ({@code coord=J2000}, {@code color=red}, ...) are
 * read; coord must be J2000 or ICRS (taken as J2000), others are refused. Errors are one sentence naming the
 * shape.
 */
public final class RegionParser {
  private final String text;
  private int pos;

  private RegionParser(String text) {
    this.text = text;
  }

  /** A parsed shape, its numbers still in their units: {@link #toPixels} places it on an image. */
  public sealed interface Shape {
    boolean include();

    Region toPixels(PixelFrame f);
  }

  record Circle(boolean include, SkyValue x, SkyValue y, SkyValue r) implements Shape {
    @Override
    public Region toPixels(PixelFrame f) {
      double[] c = point(f, x, y);
      return new Region.Ellipse(include, c[0], c[1], alongX(f, r), alongY(f, r));
    }
  }

  record Box(boolean include, SkyValue x1, SkyValue y1, SkyValue x2, SkyValue y2) implements Shape {
    @Override
    public Region toPixels(PixelFrame f) {
      double[] a = point(f, x1, y1);
      double[] b = point(f, x2, y2);
      return new Region.Box(include, Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]),
          Math.max(a[1], b[1]));
    }
  }

  record CenterBox(boolean include, SkyValue x, SkyValue y, SkyValue w, SkyValue h) implements Shape {
    @Override
    public Region toPixels(PixelFrame f) {
      double[] c = point(f, x, y);
      double hw = alongX(f, w) / 2;
      double hh = alongY(f, h) / 2;
      return new Region.Box(include, c[0] - hw, c[1] - hh, c[0] + hw, c[1] + hh);
    }
  }

  record Poly(boolean include, List<SkyValue[]> points) implements Shape {
    @Override
    public Region toPixels(PixelFrame f) {
      double[] xs = new double[points.size()];
      double[] ys = new double[points.size()];
      for (int i = 0; i < xs.length; i++) {
        double[] p = point(f, points.get(i)[0], points.get(i)[1]);
        xs[i] = p[0];
        ys[i] = p[1];
      }
      return new Region.Polygon(include, xs, ys);
    }
  }

  /** The shapes of a region text; throws a one-sentence IllegalArgumentException for bad text. */
  public static List<Shape> parse(String text) {
    return new RegionParser(text).shapes();
  }

  private List<Shape> shapes() {
    List<Shape> out = new ArrayList<>();
    while (true) {
      skipSeparators();
      if (pos >= text.length()) {
        break;
      }
      int start = pos;
      boolean include = true;
      if (text.charAt(pos) == '+' || text.charAt(pos) == '-') {
        include = text.charAt(pos) == '+';
        pos++;
      }
      String name = word().toLowerCase(Locale.ROOT);
      skipBlanks();
      if (name.isEmpty() || pos >= text.length() || text.charAt(pos) != '[') {
        throw bad(start, "expected a shape such as circle[[x, y], r], box[[x1, y1], [x2, y2]] or poly[[x1, y1], ...]");
      }
      Object args = list(start);
      options(start);
      out.add(shape(name, include, args, snippet(start)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("mask region text '" + text.strip() + "' holds no shape");
    }
    return out;
  }

  private static Shape shape(String name, boolean include, Object args, String what) {
    List<?> a = (List<?>) args;
    try {
      return switch (name) {
        case "circle" -> {
          need(a.size() == 2 && isPair(a.get(0)) && a.get(1) instanceof String, "circle[[x, y], r]");
          List<?> c = (List<?>) a.get(0);
          yield new Circle(include, SkyValue.longitude((String) c.get(0)), SkyValue.latitude((String) c.get(1)),
              SkyValue.length((String) a.get(1)));
        }
        case "box" -> {
          need(a.size() == 2 && isPair(a.get(0)) && isPair(a.get(1)), "box[[x1, y1], [x2, y2]]");
          SkyValue[] p = coordinate(a.get(0));
          SkyValue[] q = coordinate(a.get(1));
          yield new Box(include, p[0], p[1], q[0], q[1]);
        }
        case "centerbox" -> {
          need(a.size() == 2 && isPair(a.get(0)) && isPair(a.get(1)), "centerbox[[x, y], [width, height]]");
          SkyValue[] c = coordinate(a.get(0));
          List<?> s = (List<?>) a.get(1);
          yield new CenterBox(include, c[0], c[1], SkyValue.length((String) s.get(0)),
              SkyValue.length((String) s.get(1)));
        }
        case "poly" -> {
          need(a.size() >= 3 && a.stream().allMatch(RegionParser::isPair), "poly[[x1, y1], [x2, y2], [x3, y3], ...]"
              + " (at least three vertices)");
          List<SkyValue[]> pts = new ArrayList<>();
          for (Object o : a) {
            pts.add(coordinate(o));
          }
          yield new Poly(include, pts);
        }
        default -> throw new IllegalArgumentException("unknown shape '" + name + "' (supported: circle, box,"
            + " centerbox, poly)");
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mask region '" + what + "': " + e.getMessage());
    }
  }

  private static SkyValue[] coordinate(Object pair) {
    List<?> c = (List<?>) pair;
    SkyValue x = SkyValue.longitude((String) c.get(0));
    SkyValue y = SkyValue.latitude((String) c.get(1));
    if (x.pixel() != y.pixel()) {
      throw new IllegalArgumentException("a position mixes pixel and world values ('" + c.get(0) + "', '"
          + c.get(1) + "')");
    }
    return new SkyValue[] {x, y};
  }

  private static boolean isPair(Object o) {
    return o instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String && l.get(1) instanceof String;
  }

  private static void need(boolean ok, String form) {
    if (!ok) {
      throw new IllegalArgumentException("expected " + form);
    }
  }

  /** A bracketed list of atoms and lists. */
  private Object list(int start) {
    pos++;  // '['
    List<Object> items = new ArrayList<>();
    while (true) {
      skipBlanks();
      if (pos >= text.length()) {
        throw bad(start, "unclosed '['");
      }
      char c = text.charAt(pos);
      if (c == ']') {
        pos++;
        return items;
      }
      if (c == '[') {
        items.add(list(start));
      } else {
        items.add(atom(start));
      }
      skipBlanks();
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
      } else if (pos < text.length() && text.charAt(pos) != ']') {
        throw bad(start, "expected ',' or ']' at '" + text.charAt(pos) + "'");
      }
    }
  }

  private String atom(int start) {
    char c = text.charAt(pos);
    if (c == '\'' || c == '"') {
      int end = text.indexOf(c, pos + 1);
      if (end < 0) {
        throw bad(start, "unclosed quote");
      }
      String v = text.substring(pos + 1, end).trim();
      pos = end + 1;
      return v;
    }
    int from = pos;
    while (pos < text.length() && ",[]\n".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    String v = text.substring(from, pos).trim();
    if (v.isEmpty()) {
      throw bad(start, "empty value");
    }
    return v;
  }

  /** key=value options (CRTF separates them by commas) up to the end of the line, a ';' or the next shape. */
  private void options(int start) {
    while (true) {
      skipBlanks();
      int from = pos;
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
        skipBlanks();
      }
      String key = word().toLowerCase(Locale.ROOT);
      skipBlanks();
      if (key.isEmpty() || pos >= text.length() || text.charAt(pos) != '=') {
        pos = from;
        return;
      }
      pos++;
      skipBlanks();
      String value = pos < text.length() && text.charAt(pos) == '[' ? String.valueOf(list(start))
          : pos < text.length() && "'\"".indexOf(text.charAt(pos)) >= 0 ? atom(start) : word();
      if (key.equals("coord") && !value.equalsIgnoreCase("J2000") && !value.equalsIgnoreCase("ICRS")) {
        throw bad(start, "coord=" + value + " is not supported (J2000 or ICRS)");
      }
    }
  }

  private String word() {
    int from = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
        || text.charAt(pos) == '.' || text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
      pos++;
    }
    return text.substring(from, pos);
  }

  private void skipBlanks() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  /** Blanks, newlines, ',' and ';' between shapes, and '#' comments (the #CRTFv0 header among them). */
  private void skipSeparators() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c) || c == ',' || c == ';') {
        pos++;
      } else {
        return;
      }
    }
  }

  private String snippet(int start) {
    return text.substring(start, Math.min(pos, text.length())).strip();
  }

  private IllegalArgumentException bad(int start, String why) {
    int end = text.indexOf('\n', start);
    String line = text.substring(start, end < 0 ? text.length() : end).strip();
    return new IllegalArgumentException("mask region '" + line + "': " + why);
  }

  static double[] point(PixelFrame f, SkyValue x, SkyValue y) {
    return x.pixel() ? new double[] {x.value(), y.value()} : f.pixel(x.value(), y.value());
  }

  static double alongX(PixelFrame f, SkyValue v) {
    return v.pixel() ? v.value() : v.value() / f.cellX();
  }

  static double alongY(PixelFrame f, SkyValue v) {
    return v.pixel() ? v.value() : v.value() / f.cellY();
  }
}
