package org.pclean.ops.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The type of a configuration key, as pclean declares it, and the coercion of a raw value (from YAML, the CLI or
 * the API) to its canonical Java form: String, Integer, Double, Boolean, an unmodifiable List of those, or null.
 *
 * <p>Differences from pclean (pydantic), on purpose: a scalar is accepted where a list is expected (tclean takes
 * {@code imsize=512}, {@code cell='1arcsec'}, {@code restfreq='100GHz'}); a number is accepted for a string key
 * (tclean takes {@code threshold=0.0}); a string that reads as a number is accepted for a float key (PyYAML reads
 * {@code 1e-3} as a string).
 */
public enum ValueType {
  STR("str"),
  STR_OR_NULL("str|null"),
  /** A string, or one string per MS (pclean's selection keys). */
  STR_OR_LIST("str|list[str]"),
  STR_LIST("list[str]"),
  INT("int"),
  INT_OR_NULL("int|null"),
  INT_LIST("list[int]"),
  FLOAT("float"),
  FLOAT_OR_NULL("float|null"),
  FLOAT_LIST("list[float]"),
  BOOL("bool");

  private final String label;

  ValueType(String label) {
    this.label = label;
  }

  /** The type as the keys table writes it. */
  public String label() {
    return label;
  }

  /** A YAML scalar: its text as written and the tag the resolver gave it ("int", "float", "bool", "null", "str"). */
  public record Scalar(String text, String tag) {}

  /** The canonical value of raw, or a {@link ConfigException} with a message such as "expected int, got 'x'". */
  public Object coerce(Object raw) {
    return switch (this) {
      case STR -> string(nonNull(raw));
      case STR_OR_NULL -> isNull(raw) ? null : string(raw);
      case STR_OR_LIST -> raw instanceof Collection<?> c ? list(c, ValueType::string) : string(nonNull(raw));
      case STR_LIST -> list(raw, ValueType::string);
      case INT -> integer(nonNull(raw));
      case INT_OR_NULL -> isNull(raw) ? null : integer(raw);
      case INT_LIST -> list(raw, ValueType::integer);
      case FLOAT -> floating(nonNull(raw));
      case FLOAT_OR_NULL -> isNull(raw) ? null : floating(raw);
      case FLOAT_LIST -> list(raw, ValueType::floating);
      case BOOL -> bool(nonNull(raw));
    };
  }

  private Object nonNull(Object raw) {
    if (isNull(raw)) {
      throw new ConfigException("expected " + label + ", got null");
    }
    return raw;
  }

  private static boolean isNull(Object raw) {
    return raw == null || raw instanceof Scalar s && s.tag().equals("null");
  }

  /** null (pclean: None -> []) and a scalar (tclean) are lists too. */
  private static List<Object> list(Object raw, java.util.function.Function<Object, Object> element) {
    if (isNull(raw)) {
      return List.of();
    }
    Collection<?> items = raw instanceof Collection<?> c ? c : List.of(raw);
    List<Object> out = new ArrayList<>();
    for (Object o : items) {
      if (o instanceof Collection<?> || o instanceof java.util.Map<?, ?>) {
        throw new ConfigException("expected a list of scalars, got a nested " + (o instanceof Collection<?> ? "list" : "mapping"));
      }
      if (isNull(o)) {
        throw new ConfigException("a list element is null");
      }
      out.add(element.apply(o));
    }
    return List.copyOf(out);
  }

  private static String string(Object raw) {
    if (raw instanceof Scalar s) {
      // The text as written: `walltime: 24:00:00`, `field: 0` and `stokes: I` all mean the string the user typed.
      return s.text();
    }
    if (raw instanceof String || raw instanceof Number || raw instanceof java.nio.file.Path) {
      return raw.toString();
    }
    throw new ConfigException("expected a string, got " + describe(raw));
  }

  private static Integer integer(Object raw) {
    if (raw instanceof Scalar s) {
      if (s.tag().equals("int")) {
        try {
          return Integer.valueOf(s.text().replace("_", "").replaceFirst("^\\+", ""));
        } catch (NumberFormatException e) {
          throw new ConfigException("expected int, got '" + s.text() + "' (decimal integers only)");
        }
      }
      throw new ConfigException("expected int, got '" + s.text() + "'");
    }
    if (raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
      return ((Number) raw).intValue();
    }
    if (raw instanceof Long l && l == l.intValue()) {
      return l.intValue();
    }
    if (raw instanceof String t) {
      try {
        return Integer.valueOf(t.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException("expected int, got '" + t + "'");
      }
    }
    throw new ConfigException("expected int, got " + describe(raw));
  }

  private static Double floating(Object raw) {
    String text;
    if (raw instanceof Scalar s) {
      if (s.tag().equals("bool") || s.tag().equals("null")) {
        throw new ConfigException("expected float, got '" + s.text() + "'");
      }
      text = s.text().replace("_", "");
    } else if (raw instanceof Number n) {
      return n.doubleValue();
    } else if (raw instanceof String t) {
      text = t;
    } else {
      throw new ConfigException("expected float, got " + describe(raw));
    }
    try {
      double v = Double.parseDouble(text.trim());
      if (!Double.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException("expected float, got '" + text + "'");
    }
  }

  private static Boolean bool(Object raw) {
    String text;
    if (raw instanceof Boolean b) {
      return b;
    } else if (raw instanceof Scalar s) {
      text = s.text();
    } else if (raw instanceof String || raw instanceof Integer) {
      text = raw.toString();
    } else {
      throw new ConfigException("expected bool, got " + describe(raw));
    }
    // YAML 1.1's spellings, and 0/1 as pydantic's lax mode.
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new ConfigException("expected bool (true or false), got '" + text + "'");
    };
  }

  private static String describe(Object raw) {
    if (raw instanceof Collection<?>) {
      return "a list";
    }
    if (raw instanceof java.util.Map<?, ?>) {
      return "a mapping";
    }
    return "'" + raw + "'";
  }
}
